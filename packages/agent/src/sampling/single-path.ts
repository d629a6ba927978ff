/**
 * Single-path sampling (paper §4.1): run π_θold in every env slot at once, one batched forward per step, and keep
 * whole trajectories per env. Envs run in same_step autoreset mode so every step is a real transition; the
 * terminal observation of a time-limit truncation comes back with the step and is bootstrapped.
 * Episodes continue across iterations; a trajectory cut by the end of the batch is bootstrapped from V(s_T).
 * If a remote env is interrupted (its server went away), the partial batch is thrown away, every env is reset and
 * the batch is collected again on the envs that are live (a server that stays away sits out, see recovery.ts).
 */
import { EnvInterruptedError } from '../env/interruption.js';
import type { VectorEnv } from '../env/vector-env.js';
import type { ObservationNormalizer } from '../math/normalizer.js';
import type { NoiseSource } from '@vinegym/rng';
import type { Policy } from '../policies/policy.js';
import { EpisodeTracker } from './episode-tracker.js';
import { MAX_BATCH_RESTARTS, liveEnvs } from './recovery.js';
import { concatenate, VectorPathRecorder, type PathBatch } from './path-batch.js';
import type { SpaceAdapter } from './space-adapter.js';

export interface SinglePathSamplerOptions {
  envs: VectorEnv[];
  adapter: SpaceAdapter;
  normalizer: ObservationNormalizer | null;
  noise: NoiseSource;
  /** Seed of the first reset; env i of vector env k gets seed + offset. */
  seed: number;
}

interface Slot {
  env: VectorEnv;
  /** Current raw observations of this vector env, rows. */
  obs: Float32Array | null;
  tracker: EpisodeTracker;
  /** Index of this vector env's first env among all env slots (its reset seeds are seed + offset + i). */
  offset: number;
  /** Resets since the first one; later resets get other seeds so that they do not replay the first episodes. */
  resets: number;
}

export class SinglePathSampler {
  private readonly slots: Slot[];
  /** Which vector envs stayed lost after their last reconnection attempts. */
  private readonly lost: boolean[];
  /** Batches collected again after an interruption, over the sampler's life. */
  restarts = 0;

  constructor(private readonly options: SinglePathSamplerOptions) {
    this.slots = [];
    this.lost = [];
    this.addNewEnvs();
  }

  /** Gives envs appended to `options.envs` since the last call (servers found by discovery) their slots. */
  private addNewEnvs(): void {
    for (const env of this.options.envs.slice(this.slots.length)) {
      const last = this.slots.at(-1);
      const offset = last ? last.offset + last.env.numEnvs : 0;
      this.slots.push({ env, obs: null, tracker: new EpisodeTracker(env.numEnvs), offset, resets: 0 });
      this.lost.push(false);
    }
  }

  get numEnvs(): number {
    return this.slots.reduce((sum, slot) => sum + slot.env.numEnvs, 0);
  }

  /**
   * Collects at least `minSteps` steps: ceil(minSteps / live env slots) steps in every live env. An interruption
   * discards the partial batch and restarts it from freshly reset envs.
   */
  async collect(policy: Policy, minSteps: number): Promise<PathBatch> {
    for (let attempt = 0; ; attempt++) {
      const indices = await liveEnvs(this.options.envs, this.lost);
      this.addNewEnvs();
      const live = indices.map((k) => this.slots[k]);
      try {
        return await this.collectFrom(live, policy, minSteps);
      } catch (err) {
        if (!(err instanceof EnvInterruptedError) || attempt >= MAX_BATCH_RESTARTS) throw err;
        this.restarts++;
        for (const slot of this.slots) {
          slot.obs = null;
          slot.tracker = new EpisodeTracker(slot.env.numEnvs);
        }
      }
    }
  }

  private async collectFrom(slots: Slot[], policy: Policy, minSteps: number): Promise<PathBatch> {
    const { adapter, normalizer, noise } = this.options;
    const horizon = Math.ceil(minSteps / slots.reduce((sum, slot) => sum + slot.env.numEnvs, 0));
    await this.resetIfNeeded(slots);
    const recorders = slots.map((slot) => new VectorPathRecorder(slot.env.numEnvs, horizon, adapter, normalizer));
    for (let t = 0; t < horizon; t++) {
      // Act for every vector env in order before stepping them all: the noise is drawn in a fixed order, so the
      // run is reproducible whatever order remote servers answer in.
      const observed = slots.map((slot) => {
        const raw = slot.obs!;
        const obs = normalizer ? normalizer.normalize(raw) : raw;
        return { raw, obs, act: policy.act(obs, noise) };
      });
      const results = await Promise.all(
        slots.map((slot, k) => slot.env.step(adapter.envActions(observed[k].act.actions, slot.env.numEnvs))),
      );
      slots.forEach((slot, k) => {
        const { raw, obs, act } = observed[k];
        slot.obs = recorders[k].record(raw, obs, act, adapter.decodeStep(results[k]), slot.tracker);
      });
    }
    const batch = concatenate(recorders.flatMap((r) => r.build()));
    for (const slot of slots) {
      const { returns, lengths } = slot.tracker.drain();
      batch.episodeReturns.push(...returns);
      batch.episodeLengths.push(...lengths);
    }
    return batch;
  }

  /** Resets the vector envs that have no current observation (the first batch of a run, or after an interruption). */
  private async resetIfNeeded(slots: Slot[]): Promise<void> {
    for (const slot of slots) {
      if (slot.obs === null) {
        const reset = await slot.env.reset({ seed: this.options.seed + slot.offset + 1_000_033 * slot.resets++ });
        slot.obs = this.options.adapter.decodeReset(reset);
      }
    }
  }
}
