/**
 * Where an object mask is non-zero on a line: the visible x ranges [start, end) of the mask at a given offset into
 * one of the flat mask tables (tables.ts). The span renderer only visits those pixels instead of testing the
 * object at all 160 positions. Mask tables are static, so the ranges are computed once per table offset (lazily)
 * and kept in a flat Int16Array: [count, start0, end0, start1, end1, ...].
 */

/** Up to 4 ranges: 3 copies, one of them split by the wrap at x = 160. */
const MAX_RANGES = 5;
export const SPAN_STRIDE = 1 + 2 * MAX_RANGES;
/** 32-bit words of a 160-pixel line. */
export const LINE_WORDS = 5;
const UNKNOWN = -1;

export class ObjectSpans {
  /** [count, start, end, ...] per table offset; count -1 = not computed yet. */
  readonly ranges: Int16Array;
  /** The same x's as a line bitmap: LINE_WORDS words per table offset, bit x & 31 of word x >> 5. */
  readonly words: Int32Array;

  constructor(private readonly masks: Uint8Array) {
    this.ranges = new Int16Array(masks.length * SPAN_STRIDE).fill(UNKNOWN);
    this.words = new Int32Array(masks.length * LINE_WORDS);
  }

  /** Offset into `words` of the bitmap for the mask at table offset `index` (computed on first use). */
  wordsAt(index: number): number {
    this.at(index);
    return index * LINE_WORDS;
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
      for (let i = start; i < x; i++) this.words[index * LINE_WORDS + (i >> 5)]! |= 1 << (i & 31);
    }
    ranges[base] = count;
  }
}
