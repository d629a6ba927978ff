/**
 * Whole-episode sampling for the episodic methods (CEM, RWR): a queue of episode jobs, each naming the policy that
 * plays it, spread over every env slot of every vector env. A slot whose episode ends takes the next job at once
 * (same_step autoreset hands it the new episode's first observation), so no slot waits for a wave to finish.
 *
 * Each step, the slots of one vector env are grouped by the policy they run and every group gets one batched
 * forward pass: with one policy (RWR) that is a single forward per step, as in the single-path sampler; with a
 * population (CEM) the number of forwards per step is the number of distinct candidates in the slots, and jobs
 * are queued candidate by candidate so a candidate's episodes sit side by side and share a forward.
 * Every run starts from a reset of all slots, so no episode begins mid-way through an earlier one. Slots left
 * idle at the end of a run still step (the protocol steps all envs together) with a null action; those
 * transitions are discarded and not counted as samples.
 *
 * Vector envs step round robin with their steps in flight (StepPipeline, as in the single-path sampler): each one's
 * step is sent as soon as its actions are chosen and its answer taken at its next turn. Actions are chosen and jobs
 * handed out in vector-env order at every step, as in lockstep, so a run is that of lockstep bit for bit.
 */
import type { StepResult } from '@vinegym/protocol';
import { EnvInterruptedError } from '../env/interruption.js';
import type { VectorEnv } from '../env/vector-env.js';
import type { ObservationNormalizer } from '../math/normalizer.js';
import type { NoiseSource } from '@vinegym/rng';
import type { Policy } from '../policies/policy.js';
import { MAX_BATCH_RESTARTS, liveEnvs } from './recovery.js';
import type { SpaceAdapter } from './space-adapter.js';
import { StepPipeline } from './step-pipeline.js';

export interface EpisodeJob {
  policy: Policy;
  /** The caller's name for the job (e.g. the CEM candidate index); copied to the episode. */
  tag: number;
}

export interface Episode {
  tag: number;
  return: number;
  length: number;
  /** With `recordTrajectories`: the normalized observations the policy saw (length × obsSize) and its actions. */
  obs?: Float32Array;
  actions?: Float32Array | Int32Array;
}

export interface EpisodeBatch {
  /** In the order they finished. */
  episodes: Episode[];
  /** Transitions that belong to the episodes (idle slots not counted). */
  steps: number;
  /** Raw observations of all those transitions, for the observation normalizer. */
  rawObs: Float32Array;
}

export interface EpisodeSamplerOptions {
  envs: VectorEnv[];
  adapter: SpaceAdapter;
  normalizer: ObservationNormalizer | null;
  noise: NoiseSource;
  /** Seed of the first run's reset; each later run resets with the next block of seeds. */
  seed: number;
  deterministic: boolean;
  recordTrajectories: boolean;
  /** Wait for every vector env's step before acting for any (the order before latency hiding; same results). */
  lockstep?: boolean;
}

/** One slot's episode in progress. */
class EpisodeInProgress {
  total = 0;
  length = 0;
  private readonly obs: number[] = [];
  private readonly actions: number[] = [];

  constructor(readonly job: EpisodeJob) {}

  record(obs: Float32Array | null, action: ArrayLike<number> | null, reward: number): void {
    this.total += reward;
    this.length += 1;
    if (obs) for (let i = 0; i < obs.length; i++) this.obs.push(obs[i]);
    if (action) for (let i = 0; i < action.length; i++) this.actions.push(action[i]);
  }

  finish(recorded: boolean, actionKind: 'gaussian' | 'categorical'): Episode {
    const episode: Episode = { tag: this.job.tag, return: this.total, length: this.length };
    if (recorded) {
      episode.obs = Float32Array.from(this.obs);
      episode.actions = actionKind === 'gaussian' ? Float32Array.from(this.actions) : Int32Array.from(this.actions);
    }
    return episode;
  }
}

export class EpisodeSampler {
  private runs = 0;
  /** Which vector envs stayed lost after their last reconnection attempts. */
  private readonly lost: boolean[];

  constructor(private readonly options: EpisodeSamplerOptions) {
    this.lost = options.envs.map(() => false);
  }

  get numEnvs(): number {
    return this.options.envs.reduce((n, env) => n + env.numEnvs, 0);
  }

