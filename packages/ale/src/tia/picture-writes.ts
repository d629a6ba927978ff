/**
 * Which TIA writes can change pixels. Drawing is lazy (tia.ts): a write first renders the frame up to the beam,
 * because it may change how the following pixels look. A write that leaves every field the renderer reads
 * unchanged does not need that: the pixels come out the same when the next write that does change something
 * renders them in one longer run. Games write many such values (the same GRPx byte on every line, WSYNC, the
 * motion registers), so skipping their renders saves most of the per-run overhead.
 */
import type { TiaGraphics } from './graphics.js';

/** Registers that never affect drawing: WSYNC, RSYNC, audio, HMP0/HMP1/HMM1/HMBL, HMCLR, unused addresses. */
const NEVER_DRAWS = new Uint8Array(64);
for (const a of [0x02, 0x03, 0x15, 0x16, 0x17, 0x18, 0x19, 0x1a, 0x20, 0x21, 0x23, 0x24, 0x2b]) NEVER_DRAWS[a] = 1;
for (let a = 0x2d; a < 64; a++) NEVER_DRAWS[a] = 1;

/**
 * Whether writing `value` to register `addr` ($00-$3F) may change a pixel, a collision latch or anything drawing
 * reads at the end of a line; false only when it certainly cannot. `clock` is the write's colour clock (HMM0).
 */
export function writeChangesPicture(g: TiaGraphics, addr: number, value: number, clock: number): boolean {
  if (NEVER_DRAWS[addr]) return false;
  switch (addr) {
    // Colours: the same value, or the beam is blanked (only a VBLANK write, which renders first, ends that).
    case 0x06: return (g.vblank & 0x02) === 0 && g.color[2] !== ((value & 0xfe) | g.colorLoss);
    case 0x07: return (g.vblank & 0x02) === 0 && g.color[3] !== ((value & 0xfe) | g.colorLoss);
    case 0x08: return (g.vblank & 0x02) === 0 && g.color[1] !== ((value & 0xfe) | g.colorLoss);
    case 0x09: return (g.vblank & 0x02) === 0 && g.color[0] !== ((value & 0xfe) | g.colorLoss);
    case 0x0b: return g.refp0 !== ((value & 0x08) !== 0);
    case 0x0c: return g.refp1 !== ((value & 0x08) !== 0);
    case 0x0d: return (g.pf & 0x0f) !== ((value >> 4) & 0x0f);
    case 0x0e: return ((g.pf >> 4) & 0xff) !== value;
    case 0x0f: return ((g.pf >> 12) & 0xff) !== value;
    // GRP0 also copies GRP1 into its delayed register, GRP1 copies GRP0 and ENABL.
    case 0x1b: return g.grp0 !== value || g.dgrp1 !== g.grp1;
    case 0x1c: return g.grp1 !== value || g.dgrp0 !== g.grp0 || g.denabl !== g.enabl;
    case 0x1d: return g.enam0 !== ((value & 0x02) !== 0);
    case 0x1e: return g.enam1 !== ((value & 0x02) !== 0);
    case 0x1f: return g.enabl !== ((value & 0x02) !== 0);
    // HMM0 only matters for drawing when it starts Stella's Cosmic Ark starfield effect.
    case 0x22: return clock === g.lastHmoveClock + 21 * 3 && g.hmm0 === 7 && value >> 4 === 6;
    case 0x25: return g.vdelp0 !== ((value & 0x01) !== 0);
    case 0x26: return g.vdelp1 !== ((value & 0x01) !== 0);
    case 0x27: return g.vdelbl !== ((value & 0x01) !== 0);
    // NUSIZx always: even the same value recomputes the masks, which drops a player's start delay (RESPx).
    default: return true;
  }
}
