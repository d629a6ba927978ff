/**
 * Draws a run of pixels of one scanline from the TIA's graphics registers (the lazy drawing of the Stella 2.x model
 * works in runs: from the last TIA access to the current beam position). Result and collision latches are those of
 * evaluating, per pixel, the six object bits, the collision table and the priority encoder; but the work is done
 * per run:
 * 1. background and playfield in 4-pixel playfield cells (aligned cells as one 32-bit store);
 * 2. each enabled object only over the x ranges where its mask is non-zero (object-spans.ts), OR-ing its bit
 *    into a scratch line and noting the x range it actually set;
 * 3. the pixels in those ranges get the full treatment (collisions, priority, score colours).
 */
import { BL_BIT, M0_BIT, M1_BIT, P0_BIT, P1_BIT, PF_BIT, type TiaGraphics } from './graphics.js';
import { ObjectSpans } from './object-spans.js';
import {
  BALL_MASKS,
  COLLISION_TABLE,
  MISSILE_MASKS,
  PLAYER_MASKS,
  PLAYFIELD_MASKS,
  PRIORITY_ENCODER,
} from './tables.js';

const PLAYER_SPANS = new ObjectSpans(PLAYER_MASKS);
const MISSILE_SPANS = new ObjectSpans(MISSILE_MASKS);
const BALL_SPANS = new ObjectSpans(BALL_MASKS);
/** 5 objects x at most 5 ranges each (object-spans.ts). */
const MAX_TOUCHED = 25;

export class SpanRenderer {
  /** Object bits per x of the run being drawn; all zero between runs. */
  private readonly objectBits = new Uint8Array(160);
  /** [start, end) pairs of the x ranges where step 2 set bits (they may overlap). */
  private readonly touched = new Int16Array(2 * MAX_TOUCHED);
  private touchedCount = 0;

  /**
   * Draws `count` pixels starting at visible x = `x0` (x0 + count <= 160) into `buf` at `fp`; `buf32` is a 32-bit
   * view of the same buffer (`fp - x0` is a multiple of 160, so x and the buffer offset have the same alignment).
   */
  draw(g: TiaGraphics, buf: Uint8Array, buf32: Uint32Array, fp: number, count: number, x0: number): void {
    const end = fp + count;
    if (g.vblank & 0x02) {
      fillRun(buf, buf32, fp, end, 0);
      return;
    }
    const objects = g.enabledObjects;
    const color = g.color;
    const bk = color[0]!;
    if (objects & PF_BIT) {
      const ps = g.pfPriorityAndScore;
      const left = color[PRIORITY_ENCODER[0][PF_BIT | ps]!]!;
      const right = color[PRIORITY_ENCODER[1][PF_BIT | ps]!]!;
      drawPlayfield(
        buf,
        buf32,
        fp,
        count,
        x0,
        g.pf,
        g.pfReflect ? PLAYFIELD_MASKS[1] : PLAYFIELD_MASKS[0],
        left,
        right,
        bk,
      );
    } else {
      fillRun(buf, buf32, fp, end, bk);
    }
    if ((objects & ~PF_BIT) !== 0) this.drawObjects(g, buf, fp, count, x0);
  }

