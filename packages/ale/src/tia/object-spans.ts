/**
 * Where an object mask is non-zero on a line: the visible x ranges [start, end) of the mask at a given offset into
 * one of the flat mask tables (tables.ts). The span renderer only visits those pixels instead of testing the
 * object at all 160 positions. Mask tables are static, so the ranges are computed once per table offset (lazily)
 * and kept in a flat Int16Array: [count, start0, end0, start1, end1, ...].
 */

/** Up to 4 ranges: 3 copies, one of them split by the wrap at x = 160. */
const MAX_RANGES = 5;
export const SPAN_STRIDE = 1 + 2 * MAX_RANGES;
const UNKNOWN = -1;

export class ObjectSpans {
  /** [count, start, end, ...] per table offset; count -1 = not computed yet. */
  readonly ranges: Int16Array;

  constructor(private readonly masks: Uint8Array) {
    this.ranges = new Int16Array(masks.length * SPAN_STRIDE).fill(UNKNOWN);
  }

  /** Offset into `ranges` of the spans for the mask at table offset `index` (computed on first use). */
  at(index: number): number {
    const base = index * SPAN_STRIDE;
    if (this.ranges[base] === UNKNOWN) this.compute(index, base);
    return base;
  }

  private compute(index: number, base: number): void {
    const masks = this.masks;
    const ranges = this.ranges;
    let count = 0;
    let x = 0;
    while (x < 160) {
      while (x < 160 && masks[index + x] === 0) x++;
      if (x >= 160) break;
      const start = x;
      while (x < 160 && masks[index + x] !== 0) x++;
      if (count === MAX_RANGES) throw new Error(`object mask ${index} has more than ${MAX_RANGES} ranges`);
      ranges[base + 1 + 2 * count] = start;
      ranges[base + 2 + 2 * count] = x;
      count++;
    }
    ranges[base] = count;
  }
}
