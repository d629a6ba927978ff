/**
 * Single-path sampling (paper §4.1): run π_θold in every env slot at once, one batched forward per step, and keep
 * whole trajectories per env. Envs run in same_step autoreset mode so every step is a real transition; the
 * terminal observation of a time-limit truncation comes back with the step and is bootstrapped.
 * Episodes continue across iterations; a trajectory cut by the end of the batch is bootstrapped from V(s_T).
 * If a remote env is interrupted (its server went away), the partial batch is thrown away, every env is reset and
 * the batch is collected again on the envs that are live (a server that stays away sits out, see recovery.ts).
 */
import type { StepResult } from '@vinegym/protocol';
import { EnvInterruptedError } from '../env/interruption.js';
import type { VectorEnv } from '../env/vector-env.js';
import type { ObservationNormalizer } from '../math/normalizer.js';
import type { NoiseSource } from '@vinegym/rng';
import type { ActResult, Policy } from '../policies/policy.js';
import { EpisodeTracker, drainEpisodes } from './episode-tracker.js';
import { MAX_BATCH_RESTARTS, liveEnvs } from './recovery.js';
import { concatenate, VectorPathRecorder, type PathBatch } from './path-batch.js';
import type { SpaceAdapter } from './space-adapter.js';
import { StepPipeline } from './step-pipeline.js';

export interface SinglePathSamplerOptions {
  envs: VectorEnv[];
  adapter: SpaceAdapter;
  normalizer: ObservationNormalizer | null;
  noise: NoiseSource;
  /** Seed of the first reset; env i of vector env k gets seed + offset. */
  seed: number;
  /**
   * Wait for every vector env's step before acting for any (the order before latency hiding; same results).
   * Default false: pipelined.
   */
  lockstep?: boolean;
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
  /** Milliseconds the last `collect` spent choosing actions (the policy's forward passes and noise). */
  actMs = 0;

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
    this.actMs = 0;
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
    // Round robin over the vector envs (StepPipeline): each one's step goes on the wire as soon as its actions are
    // chosen and its answer is awaited only at its next turn, so the policy acts for the others while it travels.
    // Actions are chosen in vector-env order at every step, as in lockstep, so the noise (and the run) does not
    // depend on which answer comes back first.
    const pipeline = new StepPipeline<StepResult>(slots.length, this.options.lockstep);
    const acted: { raw: Float32Array; obs: Float32Array; act: ActResult }[] = [];
    try {
      for (let t = 0; t <= horizon; t++) {
        await pipeline.round({
          receive: (k, result) => {
            const { raw, obs, act } = acted[k];
            slots[k].obs = recorders[k].record(raw, obs, act, adapter.decodeStep(result), slots[k].tracker);
          },
          send: (k) => {
            if (t === horizon) return;
            const slot = slots[k];
            const raw = slot.obs!;
            const obs = normalizer ? normalizer.normalize(raw) : raw;
            const clock = performance.now();
            acted[k] = { raw, obs, act: policy.act(obs, noise) };
            this.actMs += performance.now() - clock;
            pipeline.send(k, slot.env.step(adapter.envActions(acted[k].act.actions, slot.env.numEnvs)));
          },
        });
      }
    } finally {
      await pipeline.settle();
    }
    return {
      ...concatenate(recorders.flatMap((r) => r.build())),
      ...drainEpisodes(
        slots.map((slot) => slot.tracker),
        slots.map((slot) => slot.offset),
      ),
    };
  }

  /** Resets the vector envs that have no current observation (the first batch of a run, or after an interruption). */
  private async resetIfNeeded(slots: Slot[]): Promise<void> {
    await Promise.all(
      slots.map(async (slot) => {
        if (slot.obs !== null) return;
        const reset = await slot.env.reset({ seed: this.options.seed + slot.offset + 1_000_033 * slot.resets++ });
        slot.obs = this.options.adapter.decodeReset(reset);
      }),
    );
  }
}
