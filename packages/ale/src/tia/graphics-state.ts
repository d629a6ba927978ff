/**
 * The TIA graphics state (graphics.ts) in a machine state: every register, position, mask offset and latch, so
 * that a restored TIA draws the next pixels as the saved one would have.
 */
import type { TiaGraphics } from './graphics.js';
import type { ByteReader, ByteWriter } from '../util/bytes.js';

export function saveGraphics(g: TiaGraphics, w: ByteWriter): void {
  const ints = [
    g.enabledObjects,
    g.vblank,
    g.nusiz0,
    g.nusiz1,
    g.ctrlpf,
    g.pfPriorityAndScore,
    g.pf,
    g.grp0,
    g.grp1,
    g.dgrp0,
    g.dgrp1,
    g.hmp0,
    g.hmp1,
    g.hmm0,
    g.hmm1,
    g.hmbl,
    g.collision,
    g.posP0,
    g.posP1,
    g.posM0,
    g.posM1,
    g.posBL,
    g.currentGRP0,
    g.currentGRP1,
    g.blMask,
    g.m0Mask,
    g.m1Mask,
    g.p0Mask,
    g.p1Mask,
    g.pfReflect,
    g.m0CosmicArkCounter,
    g.lastHmoveClock,
  ];
  w.i32(ints.length);
  for (const v of ints) w.i32(v);
  const bools = [
    g.refp0,
    g.refp1,
    g.enam0,
    g.enam1,
    g.enabl,
    g.denabl,
    g.vdelp0,
    g.vdelp1,
    g.vdelbl,
    g.resmp0,
    g.resmp1,
    g.m0CosmicArk,
  ];
  for (const b of bools) w.bool(b);
  w.bytes(g.color);
}

export function loadGraphics(g: TiaGraphics, r: ByteReader): void {
  const n = r.i32();
  const v: number[] = [];
  for (let i = 0; i < n; i++) v.push(r.i32());
  [
    g.enabledObjects,
    g.vblank,
    g.nusiz0,
    g.nusiz1,
    g.ctrlpf,
    g.pfPriorityAndScore,
    g.pf,
    g.grp0,
    g.grp1,
    g.dgrp0,
    g.dgrp1,
    g.hmp0,
    g.hmp1,
    g.hmm0,
    g.hmm1,
    g.hmbl,
    g.collision,
    g.posP0,
    g.posP1,
    g.posM0,
    g.posM1,
    g.posBL,
    g.currentGRP0,
    g.currentGRP1,
    g.blMask,
    g.m0Mask,
    g.m1Mask,
    g.p0Mask,
    g.p1Mask,
    g.pfReflect,
    g.m0CosmicArkCounter,
    g.lastHmoveClock,
  ] = v as [number, ...number[]];
  g.refp0 = r.bool();
  g.refp1 = r.bool();
  g.enam0 = r.bool();
  g.enam1 = r.bool();
  g.enabl = r.bool();
  g.denabl = r.bool();
  g.vdelp0 = r.bool();
  g.vdelp1 = r.bool();
  g.vdelbl = r.bool();
  g.resmp0 = r.bool();
  g.resmp1 = r.bool();
  g.m0CosmicArk = r.bool();
  r.into(g.color);
}
