/**
 * Draws a run of pixels of one scanline from the TIA's graphics registers (the lazy drawing of the Stella 2.x model
 * works in runs: from the last TIA access to the current beam position). Result and collision latches are those of
 * evaluating, per pixel, the six object bits, the collision table and the priority encoder; but the work is done
 * per run:
 * 1. background and playfield in 4-pixel playfield cells (aligned cells as one 32-bit store);
 * 2. whether the enabled objects' masks meet on the run, from their line bitmaps (object-spans.ts);
 * 3. if not, each object over the x ranges where its mask is non-zero, in its own colour (the tables only over the
 *    playfield); if they do, each object ORs its bit into a scratch line, and the pixels it set get the full
 *    treatment (collisions, priority, score colours).
 * Runs of undrawn frames (tia.ts) do only what sets collision latches.
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
  /** (start, end, object bit) triples of the objects' ranges on the run (extentsMeet). */
  private readonly extents = new Int16Array(3 * MAX_TOUCHED);
  private extentCount = 0;

  /**
   * Draws `count` pixels starting at visible x = `x0` (x0 + count <= 160) into `buf` at `fp`; `buf32` is a 32-bit
   * view of the same buffer (`fp - x0` is a multiple of 160, so x and the buffer offset have the same alignment).
   * `paint` false: only the collision latches, which need two objects (the playfield counts) on the run.
   */
  draw(
    g: TiaGraphics,
    buf: Uint8Array,
    buf32: Uint32Array,
    fp: number,
    count: number,
    x0: number,
    paint: boolean,
  ): void {
    if (!paint) {
      // Only if the objects on the run could set a latch that is not set yet (a single object sets none).
      if ((g.vblank & 0x02) === 0 && (COLLISION_TABLE[g.enabledObjects]! & ~g.collision) !== 0) {
        this.drawObjects(g, buf, fp, count, x0, false);
      }
      return;
    }
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
    if ((objects & ~PF_BIT) !== 0) this.drawObjects(g, buf, fp, count, x0, true);
  }

  /**
   * The objects' pixels over the background and playfield (if `paint`), and their collisions. Objects whose ranges
   * on the run do not meet (most runs) are drawn one by one, each over the playfield only; the others through
   * the six-bit priority and collision tables per pixel.
   */
  private drawObjects(g: TiaGraphics, buf: Uint8Array, fp: number, count: number, x0: number, paint: boolean): void {
    const x1 = x0 + count;
    const layout = objectLayout(g, x0, x1);
    if (layout === NO_OBJECT) return;
    if (layout === APART) {
      // Without the playfield a lone object collides with nothing: only its pixels to paint.
      if (paint || (g.enabledObjects & PF_BIT) !== 0) {
        this.drawSeparateObjects(g, buf, fp - x0, this.collectExtents(g, x0, x1), paint);
      }
      return;
    }
    this.drawOverlappingObjects(g, buf, fp, x0, x1, paint);
  }

  /** Each object of `extents` in its own colour (the playfield's where it has priority), collisions with it. */
  private drawSeparateObjects(g: TiaGraphics, buf: Uint8Array, offset: number, n: number, paint: boolean): void {
    const extents = this.extents;
    const pf = g.enabledObjects & PF_BIT ? g.pf : 0;
    const pfMask = g.pfReflect ? PLAYFIELD_MASKS[1] : PLAYFIELD_MASKS[0];
    const ps = g.pfPriorityAndScore;
    const color = g.color;
    const encLeft = PRIORITY_ENCODER[0];
    const encRight = PRIORITY_ENCODER[1];
    let collision = g.collision;
    for (let i = 0; i < 3 * n; i += 3) {
      const bit = extents[i + 2]!;
      const masks = bit & (P0_BIT | P1_BIT) ? PLAYER_MASKS : bit & (M0_BIT | M1_BIT) ? MISSILE_MASKS : BALL_MASKS;
      const index = objectMaskIndex(g, bit);
      const graphics = bit === P0_BIT ? g.currentGRP0 : bit === P1_BIT ? g.currentGRP1 : 0xff;
      const stop = extents[i + 1]!;
      if (pf === 0) {
        // Over the background: one colour per half of the line, no collision.
        if (paint)
          paintObject(
            buf,
            offset,
            masks,
            index,
            graphics,
            extents[i]!,
            stop,
            color[encLeft[bit | ps]!]!,
            color[encRight[bit | ps]!]!,
          );
        continue;
      }
      for (let x = extents[i]!; x < stop; x++) {
        if ((masks[index + x]! & graphics) === 0) continue;
        const e = pf & pfMask[x]! ? bit | PF_BIT : bit;
        collision |= COLLISION_TABLE[e]!;
        if (paint) buf[offset + x] = color[(x < 80 ? encLeft : encRight)[e | ps]!]!;
      }
    }
    g.collision = collision;
  }

  /** Objects that may overlap: their bits gathered per x in a scratch line, then each pixel through the tables. */
  private drawOverlappingObjects(
    g: TiaGraphics,
    buf: Uint8Array,
    fp: number,
    x0: number,
    x1: number,
    paint: boolean,
  ): void {
    const objects = g.enabledObjects;
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
        if (paint) buf[offset + x] = color[(x < 80 ? encLeft : encRight)[e | ps]!]!;
      }
    }
    g.collision = collision;
  }

  /**
   * The x ranges of the enabled objects' masks on [x0, x1) (whatever the player graphics) into `extents`; returns
   * their number.
   */
  private collectExtents(g: TiaGraphics, x0: number, x1: number): number {
    const objects = g.enabledObjects;
    this.extentCount = 0;
    if (objects & P0_BIT) this.addExtents(PLAYER_SPANS, g.p0Mask, P0_BIT, x0, x1);
    if (objects & P1_BIT) this.addExtents(PLAYER_SPANS, g.p1Mask, P1_BIT, x0, x1);
    if (objects & M0_BIT) this.addExtents(MISSILE_SPANS, g.m0Mask, M0_BIT, x0, x1);
    if (objects & M1_BIT) this.addExtents(MISSILE_SPANS, g.m1Mask, M1_BIT, x0, x1);
    if (objects & BL_BIT) this.addExtents(BALL_SPANS, g.blMask, BL_BIT, x0, x1);
    return this.extentCount;
  }

  /** Appends an object's mask ranges clipped to [x0, x1) to `extents` as (start, end, bit). */
  private addExtents(spans: ObjectSpans, index: number, bit: number, x0: number, x1: number): void {
    const at = spans.at(index);
    const ranges = spans.ranges;
    const extents = this.extents;
    for (let r = 0, n = ranges[at]!; r < n; r++) {
      const start = Math.max(ranges[at + 1 + 2 * r]!, x0);
      const stop = Math.min(ranges[at + 2 + 2 * r]!, x1);
      if (start >= stop) continue;
      const e = 3 * this.extentCount++;
      extents[e] = start;
      extents[e + 1] = stop;
      extents[e + 2] = bit;
    }
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

/** buf[offset + x] = left or right colour (x < 80 or not) where the object's mask AND `graphics` is set. */
function paintObject(
  buf: Uint8Array,
  offset: number,
  masks: Uint8Array,
  index: number,
  graphics: number,
  start: number,
  stop: number,
  left: number,
  right: number,
): void {
  for (let x = start; x < stop; x++) if (masks[index + x]! & graphics) buf[offset + x] = x < 80 ? left : right;
}

/** How the enabled objects' masks (whatever the player graphics) lie on a run: none there, apart, or meeting. */
const NO_OBJECT = 0;
const APART = 1;
const MEET = 2;

function objectLayout(g: TiaGraphics, x0: number, x1: number): number {
  const objects = g.enabledObjects;
  const p0 = objects & P0_BIT ? PLAYER_SPANS.wordsAt(g.p0Mask) : -1;
  const p1 = objects & P1_BIT ? PLAYER_SPANS.wordsAt(g.p1Mask) : -1;
  const m0 = objects & M0_BIT ? MISSILE_SPANS.wordsAt(g.m0Mask) : -1;
  const m1 = objects & M1_BIT ? MISSILE_SPANS.wordsAt(g.m1Mask) : -1;
  const bl = objects & BL_BIT ? BALL_SPANS.wordsAt(g.blMask) : -1;
  const players = PLAYER_SPANS.words;
  const missiles = MISSILE_SPANS.words;
  const balls = BALL_SPANS.words;
  const first = x0 >> 5;
  const last = (x1 - 1) >> 5;
  let any = 0;
  for (let w = first; w <= last; w++) {
    let run = -1;
    if (w === first) run <<= x0 & 31;
    if (w === last) run &= -1 >>> (31 - ((x1 - 1) & 31));
    const a = p0 < 0 ? 0 : players[p0 + w]! & run;
    const b = p1 < 0 ? 0 : players[p1 + w]! & run;
    const c = m0 < 0 ? 0 : missiles[m0 + w]! & run;
    const d = m1 < 0 ? 0 : missiles[m1 + w]! & run;
    const e = bl < 0 ? 0 : balls[bl + w]! & run;
    // A pixel where two of the five are set: each one against the union of those before it.
    const ab = a | b;
    const abc = ab | c;
    const abcd = abc | d;
    if (((a & b) | (c & ab) | (d & abc) | (e & abcd)) !== 0) return MEET;
    any |= abcd | e;
  }
  return any === 0 ? NO_OBJECT : APART;
}

/** The mask table offset of one object (its bit). */
function objectMaskIndex(g: TiaGraphics, bit: number): number {
  switch (bit) {
    case P0_BIT:
      return g.p0Mask;
    case P1_BIT:
      return g.p1Mask;
    case M0_BIT:
      return g.m0Mask;
    case M1_BIT:
      return g.m1Mask;
    default:
      return g.blMask;
  }
}
