/**
 * Periodic evaluation videos (`evaluation.videoEvery`): every N iterations and after the last, one episode of the
 * deterministic policy on an env slot of its own, written to `<run>/videos/iteration-<n>.<format>` and listed in
 * `<run>/videos/index.jsonl` (iteration, env steps, return, length, file), which the dashboard replays. Checked
 * before training starts (ffmpeg present, the env has frames), so a long run does not fail at its first video.
 */
import { appendFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { Rng } from '@vinegym/rng';
import type { TrainConfig } from '../config/train-config.js';
import type { VectorEnv } from '../env/vector-env.js';
import { runEpisode } from '../eval/episode.js';
import type { ObservationNormalizer } from '../math/normalizer.js';
import type { Policy } from '../policies/policy.js';
import type { SpaceAdapter } from '../sampling/space-adapter.js';
import { requireFfmpeg } from '../video/ffmpeg.js';
import { frameProviderFor, type FrameSource } from '../video/frame-source.js';
import { VideoWriter } from '../video/video-writer.js';
import { closeEnvs, openEnvs, type EnvOptions } from './setup.js';

export const VIDEOS_DIR = 'videos';
export const VIDEO_INDEX = 'index.jsonl';

/** One line of videos/index.jsonl. */
export interface VideoIndexEntry {
  iteration: number;
  env_steps: number;
  /** File name inside videos/. */
  file: string;
  return: number;
  length: number;
  frames: number;
}

/** Evaluation seeds are far from the training seeds, so the video shows an episode training never saw. */
const EVAL_SEED_OFFSET = 1_000_000_007;

export class EvaluationVideos {
  private constructor(
    private readonly runPath: string,
    private readonly config: TrainConfig,
    private readonly env: VectorEnv,
    private readonly frames: FrameSource,
  ) {}

  /** null when the config asks for no videos; throws when videos were asked for but cannot be made. */
  static async open(runPath: string, config: TrainConfig, options: EnvOptions): Promise<EvaluationVideos | null> {
    if (config.evaluation.videoEvery === null) return null;
    requireFfmpeg('--video-every');
    const [env, ...rest] = await openEnvs(
      { ...config, numEnvs: 1, seed: config.seed + EVAL_SEED_OFFSET, servers: config.servers.slice(0, 1) },
      options,
    );
    await closeEnvs(rest);
    try {
      const frames = await frameProviderFor(env).open(env, 0);
      await mkdir(join(runPath, VIDEOS_DIR), { recursive: true });
      return new EvaluationVideos(runPath, config, env, frames);
    } catch (error) {
      await closeEnvs([env]);
      throw error;
    }
  }

  /** Whether iteration `iteration` gets a video (`last`: the final iteration of the run). */
  due(iteration: number, last: boolean): boolean {
    return last || iteration % this.config.evaluation.videoEvery! === 0;
  }

  async record(
    parts: { adapter: SpaceAdapter; policy: Policy; normalizer: ObservationNormalizer | null },
    counters: { iteration: number; envSteps: number },
  ): Promise<VideoIndexEntry> {
    const { videoFormat, videoFps } = this.config.evaluation;
    const file = `iteration-${String(counters.iteration).padStart(6, '0')}.${videoFormat}`;
    const video = VideoWriter.open(join(this.runPath, VIDEOS_DIR, file), { fps: videoFps });
    try {
      const seed = this.config.seed + EVAL_SEED_OFFSET + counters.iteration;
      const episode = await runEpisode({
        ...parts,
        env: this.env,
        noise: new Rng(seed),
        deterministic: true,
        seed,
        beforeStep: async () => video.write(await this.frames.frame()),
      });
      const frames = await video.close();
      const entry: VideoIndexEntry = {
        iteration: counters.iteration,
        env_steps: counters.envSteps,
        file,
        return: episode.return,
        length: episode.length,
        frames,
      };
      await appendFile(join(this.runPath, VIDEOS_DIR, VIDEO_INDEX), `${JSON.stringify(entry)}\n`);
      return entry;
    } catch (error) {
      await video.abort();
      throw error;
    }
  }

  async close(): Promise<void> {
    await this.frames.close();
    await closeEnvs([this.env]);
  }
}
