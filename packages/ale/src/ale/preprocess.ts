/**
 * Server-side observation preprocessing for Atari frames (the paper's input is 4 x 52 x 40: grayscale, downsampled
 * by 4, last 4 frames): palette indices -> grayscale or RGB values, max-pool of the last two emulated frames, box
 * (area-average) downsampling by an integer factor or resize to (h, w), frame stacking. Values are uint8; an image
 * is [h, w, c] row-major; a stack of k frames is [h, w, k * c] with the oldest frame first.
 */
import type { Palette } from '../tia/palette.js';

export interface PreprocessOptions {
  /** Channels per frame: 1 (grayscale) or 3 (RGB). */
  channels: 1 | 3;
  /** Source screen height (width is 160). */
  height: number;
  /** Integer block-average factor (1 = none); exclusive with `resize`. */
  downsample: number;
  /** Output (height, width) by area averaging; null = no resize. */
  resize: [number, number] | null;
  /** Max over the last two emulated frames, pixel by pixel. */
  maxPool: boolean;
  /** Frames stacked (>= 1). */
  frameStack: number;
}

const WIDTH = 160;

/** Per grayscale table: the sum of the gray values of two pixels, indexed by their two bytes (little-endian). */
const PAIR_SUMS = new WeakMap<Uint8Array, Uint16Array>();

function pairSums(gray: Uint8Array): Uint16Array {
  let sums = PAIR_SUMS.get(gray);
  if (sums === undefined) {
    sums = new Uint16Array(65536);
    for (let i = 0; i < 65536; i++) sums[i] = gray[i & 0xff]! + gray[i >>> 8]!;
    PAIR_SUMS.set(gray, sums);
  }
  return sums;
}

/** Row (or column) boundaries of the output cells: cell i covers [b[i], b[i + 1]). */
function boundaries(source: number, out: number, factor: number): Int32Array {
  const b = new Int32Array(out + 1);
  for (let i = 0; i <= out; i++) b[i] = factor > 0 ? i * factor : Math.floor((i * source) / out);
  for (let i = 1; i <= out; i++) if (b[i]! <= b[i - 1]!) b[i] = b[i - 1]! + 1;
  return b;
}

export class FramePreprocessor {
  readonly outHeight: number;
  readonly outWidth: number;
  /** Observation shape: [h, w] (grayscale, one frame), [h, w, 3] (RGB, one frame) or [h, w, k * c]. */
  readonly shape: number[];
  /** Elements of an observation (the product of `shape`). */
  readonly size: number;
  private readonly rows: Int32Array;
  /** Output column of each source column, -1 for columns past the last cell. */
  private readonly cellOfColumn: Int32Array;
  /** Width of every output cell when they are all equal and start at x = 0 (else 0). */
  private readonly blockWidth: number;
  /** Source pixels of each output cell, row by row. */
  private readonly areas: Int32Array;
  private readonly frameSize: number;
  /** Per-cell sums of one output row (all channels). */
  private readonly sums: Int32Array;
  /** Ring of the last k processed frames and the index of the oldest; `slots` are views of its frames. */
  private readonly stack: Uint8Array;
  private readonly slots: Uint8Array[];
  private oldest = 0;

