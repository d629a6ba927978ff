/**
 * Videos: the ffmpeg-backed VideoWriter (mp4, webm, gif; RGB and RGBA frames), `vinegym eval --video` on real runs
 * of CartPole, Atari and MuJoCo (embedded server; MuJoCo's scene drawn in headless Chromium), the errors for envs
 * without frames and for a missing ffmpeg, and
 * periodic evaluation videos during training (`evaluation.videoEvery`). Every video is decoded again with
 * ffprobe / ffmpeg: frame count, size, and frames that change. Needs ffmpeg (skipped, saying so, without it).
 */
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { evaluate } from '../src/eval/evaluate.js';
import { train } from '../src/train/trainer.js';
import { trainConfig } from '../src/config/train-config.js';
import type { VectorEnv } from '../src/env/vector-env.js';
import { frameProviderFor } from '../src/video/frame-source.js';
import { VideoWriter, type Frame } from '../src/video/video-writer.js';
import { CHROMIUM_MISSING } from './support/browser.js';
import {
  changingFramePairs,
  decodeFrames,
  meanAbsDifference,
  probeVideo,
  VIDEO_TOOLS_MISSING,
} from './support/video-probe.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'vinegym-video-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** A white square moving right over a dark gradient, frame `t` of a clip. */
function movingSquare(t: number, width: number, height: number, channels: 3 | 4): Frame {
  const data = new Uint8Array(width * height * channels);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const inside = x >= 4 + 3 * t && x < 16 + 3 * t && y >= 10 && y < 22;
      const i = (y * width + x) * channels;
      data.set(inside ? [255, 255, 255] : [20, 40 + y, 60 + (x % 64)], i);
      if (channels === 4) data[i + 3] = 255;
    }
  }
  return { width, height, channels, data };
}

const missing = VIDEO_TOOLS_MISSING;
if (missing) console.warn(`video tests skipped: ${missing}`);

describe.skipIf(missing !== null)('VideoWriter (ffmpeg)', () => {
  for (const format of ['mp4', 'webm', 'gif'] as const) {
    it(`writes ${format}: every frame, the size, and the picture (decoded again)`, async () => {
      const path = join(dir, `square.${format}`);
      const video = VideoWriter.open(path, { fps: 25 });
      for (let t = 0; t < 12; t++) await video.write(movingSquare(t, 64, 48, 3));
      expect(await video.close()).toBe(12);
      const stream = probeVideo(path);
      expect(stream).toMatchObject({
        codec: { mp4: 'h264', webm: 'vp8', gif: 'gif' }[format],
        width: 64,
        height: 48,
        frames: 12,
      });
      const frames = decodeFrames(path, 64, 48);
      expect(frames).toHaveLength(12);
      expect(changingFramePairs(frames)).toBe(11);
      // Lossy codecs: close to what went in, far from a later frame.
      expect(meanAbsDifference(frames[0], movingSquare(0, 64, 48, 3).data)).toBeLessThan(8);
      expect(meanAbsDifference(frames[0], movingSquare(8, 64, 48, 3).data)).toBeGreaterThan(
        2 * meanAbsDifference(frames[0], movingSquare(0, 64, 48, 3).data),
      );
    });
  }

  it('takes RGBA frames, and pads odd sizes to even ones for H.264', async () => {
    const path = join(dir, 'odd.mp4');
    const video = VideoWriter.open(path);
    for (let t = 0; t < 5; t++) await video.write(movingSquare(t, 65, 49, 4));
    await video.close();
    expect(probeVideo(path)).toMatchObject({ width: 66, height: 50, frames: 5 });
  });

  it('refuses a frame of another size, and leaves no partial file after abort', async () => {
    const path = join(dir, 'bad.mp4');
    const video = VideoWriter.open(path);
    await video.write(movingSquare(0, 64, 48, 3));
    await expect(video.write(movingSquare(1, 32, 48, 3))).rejects.toThrow('frame 1 is 32×48×3, the video is 64×48×3');
    await video.abort();
    expect((await readdir(dir)).filter((name) => name.startsWith('bad.'))).toEqual([]);
  });
});

