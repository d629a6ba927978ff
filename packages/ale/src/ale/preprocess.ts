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
  private readonly rows: Int32Array;
  private readonly cols: Int32Array;
  private readonly frameSize: number;
  private readonly current: Uint8Array;
  private readonly pooled: Uint8Array;
  /** Ring of the last k processed frames and the index of the oldest. */
  private readonly stack: Uint8Array;
  private oldest = 0;

  constructor(private readonly options: PreprocessOptions) {
    const { height, downsample, resize, channels, frameStack } = options;
    if (resize) {
      [this.outHeight, this.outWidth] = resize;
      this.rows = boundaries(height, this.outHeight, 0);
      this.cols = boundaries(WIDTH, this.outWidth, 0);
    } else {
      this.outHeight = Math.floor(height / downsample);
      this.outWidth = Math.floor(WIDTH / downsample);
      this.rows = boundaries(height, this.outHeight, downsample);
      this.cols = boundaries(WIDTH, this.outWidth, downsample);
    }
    this.frameSize = this.outHeight * this.outWidth * channels;
    this.current = new Uint8Array(height * WIDTH * channels);
    this.pooled = new Uint8Array(height * WIDTH * channels);
    this.stack = new Uint8Array(this.frameSize * frameStack);
    const depth = channels * frameStack;
    this.shape = depth === 1 ? [this.outHeight, this.outWidth] : [this.outHeight, this.outWidth, depth];
  }

  /** Start of an episode: every stack slot gets the first frame. */
  reset(screen: Uint8Array, palette: Palette): Uint8Array {
    const frame = this.process(screen, null, palette);
    for (let i = 0; i < this.options.frameStack; i++) this.stack.set(frame, i * this.frameSize);
    this.oldest = 0;
    return this.observation();
  }

  /** After a step: `screen` is the last emulated frame, `previous` the one before (for max-pooling). */
  push(screen: Uint8Array, previous: Uint8Array | null, palette: Palette): Uint8Array {
    const frame = this.process(screen, previous, palette);
    this.stack.set(frame, this.oldest * this.frameSize);
    this.oldest = (this.oldest + 1) % this.options.frameStack;
    return this.observation();
  }

  private colorize(screen: Uint8Array, palette: Palette, out: Uint8Array): void {
    const n = this.options.height * WIDTH;
    if (this.options.channels === 1) {
      const gray = palette.gray;
      for (let i = 0; i < n; i++) out[i] = gray[screen[i]!]!;
    } else {
      const rgb = palette.rgb;
      for (let i = 0, o = 0; i < n; i++, o += 3) {
        const p = screen[i]! * 3;
        out[o] = rgb[p]!;
        out[o + 1] = rgb[p + 1]!;
        out[o + 2] = rgb[p + 2]!;
      }
    }
  }

  /** One frame: colours, optional max-pool, box average into a fresh [outH, outW, c] array. */
  private process(screen: Uint8Array, previous: Uint8Array | null, palette: Palette): Uint8Array {
    const c = this.options.channels;
    this.colorize(screen, palette, this.current);
    if (this.options.maxPool && previous) {
      this.colorize(previous, palette, this.pooled);
      const cur = this.current;
      const prev = this.pooled;
      for (let i = 0; i < cur.length; i++) if (prev[i]! > cur[i]!) cur[i] = prev[i]!;
    }
    const out = new Uint8Array(this.frameSize);
    const src = this.current;
    const rows = this.rows;
    const cols = this.cols;
    for (let oy = 0; oy < this.outHeight; oy++) {
      for (let ox = 0; ox < this.outWidth; ox++) {
        const area = (rows[oy + 1]! - rows[oy]!) * (cols[ox + 1]! - cols[ox]!);
        for (let ch = 0; ch < c; ch++) {
          let sum = 0;
          for (let y = rows[oy]!; y < rows[oy + 1]!; y++) {
            for (let x = cols[ox]!; x < cols[ox + 1]!; x++) sum += src[(y * WIDTH + x) * c + ch]!;
          }
          out[(oy * this.outWidth + ox) * c + ch] = Math.floor((sum + (area >> 1)) / area);
        }
      }
    }
    return out;
  }

  /** The stacked observation [h, w, k * c], oldest frame first. */
  private observation(): Uint8Array {
    const k = this.options.frameStack;
    const c = this.options.channels;
    const pixels = this.outHeight * this.outWidth;
    const out = new Uint8Array(pixels * k * c);
    for (let s = 0; s < k; s++) {
      const frame = ((this.oldest + s) % k) * this.frameSize;
      for (let p = 0; p < pixels; p++) {
        for (let ch = 0; ch < c; ch++) out[(p * k + s) * c + ch] = this.stack[frame + p * c + ch]!;
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
    return this.observation();
  }
}