  constructor(private readonly options: PreprocessOptions) {
    const { height, downsample, resize, channels, frameStack } = options;
    let cols: Int32Array;
    if (resize) {
      [this.outHeight, this.outWidth] = resize;
      this.rows = boundaries(height, this.outHeight, 0);
      cols = boundaries(WIDTH, this.outWidth, 0);
    } else {
      this.outHeight = Math.floor(height / downsample);
      this.outWidth = Math.floor(WIDTH / downsample);
      this.rows = boundaries(height, this.outHeight, downsample);
      cols = boundaries(WIDTH, this.outWidth, downsample);
    }
    const width = cols[1]! - cols[0]!;
    const regular = cols[0] === 0 && cols.every((b, i) => b === i * width);
    this.blockWidth = regular ? width : 0;
    this.cellOfColumn = new Int32Array(WIDTH).fill(-1);
    for (let ox = 0; ox < this.outWidth; ox++)
      for (let x = cols[ox]!; x < cols[ox + 1]!; x++) this.cellOfColumn[x] = ox;
    this.areas = new Int32Array(this.outHeight * this.outWidth);
    for (let oy = 0; oy < this.outHeight; oy++) {
      for (let ox = 0; ox < this.outWidth; ox++) {
        this.areas[oy * this.outWidth + ox] = (this.rows[oy + 1]! - this.rows[oy]!) * (cols[ox + 1]! - cols[ox]!);
      }
    }
    this.frameSize = this.outHeight * this.outWidth * channels;
    this.sums = new Int32Array(this.outWidth * channels);
    this.stack = new Uint8Array(this.frameSize * frameStack);
    this.slots = Array.from({ length: frameStack }, (_, i) =>
      this.stack.subarray(i * this.frameSize, (i + 1) * this.frameSize),
    );
    const depth = channels * frameStack;
    this.shape = depth === 1 ? [this.outHeight, this.outWidth] : [this.outHeight, this.outWidth, depth];
    this.size = this.frameSize * frameStack;
  }

  /** Start of an episode: every stack slot gets the first frame. Returns the observation (in `out` if given). */
  reset(screen: Uint8Array, palette: Palette, out: Uint8Array = new Uint8Array(this.size)): Uint8Array {
    const first = this.slots[0]!;
    this.process(screen, null, palette, first);
    for (let i = 1; i < this.options.frameStack; i++) this.slots[i]!.set(first);
    this.oldest = 0;
    return this.observe(out);
  }

  /**
   * After a step: `screen` is the last emulated frame, `previous` the one before (for max-pooling). Returns the
   * observation (in `out` if given).
   */
  push(
    screen: Uint8Array,
    previous: Uint8Array | null,
    palette: Palette,
    out: Uint8Array = new Uint8Array(this.size),
  ): Uint8Array {
    this.process(screen, previous, palette, this.slots[this.oldest]!);
    this.oldest = (this.oldest + 1) % this.options.frameStack;
    return this.observe(out);
  }

  /**
   * One frame, without stacking, into `out` ([outH, outW, c], e.g. a session's batch row): what `push` computes
   * for a stack of one, without the copy through the stack. The stack is left as it was.
   */
  processInto(screen: Uint8Array, previous: Uint8Array | null, palette: Palette, out: Uint8Array): Uint8Array {
    this.process(screen, previous, palette, out);
    return out;
  }

  /**
   * One frame into `dest` ([outH, outW, c]): colours (and the max with `previous` when max-pooling), then the
   * rounded average of each output cell, in one pass over the source rows.
   */
  private process(screen: Uint8Array, previous: Uint8Array | null, palette: Palette, dest: Uint8Array): void {
    const c = this.options.channels;
    const pool = this.options.maxPool && previous !== null ? previous : null;
    if (c === 1 && pool === null && this.blockWidth > 0) {
      this.processGrayBlocks(screen, palette.gray, dest);
      return;
    }
    const lut = c === 1 ? palette.gray : palette.rgb;
    const outWidth = this.outWidth;
    const cellOfColumn = this.cellOfColumn;
    const sums = this.sums;
    const rows = this.rows;
    const areas = this.areas;
    for (let oy = 0; oy < this.outHeight; oy++) {
      if (rows[oy + 1]! > this.options.height) {
        // A resize taller than the screen: cells past its last line have no pixels and stay 0.
        dest.fill(0, oy * outWidth * c, (oy + 1) * outWidth * c);
        continue;
      }
      sums.fill(0);
      for (let y = rows[oy]!; y < rows[oy + 1]!; y++) {
        const base = y * WIDTH;
        for (let x = 0; x < WIDTH; x++) {
          const ox = cellOfColumn[x]!;
          if (ox < 0) continue;
          const p = screen[base + x]!;
          if (c === 1) {
            let v = lut[p]!;
            if (pool !== null) {
              const q = lut[pool[base + x]!]!;
              if (q > v) v = q;
            }
            sums[ox] += v;
          } else {
            const q = pool === null ? -1 : pool[base + x]! * 3;
            for (let ch = 0; ch < 3; ch++) {
              let v = lut[p * 3 + ch]!;
              if (q >= 0 && lut[q + ch]! > v) v = lut[q + ch]!;
              sums[ox * 3 + ch] += v;
            }
          }
        }
      }
      for (let ox = 0; ox < outWidth; ox++) {
        const area = areas[oy * outWidth + ox]!;
        for (let ch = 0; ch < c; ch++)
          dest[(oy * outWidth + ox) * c + ch] = Math.floor((sums[ox * c + ch]! + (area >> 1)) / area);
      }
    }
  }