  /**
   * Plays jobs until `nextJob` returns null and every started episode has ended. `nextJob` is asked whenever a
   * slot is free; it receives how many episodes were started so far, and must depend on nothing else: after an
   * interruption (a lost server) the whole batch is played again, from job 0, on the envs that are live.
   */
  async run(nextJob: (started: number) => EpisodeJob | null): Promise<EpisodeBatch> {
    for (let attempt = 0; ; attempt++) {
      const live = await liveEnvs(this.options.envs, this.lost);
      try {
        return await this.runOn(
          live.map((k) => this.options.envs[k]),
          nextJob,
        );
      } catch (err) {
        if (!(err instanceof EnvInterruptedError) || attempt >= MAX_BATCH_RESTARTS) throw err;
      }
    }
  }

  private async runOn(envs: VectorEnv[], nextJob: (started: number) => EpisodeJob | null): Promise<EpisodeBatch> {
    const { adapter, normalizer, noise, deterministic, recordTrajectories } = this.options;
    const d = adapter.obsSize;
    const perAction = adapter.actionKind === 'gaussian' ? adapter.actionSize : 1;
    let started = 0;
    const take = (): EpisodeInProgress | null => {
      const job = nextJob(started);
      if (job === null) return null;
      started++;
      return new EpisodeInProgress(job);
    };

    const seedBase = this.options.seed + this.runs++ * this.numEnvs;
    const current: Float32Array[] = [];
    let offset = 0;
    for (const env of envs) {
      current.push(adapter.decodeReset(await env.reset({ seed: seedBase + offset })));
      offset += env.numEnvs;
    }
    const slots = envs.map((env) => Array.from({ length: env.numEnvs }, () => take()));
    const episodes: Episode[] = [];
    const rawChunks: Float32Array[] = [];
    let steps = 0;

    const active = (k: number) => slots[k].some((slot) => slot !== null);
    const acted: { raw: Float32Array; obs: Float32Array; actions: Float32Array | Int32Array }[] = [];
    const pipeline = new StepPipeline<StepResult>(envs.length, this.options.lockstep);
    try {
      while (envs.some((_, k) => active(k) || pipeline.busy(k))) {
        await pipeline.round({
          // The episodes of env k take their step; those that ended hand their slot the next job.
          receive: (k, result) => {
            const { raw, obs, actions } = acted[k];
            const step = adapter.decodeStep(result);
            for (let i = 0; i < envs[k].numEnvs; i++) {
              const episode = slots[k][i];
              if (!episode) continue;
              steps++;
              rawChunks.push(raw.slice(i * d, (i + 1) * d));
              episode.record(
                recordTrajectories ? obs.subarray(i * d, (i + 1) * d) : null,
                recordTrajectories ? actions.subarray(i * perAction, (i + 1) * perAction) : null,
                step.rewards[i],
              );
              if (step.terminated[i] || step.truncated[i]) {
                episodes.push(episode.finish(recordTrajectories, adapter.actionKind));
                slots[k][i] = take();
              }
            }
            current[k] = step.obs;
          },
          // One batched forward per policy among env k's slots, in a fixed order, so the noise stream (and the
          // run) is reproducible; an env whose slots are all done steps no more.
          send: (k) => {
            if (!active(k)) return;
            const env = envs[k];
            const raw = current[k];
            const obs = normalizer ? normalizer.normalize(raw) : raw;
            const actions =
              adapter.actionKind === 'gaussian'
                ? new Float32Array(env.numEnvs * perAction)
                : new Int32Array(env.numEnvs);
            for (const [policy, rows] of groupByPolicy(slots[k])) {
              const batch = new Float32Array(rows.length * d);
              rows.forEach((row, j) => batch.set(obs.subarray(row * d, (row + 1) * d), j * d));
              const result = policy.act(batch, noise, deterministic);
              rows.forEach((row, j) =>
                actions.set(result.actions.subarray(j * perAction, (j + 1) * perAction), row * perAction),
              );
            }
            acted[k] = { raw, obs, actions };
            pipeline.send(k, env.step(adapter.envActions(actions, env.numEnvs)));
          },
        });
      }
    } finally {
      await pipeline.settle();
    }
    const rawObs = new Float32Array(steps * d);
    rawChunks.forEach((chunk, j) => rawObs.set(chunk, j * d));
    return { episodes, steps, rawObs };
  }
}

/** Rows of the active slots, per policy, in order of first appearance. */
function groupByPolicy(slots: readonly (EpisodeInProgress | null)[]): Map<Policy, number[]> {
  const groups = new Map<Policy, number[]>();
  slots.forEach((slot, row) => {
    if (!slot) return;
    const rows = groups.get(slot.job.policy);
    if (rows) rows.push(row);
    else groups.set(slot.job.policy, [row]);
  });
  return groups;
}