  private drawObjects(g: TiaGraphics, buf: Uint8Array, fp: number, count: number, x0: number): void {
    const objects = g.enabledObjects;
    const x1 = x0 + count;
    this.touchedCount = 0;
    if (objects & P0_BIT) this.mark(PLAYER_MASKS, PLAYER_SPANS, g.p0Mask, g.currentGRP0, P0_BIT, x0, x1);
    if (objects & P1_BIT) this.mark(PLAYER_MASKS, PLAYER_SPANS, g.p1Mask, g.currentGRP1, P1_BIT, x0, x1);
    if (objects & M0_BIT) this.mark(MISSILE_MASKS, MISSILE_SPANS, g.m0Mask, 0xff, M0_BIT, x0, x1);
    if (objects & M1_BIT) this.mark(MISSILE_MASKS, MISSILE_SPANS, g.m1Mask, 0xff, M1_BIT, x0, x1);
    if (objects & BL_BIT) this.mark(BALL_MASKS, BALL_SPANS, g.blMask, 0xff, BL_BIT, x0, x1);
    const touchedCount = this.touchedCount;
    if (touchedCount === 0) return;
    const touched = this.touched;

    const bits = this.objectBits;
    const pf = objects & PF_BIT ? g.pf : 0;
    const pfMask = g.pfReflect ? PLAYFIELD_MASKS[1] : PLAYFIELD_MASKS[0];
    const ps = g.pfPriorityAndScore;
    const color = g.color;
    const encLeft = PRIORITY_ENCODER[0];
    const encRight = PRIORITY_ENCODER[1];
    let collision = g.collision;
    const offset = fp - x0;
    for (let t = 0; t < touchedCount; t++) {
      const stop = touched[2 * t + 1]!;
      for (let x = touched[2 * t]!; x < stop; x++) {
        const b = bits[x]!;
        // Zero: not set, or already drawn through an overlapping range.
        if (b === 0) continue;
        bits[x] = 0;
        const e = pf & pfMask[x]! ? b | PF_BIT : b;
        collision |= COLLISION_TABLE[e]!;
        buf[offset + x] = color[(x < 80 ? encLeft : encRight)[e | ps]!]!;
      }
    }
    g.collision = collision;
  }

  /** ORs `bit` into the scratch line where the object's mask (AND `graphics` for players) is set in [x0, x1). */
  private mark(
    masks: Uint8Array,
    spans: ObjectSpans,
    index: number,
    graphics: number,
    bit: number,
    x0: number,
    x1: number,
  ): void {
    const at = spans.at(index);
    const ranges = spans.ranges;
    const n = ranges[at]!;
    const bits = this.objectBits;
    for (let r = 0; r < n; r++) {
      const start = Math.max(ranges[at + 1 + 2 * r]!, x0);
      const stop = Math.min(ranges[at + 2 + 2 * r]!, x1);
      if (start >= stop) continue;
      let first = -1;
      let last = 0;
      for (let x = start; x < stop; x++) {
        if (masks[index + x]! & graphics) {
          bits[x] = bits[x]! | bit;
          if (first < 0) first = x;
          last = x;
        }
      }
      if (first >= 0) {
        const t = 2 * this.touchedCount++;
        this.touched[t] = first;
        this.touched[t + 1] = last + 1;
      }
    }
  }
}

/** Fills buf[from, to) with `c`, 4 bytes at a time where aligned (also the TIA's HMOVE blank). */
export function fillRun(buf: Uint8Array, buf32: Uint32Array, from: number, to: number, c: number): void {
  let p = from;
  while (p < to && (p & 3) !== 0) buf[p++] = c;
  // Loop over word indices (not p >> 2) so the loop is a plain counted store loop.
  const c4 = fourPixels(c);
  const firstWord = p >> 2;
  const endWord = to >> 2;
  for (let w = firstWord; w < endWord; w++) buf32[w] = c4;
  if (endWord > firstWord) p = endWord << 2;
  while (p < to) buf[p++] = c;
}

/** Background and playfield for x in [x0, x0 + count): one colour per 4-pixel playfield cell. */
function drawPlayfield(
  buf: Uint8Array,
  buf32: Uint32Array,
  fp: number,
  count: number,
  x0: number,
  pf: number,
  pfMask: Uint32Array,
  left: number,
  right: number,
  bk: number,
): void {
  const x1 = x0 + count;
  let p = fp;
  let x = x0;
  // Pixels up to the first cell boundary, whole cells as 32-bit words (x and p have the same alignment), the rest.
  for (; x < x1 && (x & 3) !== 0; x++, p++) buf[p] = pf & pfMask[x]! ? (x < 80 ? left : right) : bk;
  const endWord = (p >> 2) + ((x1 - x) >> 2);
  for (let w = p >> 2; w < endWord; w++, x += 4) buf32[w] = fourPixels(pf & pfMask[x]! ? (x < 80 ? left : right) : bk);
  p = fp + (x - x0);
  for (; x < x1; x++, p++) buf[p] = pf & pfMask[x]! ? (x < 80 ? left : right) : bk;
}

/** Colour `c` (0-255) in all four bytes, as an int32: `c * 0x01010101` would be a double for c >= 128. */
function fourPixels(c: number): number {
  return (c << 24) | (c << 16) | (c << 8) | c;
}