  /**
   * The common case of `process` (grayscale, no max-pool, cells `blockWidth` columns wide from x = 0): the same
   * sums without the per-pixel tests, one cell's columns added in a row.
   */
  private processGrayBlocks(screen: Uint8Array, gray: Uint8Array, dest: Uint8Array): void {
    const outWidth = this.outWidth;
    const bw = this.blockWidth;
    const sums = this.sums;
    const rows = this.rows;
    const areas = this.areas;
    const wordsPerCell = bw >> 2;
    const words =
      (bw & 3) === 0 && (screen.byteOffset & 3) === 0
        ? new Int32Array(screen.buffer, screen.byteOffset, screen.length >> 2)
        : null;
    const pairs = words === null ? null : pairSums(gray);
    for (let oy = 0; oy < this.outHeight; oy++) {
      const rowOut = oy * outWidth;
      if (rows[oy + 1]! > this.options.height) {
        dest.fill(0, rowOut, rowOut + outWidth);
        continue;
      }
      sums.fill(0);
      for (let y = rows[oy]!; y < rows[oy + 1]!; y++) {
        if (words !== null && pairs !== null) {
          // Four pixels per word, two lookups of two-pixel sums.
          let w = (y * WIDTH) >> 2;
          for (let ox = 0; ox < outWidth; ox++) {
            let sum = 0;
            for (let i = 0; i < wordsPerCell; i++, w++) {
              const four = words[w]!;
              sum += pairs[four & 0xffff]! + pairs[four >>> 16]!;
            }
            sums[ox] += sum;
          }
          continue;
        }
        let p = y * WIDTH;
        for (let ox = 0; ox < outWidth; ox++) {
          let sum = 0;
          for (let i = 0; i < bw; i++) sum += gray[screen[p + i]!]!;
          p += bw;
          sums[ox] += sum;
        }
      }
      for (let ox = 0; ox < outWidth; ox++) {
        const area = areas[rowOut + ox]!;
        dest[rowOut + ox] = ((sums[ox]! + (area >> 1)) / area) | 0;
      }
    }
  }

  /** The stacked observation [h, w, k * c] into `out`, oldest frame first. */
  private observe(out: Uint8Array): Uint8Array {
    const k = this.options.frameStack;
    const c = this.options.channels;
    const pixels = this.outHeight * this.outWidth;
    for (let s = 0; s < k; s++) {
      const frame = this.slots[(this.oldest + s) % k]!;
      if (c === 1) {
        for (let p = 0; p < pixels; p++) out[p * k + s] = frame[p]!;
      } else {
        for (let p = 0; p < pixels; p++) for (let ch = 0; ch < c; ch++) out[(p * k + s) * c + ch] = frame[p * c + ch]!;
      }
    }
    return out;
  }

  /** Stack contents and ring position (for env snapshots). */
  saveState(): Uint8Array {
    const out = new Uint8Array(this.stack.length + 4);
    out.set(this.stack);
    new DataView(out.buffer).setUint32(this.stack.length, this.oldest, true);
    return out;
  }

  loadState(state: Uint8Array): Uint8Array {
    if (state.length !== this.stack.length + 4) throw new Error('FramePreprocessor.loadState: wrong state size');
    this.stack.set(state.subarray(0, this.stack.length));
    this.oldest = new DataView(state.buffer, state.byteOffset, state.length).getUint32(this.stack.length, true);
    return this.observe(new Uint8Array(this.size));
  }
}
