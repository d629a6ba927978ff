/**
 * Evaluates a trained policy from a run directory: N episodes with the deterministic policy (mean / most probable
 * action) and N with the stochastic one, optionally saving the first deterministic episode as PNG frames and/or a
 * video (any env a FrameSource can draw; see video/frame-source.ts).
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { Rng } from '@vinegym/rng';
import { trainConfig } from '../config/train-config.js';
import type { VectorEnv } from '../env/vector-env.js';
import type { Policy } from '../policies/policy.js';
import { ObservationNormalizer, type NormalizerState } from '../math/normalizer.js';
import { namedArrays } from '../run/checkpoint.js';
import { RunDirectory } from '../run/run-directory.js';
import { loadTf } from '../tf.js';
import { adapterFor, buildPolicy, closeEnvs, openEnvs, type EnvOptions } from '../train/setup.js';
import { frameProviderFor, type FrameSource } from '../video/frame-source.js';
import { VideoWriter } from '../video/video-writer.js';
import { runEpisode } from './episode.js';
import { encodePng } from './png.js';

export interface EvaluateOptions extends EnvOptions {
  runDir: string;
  episodes: number;
  /** Override the run's servers (default: the ones it trained on, or embedded). */
  servers?: string[];
  /** Directory for PNG frames of the first deterministic episode; omitted = no frames. */
  framesDir?: string;
  /** Video file (.mp4, .webm, .gif) of the first deterministic episode; omitted = no video. Needs ffmpeg. */
  videoPath?: string;
  /** Frames per second of the video (default 30). */
  fps?: number;
  seed?: number;
}

export interface EvaluationSummary {
  mode: 'deterministic' | 'stochastic';
  returns: number[];
  lengths: number[];
  mean: number;
  std: number;
}

export interface EvaluationResult {
  iteration: number;
  results: EvaluationSummary[];
  /** Frames in the video, when one was asked for. */
  videoFrames?: number;
}

export async function evaluate(options: EvaluateOptions): Promise<EvaluationResult> {
  // Fail before loading anything when the video cannot be written (no ffmpeg, bad extension).
  const video = options.videoPath === undefined ? null : VideoWriter.open(options.videoPath, { fps: options.fps });
  const { tf } = await loadTf();
  const run = await RunDirectory.open(options.runDir);
  const seed = options.seed ?? 12_345;
  // The stored config may predate the current key names: it loads through the renamed keys.
  const stored = trainConfig(run.config as Record<string, unknown>);
  const config = { ...stored, numEnvs: 1, seed, servers: options.servers ?? stored.servers.slice(0, 1) };
  const [env, ...rest] = await openEnvs(config, options);
  await closeEnvs(rest);
  const noise = new Rng(seed);
  const results: EvaluationSummary[] = [];
  let frames: FrameSource | null = null;
  let policy: Policy | null = null;
  try {
    // Pictures first: an env without frames fails here, before a policy is built.
    const wantsPictures = video !== null || (options.framesDir !== undefined && env.spec.render_supported);
    if (wantsPictures) frames = await openFrames(env, options);
    const checkpoint = await run.loadLatestCheckpoint();
    if (!checkpoint) throw new Error(`${run.path} has no checkpoint yet`);
    const adapter = adapterFor(env);
    policy = buildPolicy(tf, adapter, config);
    policy.load(namedArrays(checkpoint.state, 'policy'));
    const normalizer = config.observations.normalize ? new ObservationNormalizer(adapter.obsSize) : null;
    normalizer?.restore(checkpoint.state.normalizer as unknown as NormalizerState);
    for (const mode of ['deterministic', 'stochastic'] as const) {
      const returns: number[] = [];
      const lengths: number[] = [];
      for (let episode = 0; episode < options.episodes; episode++) {
        const recording = mode === 'deterministic' && episode === 0 && frames !== null;
        const beforeStep = recording
          ? (step: number) => savePicture(frames!, step, options.framesDir, video)
          : undefined;
        const result = await runEpisode({
          env,
          adapter,
          policy: policy!,
          normalizer,
          noise,
          deterministic: mode === 'deterministic',
          seed: seed + episode,
          beforeStep,
        });
        returns.push(result.return);
        lengths.push(result.length);
      }
      const mean = returns.reduce((a, b) => a + b, 0) / returns.length;
      const std = Math.sqrt(returns.reduce((a, b) => a + (b - mean) ** 2, 0) / returns.length);
      results.push({ mode, returns, lengths, mean, std });
    }
    const videoFrames = video ? await video.close() : undefined;
    return { iteration: checkpoint.iteration, results, videoFrames };
  } catch (error) {
    await video?.abort();
    throw error;
  } finally {
    await frames?.close();
    policy?.dispose();
    await closeEnvs([env]);
  }
}

async function openFrames(env: VectorEnv, options: EvaluateOptions): Promise<FrameSource> {
  if (options.framesDir !== undefined) await mkdir(options.framesDir, { recursive: true });
  if (options.videoPath !== undefined) await mkdir(dirname(options.videoPath), { recursive: true });
  return frameProviderFor(env).open(env, 0);
}

async function savePicture(
  frames: FrameSource,
  step: number,
  framesDir: string | undefined,
  video: VideoWriter | null,
): Promise<void> {
  const frame = await frames.frame();
  if (framesDir !== undefined)
    await writeFile(join(framesDir, `frame-${String(step).padStart(5, '0')}.png`), encodePng(frame));
  await video?.write(frame);
}
