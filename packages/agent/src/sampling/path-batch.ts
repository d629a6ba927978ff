/**
 * On-policy paths in the layout GAE needs: every env slot's steps form one consecutive stream, streams laid end
 * to end. Shared by the single-path sampler (its whole batch) and the vine sampler (its trunk).
 */
import type { ObservationNormalizer } from '../math/normalizer.js';
import type { ActResult } from '../policies/policy.js';
import type { EpisodeTracker } from './episode-tracker.js';
import type { SpaceAdapter, StepBatch } from './space-adapter.js';

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

/** The paths of one vector env's slots over `horizon` steps. */
export class VectorPathRecorder {
  private readonly streams: StreamBuilder[];
  private t = 0;

  constructor(
    private readonly numEnvs: number,
    private readonly horizon: number,
    private readonly adapter: SpaceAdapter,
    private readonly normalizer: ObservationNormalizer | null,
  ) {
    this.streams = Array.from(
      { length: numEnvs },
      () => new StreamBuilder(horizon, adapter.obsSize, adapter.actionKind, adapter.actionSize),
    );
  }

  /**
   * Records the step from observations `raw` (normalized: `obs`) with `act`; returns the next raw observations.
   * A step is truncated by the time limit (its final observation is the episode's last) or by the end of the
   * horizon (the next observation); both are bootstrapped later.
   */
  record(raw: Float32Array, obs: Float32Array, act: ActResult, step: StepBatch, tracker: EpisodeTracker): Float32Array {
    const { normalizer, numEnvs } = this;
    const d = this.adapter.obsSize;
    const nextRaw = step.obs;
    const perAction = act.actions.length / numEnvs;
    const lastStep = this.t === this.horizon - 1;
    for (let i = 0; i < numEnvs; i++) {
      const terminated = step.terminated[i];
      const timeLimit = step.truncated[i];
      const truncated = timeLimit || lastStep;
      let bootstrap: Float32Array | null = null;
      if (truncated && !terminated) {
        const finalObs = timeLimit ? step.finalObservation(i) : null;
        const rawNext = finalObs ?? nextRaw.subarray(i * d, (i + 1) * d);
        bootstrap = normalizer ? normalizer.normalize(rawNext) : rawNext;
      }
      this.streams[i].push(
        obs.subarray(i * d, (i + 1) * d),
        raw.subarray(i * d, (i + 1) * d),
        act.actions.subarray(i * perAction, (i + 1) * perAction),
        act.logProbs[i],
        step.rewards[i],
        terminated,
        truncated,
        bootstrap,
      );
      tracker.record(i, step.rewards[i], terminated || timeLimit);
    }
    this.t++;
    return nextRaw;
  }

  build(): PathBatch[] {
    return this.streams.map((s) => s.build());
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
  const join = <T extends Float32Array | Int32Array | Uint8Array>(
    pick: (b: PathBatch) => T,
    make: (n: number) => T,
  ): T => {
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
    obs: join(
      (b) => b.obs,
      (n) => new Float32Array(n),
    ),
    rawObs: join(
      (b) => b.rawObs,
      (n) => new Float32Array(n),
    ),
    actions: gaussian
      ? join(
          (b) => b.actions as Float32Array,
          (n) => new Float32Array(n),
        )
      : join(
          (b) => b.actions as Int32Array,
          (n) => new Int32Array(n),
        ),
    logProbs: join(
      (b) => b.logProbs,
      (n) => new Float32Array(n),
    ),
    rewards: join(
      (b) => b.rewards,
      (n) => new Float32Array(n),
    ),
    terminated: join(
      (b) => b.terminated,
      (n) => new Uint8Array(n),
    ),
    truncated: join(
      (b) => b.truncated,
      (n) => new Uint8Array(n),
    ),
    bootstrapObs: join(
      (b) => b.bootstrapObs,
      (n) => new Float32Array(n),
    ),
    steps,
    episodeReturns: all.flatMap((b) => b.episodeReturns),
    episodeLengths: all.flatMap((b) => b.episodeLengths),
  };
}