describe('video errors that need no ffmpeg', () => {
  it('says how to get ffmpeg when there is none', () => {
    const saved = process.env.VINEGYM_FFMPEG;
    process.env.VINEGYM_FFMPEG = join(dir, 'no-such-ffmpeg');
    try {
      expect(() => VideoWriter.open(join(dir, 'x.mp4'))).toThrow(
        /writing .*x\.mp4 needs ffmpeg, and VINEGYM_FFMPEG=.* is not an executable: install it \(Debian\/Ubuntu: apt-get install ffmpeg/,
      );
    } finally {
      if (saved === undefined) delete process.env.VINEGYM_FFMPEG;
      else process.env.VINEGYM_FFMPEG = saved;
    }
  });

  it('names the formats it writes', () => {
    expect(() => VideoWriter.open(join(dir, 'x.avi'))).toThrow('the file name must end in .mp4, .webm or .gif');
  });
});

/** A short real training run in `name` (one or two iterations), for eval to load. */
async function shortRun(name: string, overrides: Record<string, unknown>): Promise<string> {
  const runDir = join(dir, name);
  await train({
    config: trainConfig({ iterations: 1, totalSteps: null, numEnvs: 2, stepsPerIteration: 64, ...overrides }),
    runDir,
    progress: false,
  });
  return runDir;
}

describe.skipIf(missing !== null)('vinegym eval --video (real runs, embedded server)', () => {
  it(
    'CartPole-v1: one frame per step of the first deterministic episode, 600×400, moving',
    { timeout: 120_000 },
    async () => {
      const runDir = await shortRun('cartpole', { envId: 'CartPole-v1' });
      const videoPath = join(dir, 'cartpole.webm');
      const { results, videoFrames } = await evaluate({ runDir, episodes: 1, videoPath });
      const length = results[0].lengths[0];
      expect(videoFrames).toBe(length);
      expect(probeVideo(videoPath)).toMatchObject({ codec: 'vp8', width: 600, height: 400, frames: length });
      const frames = decodeFrames(videoPath, 600, 400);
      expect(changingFramePairs(frames)).toBeGreaterThan(length / 2);
    },
  );

  it('ALE/Pong-v5: the full-colour 210×160 screen of each step', async () => {
    // 200 frames (50 agent steps at frameskip 4) per episode keep the run and the video short.
    const envKwargs = {
      obs_type: 'grayscale',
      downsample: 4,
      frame_stack: 4,
      max_pool: true,
      repeat_action_probability: 0,
      max_num_frames_per_episode: 200,
    };
    const runDir = await shortRun('pong', { envId: 'ALE/Pong-v5', envKwargs, stepsPerIteration: 32 });
    const videoPath = join(dir, 'pong.mp4');
    const { results, videoFrames } = await evaluate({ runDir, episodes: 1, videoPath });
    expect(results[0].lengths[0]).toBe(50);
    expect(videoFrames).toBe(50);
    expect(probeVideo(videoPath)).toMatchObject({ codec: 'h264', width: 160, height: 210, frames: 50 });
    expect(changingFramePairs(decodeFrames(videoPath, 160, 210))).toBeGreaterThan(25);
  }, 240_000);

  it('Hopper-v5 (MuJoCo): 480×480 frames of the scene drawn in headless Chromium, the hopper moving', async () => {
    if (CHROMIUM_MISSING) return console.warn(`MuJoCo video test skipped: ${CHROMIUM_MISSING}`);
    const runDir = await shortRun('hopper', { envId: 'Hopper-v5' });
    const videoPath = join(dir, 'hopper.mp4');
    const { results, videoFrames } = await evaluate({ runDir, episodes: 1, videoPath });
    const length = results[0].lengths[0];
    expect(videoFrames).toBe(length);
    expect(probeVideo(videoPath)).toMatchObject({ codec: 'h264', width: 480, height: 480, frames: length });
    const frames = decodeFrames(videoPath, 480, 480);
    expect(changingFramePairs(frames)).toBeGreaterThan(length / 2);
    // Not blank: the first frame has more than one colour in quantity.
    const colours = new Set<number>();
    for (let i = 0; i < frames[0].length; i += 3 * 97)
      colours.add((frames[0][i] >> 4) * 256 + (frames[0][i + 1] >> 4) * 16 + (frames[0][i + 2] >> 4));
    expect(colours.size).toBeGreaterThan(3);
  }, 240_000);
});

describe('envs without frames', () => {
  const stub = (envId: string) =>
    ({ spec: { env_id: envId, render_supported: false, render_modes: [] } }) as unknown as VectorEnv;
  it('say why: MuJoCo served without the scene render modes, or any env that does not render', () => {
    expect(() => frameProviderFor(stub('Hopper-v5'))).toThrow(
      /^MuJoCo video needs the scene render modes \(scene, poses\), and the server of Hopper-v5 does not offer them/,
    );
    expect(() => frameProviderFor(stub('MyPlugin-v0'))).toThrow(
      'MyPlugin-v0 does not render frames (its server reports render_supported: false)',
    );
  });
});

describe.skipIf(missing !== null)('periodic evaluation videos (evaluation.videoEvery)', () => {
  it('records every N iterations and after the last, indexed in videos/index.jsonl', { timeout: 120_000 }, async () => {
    const runDir = join(dir, 'periodic');
    const config = trainConfig({
      envId: 'CartPole-v1',
      iterations: 3,
      totalSteps: null,
      numEnvs: 2,
      stepsPerIteration: 64,
      evaluation: { videoEvery: 2, videoFormat: 'gif' },
    });
    await train({ config, runDir, progress: false });
    const index = (await readFile(join(runDir, 'videos', 'index.jsonl'), 'utf8'))
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(index.map((entry) => [entry.iteration, entry.env_steps, entry.file])).toEqual([
      [2, 128, 'iteration-000002.gif'],
      [3, 192, 'iteration-000003.gif'],
    ]);
    for (const entry of index) {
      expect(entry.frames).toBe(entry.length);
      expect(probeVideo(join(runDir, 'videos', entry.file))).toMatchObject({
        codec: 'gif',
        width: 600,
        height: 400,
        frames: entry.length,
      });
    }
    expect((await readdir(join(runDir, 'videos'))).sort()).toEqual([
      'index.jsonl',
      'iteration-000002.gif',
      'iteration-000003.gif',
    ]);
  });
});
