/**
 * FramePreprocessor against its written semantics, computed the plain way: each output cell is the rounded mean
 * (floor(sum / area + 1/2)) of its source pixels' palette values (the max over the two frames first when
 * max-pooling), frames stacked oldest first. Random screens, every downsample factor 1-8 and a few resizes, both
 * channel counts, with and without max-pooling: the grayscale block-average fast path and the general path must
 * both agree with it byte for byte.
 */
import { describe, expect, it } from 'vitest';
import { FramePreprocessor, type PreprocessOptions } from '../src/ale/preprocess.js';
import { NTSC_PALETTE, type Palette } from '../src/tia/palette.js';
import { Mt19937 } from '@vinegym/rng';

const WIDTH = 160;

function cellBounds(source: number, out: number, factor: number): number[] {
  const b: number[] = [];
  for (let i = 0; i <= out; i++) b.push(factor > 0 ? i * factor : Math.floor((i * source) / out));
  for (let i = 1; i <= out; i++) if (b[i]! <= b[i - 1]!) b[i] = b[i - 1]! + 1;
  return b;
}

function plainFrame(screen: Uint8Array, previous: Uint8Array | null, palette: Palette, o: PreprocessOptions): number[] {
  const [oh, ow] = o.resize ?? [Math.floor(o.height / o.downsample), Math.floor(WIDTH / o.downsample)];
  const factor = o.resize ? 0 : o.downsample;
  const rows = cellBounds(o.height, oh, factor);
  const cols = cellBounds(WIDTH, ow, factor);
  const value = (index: number, ch: number) => (o.channels === 1 ? palette.gray[index]! : palette.rgb[index * 3 + ch]!);
  const out: number[] = [];
  for (let oy = 0; oy < oh; oy++) {
    for (let ox = 0; ox < ow; ox++) {
      for (let ch = 0; ch < o.channels; ch++) {
        if (rows[oy + 1]! > o.height) {
          out.push(0);
          continue;
        }
        let sum = 0;
        let area = 0;
        for (let y = rows[oy]!; y < rows[oy + 1]!; y++) {
          for (let x = cols[ox]!; x < cols[ox + 1]!; x++) {
            let v = value(screen[y * WIDTH + x]!, ch);
            if (o.maxPool && previous) v = Math.max(v, value(previous[y * WIDTH + x]!, ch));
            sum += v;
            area++;
          }
        }
        out.push(Math.floor(sum / area + 0.5));
      }
    }
  }
  return out;
}

function randomScreen(rng: Mt19937, height: number): Uint8Array {
  const screen = new Uint8Array(WIDTH * height);
  // Runs of one colour, as on a real screen, with single odd pixels.
  let colour = 0;
  for (let i = 0; i < screen.length; i++) {
    if (rng.next() % 7 === 0) colour = rng.next() & 0xfe;
    screen[i] = rng.next() % 29 === 0 ? rng.next() & 0xff : colour;
  }
  return screen;
}

const CONFIGS: PreprocessOptions[] = [];
for (const channels of [1, 3] as const) {
  for (const maxPool of [false, true]) {
    for (let downsample = 1; downsample <= 8; downsample++) {
      CONFIGS.push({ channels, height: 210, downsample, resize: null, maxPool, frameStack: 3 });
    }
    for (const resize of [
      [84, 84],
      [110, 84],
      [250, 160],
    ] as [number, number][]) {
      CONFIGS.push({ channels, height: 210, downsample: 1, resize, maxPool, frameStack: 2 });
    }
    CONFIGS.push({ channels, height: 250, downsample: 4, resize: null, maxPool, frameStack: 4 });
  }
}

describe('FramePreprocessor', () => {
  it.each(CONFIGS.map((o) => [JSON.stringify(o), o] as const))(
    'equals the plain area average and stack: %s',
    (_, o) => {
      const rng = new Mt19937(CONFIGS.indexOf(o) + 1);
      const pre = new FramePreprocessor(o);
      const frames: number[][] = [];
      let previous = randomScreen(rng, o.height);
      let screen = randomScreen(rng, o.height);
      let obs = pre.reset(screen, NTSC_PALETTE);
      frames.push(...Array.from({ length: o.frameStack }, () => plainFrame(screen, null, NTSC_PALETTE, o)));
      for (let step = 0; step < 5; step++) {
        const expectedFrames = frames.slice(-o.frameStack);
        const frameSize = expectedFrames[0]!.length / o.channels;
        const expected = new Uint8Array(obs.length);
        // [h, w, k * c]: per pixel, the frames oldest first, each with its channels.
        for (let p = 0; p < frameSize; p++) {
          for (let s = 0; s < o.frameStack; s++) {
            for (let ch = 0; ch < o.channels; ch++)
              expected[(p * o.frameStack + s) * o.channels + ch] = expectedFrames[s]![p * o.channels + ch]!;
          }
        }
        expect(Buffer.from(obs).equals(Buffer.from(expected))).toBe(true);
        previous = screen;
        screen = randomScreen(rng, o.height);
        obs = pre.push(screen, previous, NTSC_PALETTE);
        frames.push(plainFrame(screen, previous, NTSC_PALETTE, o));
      }
    },
  );
});
