/**
 * Single-path sampling (paper §4.1): run π_θold in every env slot at once, one batched forward per step, and keep
 * whole trajectories per env. Envs run in same_step autoreset mode so every step is a real transition; the
 * terminal observation of a time-limit truncation comes back in `final_observations` and is bootstrapped.
 * Episodes continue across iterations; a trajectory cut by the end of the batch is bootstrapped from V(s_T).
 * If a remote env is interrupted (its server went away), the partial batch is thrown away, every env is reset and
 * the batch is collected again on the envs that are live (a server that stays away sits out, see recovery.ts).
 */
import { EnvInterruptedError } from '../env/interruption.js';
import type { VectorEnv } from '../env/vector-env.js';
import type { ObservationNormalizer } from '../math/normalizer.js';
import type { NoiseSource } from '../math/rng.js';
import type { Policy } from '../policies/policy.js';
import { EpisodeTracker } from './episode-tracker.js';
import { MAX_BATCH_RESTARTS, liveEnvs } from './recovery.js';
import type { SpaceAdapter } from './space-adapter.js';

/** Steps of all envs laid out env by env, so each env's steps are one consecutive stream. */
export interface PathBatch {
  /** Normalized observations the policy acted on, row-major (steps × obsSize). */
  obs: Float32Array;
  /** Raw observations, for updating the normalizer after the iteration. */
  rawObs: Float32Array;
  actions: Float32Array | Int32Array;
  logProbs: Float32Array;
  rewards: Float32Array;
  terminated: Uint8Array;
  /** Truncated by the time limit or by the end of the batch. */
  truncated: Uint8Array;
  /** Normalized observation after each truncated step (rows), for bootstrapping; zero rows elsewhere. */
  bootstrapObs: Float32Array;
  steps: number;
  episodeReturns: number[];
  episodeLengths: number[];
}

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
    let offset = 0;
    this.slots = options.envs.map((env) => {
      const slot = { env, obs: null, tracker: new EpisodeTracker(env.numEnvs), offset, resets: 0 };
      offset += env.numEnvs;
      return slot;
    });
    this.lost = options.envs.map(() => false);
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
      const live = (await liveEnvs(this.options.envs, this.lost)).map((k) => this.slots[k]);
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
    const d = adapter.obsSize;
    await this.resetIfNeeded(slots);
    const streams = slots.map((slot) =>
      Array.from({ length: slot.env.numEnvs }, () => new StreamBuilder(horizon, d, adapter.actionKind, adapter.actionSize)),
    );
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
        const result = results[k];
        const n = slot.env.numEnvs;
        const nextRaw = adapter.observationRows(result.observations);
        const perAction = act.actions.length / n;
        for (let i = 0; i < n; i++) {
          const terminated = result.terminated.data[i] === 1;
          const timeLimit = result.truncated.data[i] === 1;
          const truncated = timeLimit || t === horizon - 1;
          let bootstrap: Float32Array | null = null;
          if (truncated && !terminated) {
            // Time limit: the final observation is in final_observations; batch end: it is the next observation.
            const finalObs = timeLimit ? result.final_observations?.[i] : null;
            const rawNext = finalObs ? adapter.observationRow(finalObs) : nextRaw.subarray(i * d, (i + 1) * d);
            bootstrap = normalizer ? normalizer.normalize(rawNext) : rawNext;
          }
          streams[k][i].push(
            obs.subarray(i * d, (i + 1) * d),
            raw.subarray(i * d, (i + 1) * d),
            act.actions.subarray(i * perAction, (i + 1) * perAction),
            act.logProbs[i],
            result.rewards.data[i],
            terminated,
            truncated,
            bootstrap,
          );
          slot.tracker.record(i, result.rewards.data[i], terminated || timeLimit);
        }
        slot.obs = nextRaw;
      });
    }
    const batch = concatenate(streams.flat().map((s) => s.build()));
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
        slot.obs = this.options.adapter.observationRows(reset.observations);
      }
    }
  }
}

/** Accumulates one env's steps into preallocated arrays. */
class StreamBuilder {
  private t = 0;
  private readonly batch: PathBatch;

  constructor(
    horizon: number,
    private readonly obsSize: number,
    actionKind: 'gaussian' | 'categorical',
    private readonly actionSize: number,
  ) {
    const actionLength = actionKind === 'gaussian' ? horizon * actionSize : horizon;
    this.batch = {
      obs: new Float32Array(horizon * obsSize),
      rawObs: new Float32Array(horizon * obsSize),
      actions: actionKind === 'gaussian' ? new Float32Array(actionLength) : new Int32Array(actionLength),
      logProbs: new Float32Array(horizon),
      rewards: new Float32Array(horizon),
      terminated: new Uint8Array(horizon),
      truncated: new Uint8Array(horizon),
      bootstrapObs: new Float32Array(horizon * obsSize),
      steps: horizon,
      episodeReturns: [],
      episodeLengths: [],
    };
    if (actionKind === 'categorical') this.actionSize = 1;
  }

  push(
    obs: Float32Array,
    rawObs: Float32Array,
    action: Float32Array | Int32Array,
    logProb: number,
    reward: number,
    terminated: boolean,
    truncated: boolean,
    bootstrapObs: Float32Array | null,
  ): void {
    const { t, obsSize, batch } = this;
    batch.obs.set(obs, t * obsSize);
    batch.rawObs.set(rawObs, t * obsSize);
    batch.actions.set(action, t * this.actionSize);
    batch.logProbs[t] = logProb;
    batch.rewards[t] = reward;
    batch.terminated[t] = terminated ? 1 : 0;
    batch.truncated[t] = truncated ? 1 : 0;
    if (bootstrapObs) batch.bootstrapObs.set(bootstrapObs, t * obsSize);
    this.t++;
  }

  build(): PathBatch {
    return this.batch;
  }
}

/** Joins per-env streams end to end (each stream stays consecutive, as GAE needs). */
export function concatenate(all: PathBatch[]): PathBatch {
  const steps = all.reduce((sum, b) => sum + b.steps, 0);
  const join = <T extends Float32Array | Int32Array | Uint8Array>(pick: (b: PathBatch) => T, make: (n: number) => T): T => {
    const out = make(all.reduce((sum, b) => sum + pick(b).length, 0));
    let offset = 0;
    for (const b of all) {
      out.set(pick(b) as never, offset);
      offset += pick(b).length;
    }
    return out;
  };
  const gaussian = all[0].actions instanceof Float32Array;
  return {
    obs: join((b) => b.obs, (n) => new Float32Array(n)),
    rawObs: join((b) => b.rawObs, (n) => new Float32Array(n)),
    actions: gaussian
      ? join((b) => b.actions as Float32Array, (n) => new Float32Array(n))
      : join((b) => b.actions as Int32Array, (n) => new Int32Array(n)),
    logProbs: join((b) => b.logProbs, (n) => new Float32Array(n)),
    rewards: join((b) => b.rewards, (n) => new Float32Array(n)),
    terminated: join((b) => b.terminated, (n) => new Uint8Array(n)),
    truncated: join((b) => b.truncated, (n) => new Uint8Array(n)),
    bootstrapObs: join((b) => b.bootstrapObs, (n) => new Float32Array(n)),
    steps,
    episodeReturns: all.flatMap((b) => b.episodeReturns),
    episodeLengths: all.flatMap((b) => b.episodeLengths),
  };
}
