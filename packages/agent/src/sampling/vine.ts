/**
 * Vine sampling (paper §4.2). Each iteration:
 *  1. trunk: run π_θold in all env slots and snapshot N states chosen uniformly from the visited ones (the rollout set);
 *  2. for each state s_n, choose K actions a_{n,k} ~ q(·|s_n) (π_θold, or every action once for discrete spaces);
 *  3. estimate Q(s_n, a_{n,k}) by restoring s_n, taking a_{n,k}, then following π_θold for the rest of the rollout;
 *     the K rollouts of a state share the env's RNG (same snapshot) and the policy's noise (same seed): common
 *     random numbers, so Q differences reflect the actions rather than the luck;
 *  4. advantages: Q minus the mean Q of the state's K actions.
 * Rollouts are spread over every slot of every vector env (and so over every server); the trunk's own state is
 * snapshotted and restored around them so trajectories continue across iterations.
 * If a remote env is interrupted, every lost env is reconnected (vine needs all of them: snapshots live on their
 * server), the trunks are reset and the iteration's sampling starts over.
 */
import { VinegymError, type StepResult } from '@vinegym/protocol';
import { EnvInterruptedError } from '../env/interruption.js';
import type { VectorEnv } from '../env/vector-env.js';
import type { ObservationNormalizer } from '../math/normalizer.js';
import { Rng, type NoiseSource } from '@vinegym/rng';
import type { ActResult, Policy } from '../policies/policy.js';
import type { VineConfig } from '../config/sections.js';
import { EpisodeTracker, drainEpisodes } from './episode-tracker.js';
import { concatenate, VectorPathRecorder, type PathBatch } from './path-batch.js';
import { MAX_BATCH_RESTARTS, recoverAll } from './recovery.js';
import { RowNoise } from './row-noise.js';
import type { SpaceAdapter } from './space-adapter.js';
import { StepPipeline } from './step-pipeline.js';

export interface VineBatch {
  /** Normalized observation of the rollout-set state of each (state, action) pair, rows. */
  obs: Float32Array;
  actions: Float32Array | Int32Array;
  /** log q(a|s) of the sampling distribution (the denominator of the importance ratio, eq. 29). */
  oldLogProbs: Float32Array;
  /** Q̂(s_n, a_{n,k}) − mean_k Q̂(s_n, ·). */
  advantages: Float32Array;
  qValues: Float32Array;
  /** The rollout-set state (0 .. N−1) of each pair, for self-normalized importance sampling. */
  stateIndex: Int32Array;
  /** Number of rollout-set states. */
  numStates: number;
  /**
   * Where each rollout stopped short of a terminal state (cut at rolloutLength, or by the time limit): the
   * normalized observation there (rows) and γ^length; discount 0 for rollouts that ended in a terminal state.
   * Q̂ + discount · V(observation) bootstraps the rollout's tail with a value function.
   */
  tailObs: Float32Array;
  tailDiscount: Float32Array;
  /**
   * The trunk as on-policy paths: its states are the distribution the KL constraint may be estimated on, its
   * raw observations update the normalizer, and it is the value function's training data.
   */
  trunk: PathBatch;
  /** Every simulator step this iteration took: trunk plus all rollout slots. */
  steps: number;
  episodeReturns: number[];
  episodeLengths: number[];
}

export interface VineSamplerOptions {
  envs: VectorEnv[];
  adapter: SpaceAdapter;
  normalizer: ObservationNormalizer | null;
  rng: Rng;
  seed: number;
  gamma: number;
  config: VineConfig;
  /**
   * Wait for every env's step before acting for any, and for snapshots and restores before stepping (the order
   * before latency hiding; same results). Default false: pipelined.
   */
  lockstep?: boolean;
}

interface RolloutState {
  snapshot: Uint8Array;
  obs: Float32Array;
}

/** What one env slot is doing in step 3: rollout `job` (−1 = idle), at step t of it. */
interface RolloutSlot {
  job: number;
  t: number;
  discountedReturn: number;
  noise: NoiseSource;
}

/** Noise for idle slots: they step along (a vector env steps all its slots) but their actions are ignored. */
const IDLE_NOISE: NoiseSource = { uniform: () => 0.5, normal: () => 0 };

interface RolloutJob {
  state: number;
  action: Float32Array | Int32Array;
  logQ: number;
  /** Seed of the policy noise after the first action; equal for the K jobs of one state. */
  noiseSeed: number;
}

export class VineSampler {
  private readonly trunkObs: (Float32Array | null)[];
  private readonly trackers: EpisodeTracker[];

  private readonly options: VineSamplerOptions;

  constructor(options: VineSamplerOptions) {
    // The vine steps its envs in lockstep and waits for every one of them after an interruption: it keeps the envs
    // it was given, also when discovery appends more to the caller's list later.
    this.options = { ...options, envs: [...options.envs] };
    for (const env of options.envs) {
      if (!env.spec.snapshot_supported) {
        throw new VinegymError(
          'NOT_SUPPORTED',
          `the vine sampler needs the 'snapshot' capability, but ${env.spec.env_id} on this server does not support snapshots`,
        );
      }
    }
    this.trunkObs = options.envs.map(() => null);
    this.trackers = options.envs.map((env) => new EpisodeTracker(env.numEnvs));
  }

  async collect(policy: Policy): Promise<VineBatch> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.collectOnce(policy);
      } catch (err) {
        if (!(err instanceof EnvInterruptedError) || attempt >= MAX_BATCH_RESTARTS) throw err;
        await recoverAll(this.options.envs);
        this.trunkObs.fill(null);
        this.trackers.forEach((_, k) => (this.trackers[k] = new EpisodeTracker(this.options.envs[k].numEnvs)));
      }
    }
  }

  private async collectOnce(policy: Policy): Promise<VineBatch> {
    const trunk = await this.runTrunk(policy);
    const jobs = this.chooseActions(policy, trunk.states);
    const rollouts = await this.estimateQ(policy, trunk.states, jobs);
    return this.assemble(trunk, jobs, rollouts);
  }

  private get slotCounts(): number[] {
    return this.options.envs.map((env) => env.numEnvs);
  }

  /** Step 1: trunk trajectories in every slot, snapshotting the states picked for the rollout set. */
  private async runTrunk(policy: Policy) {
    const { envs, adapter, normalizer, rng, config } = this.options;
    const totalSlots = this.slotCounts.reduce((a, b) => a + b, 0);
    const horizon = Math.ceil(config.trunkSteps / totalSlots);
    const picks = pickRolloutSet(rng, horizon * totalSlots, Math.min(config.rolloutSetSize, horizon * totalSlots));
    const states: RolloutState[] = [];
    await Promise.all(
      envs.map(async (env, k) => {
        if (this.trunkObs[k] === null) {
          const reset = await env.reset({ seed: this.options.seed + this.slotOffset(k) });
          this.trunkObs[k] = adapter.decodeReset(reset);
        }
      }),
    );
    const recorders = envs.map((env) => new VectorPathRecorder(env.numEnvs, horizon, adapter, normalizer));
    // Snapshot, act and step round robin over the envs (StepPipeline, as in the single-path sampler): a snapshot
    // travels ahead of the step after it (a server answers a connection's requests in order), each env's step is
    // awaited only at its next turn, and the noise is drawn in env order, whatever order servers answer in.
    const pipeline = new StepPipeline<StepResult>(envs.length, this.options.lockstep);
    const pendingStates: { snapshots: Promise<Uint8Array[]>; rows: Float32Array[] }[] = [];
    const current: { raw: Float32Array; obs: Float32Array }[] = [];
    const acts: ActResult[] = [];
    try {
      for (let t = 0; t <= horizon; t++) {
        await pipeline.round({
          receive: (k, result) => {
            const { raw, obs } = current[k];
            this.trunkObs[k] = recorders[k].record(raw, obs, acts[k], adapter.decodeStep(result), this.trackers[k]);
          },
          prepare: (k) => {
            if (t === horizon) return;
            const raw = this.trunkObs[k]!;
            const obs = normalizer ? normalizer.normalize(raw) : raw;
            current[k] = { raw, obs };
            const chosen = range(envs[k].numEnvs).filter((i) => picks.has(t * totalSlots + this.slotOffset(k) + i));
            if (chosen.length === 0) return;
            const snapshots = envs[k].snapshot(chosen);
            pipeline.sendAhead(k, snapshots);
            pendingStates.push({
              snapshots,
              rows: chosen.map((i) => obs.slice(i * adapter.obsSize, (i + 1) * adapter.obsSize)),
            });
          },
          send: (k) => {
            if (t === horizon) return;
            acts[k] = policy.act(current[k].obs, rng);
            pipeline.send(k, envs[k].step(adapter.envActions(acts[k].actions, envs[k].numEnvs)));
          },
        });
      }
    } finally {
      await pipeline.settle();
    }
    for (const { snapshots, rows } of pendingStates) {
      const bytes = await snapshots;
      rows.forEach((row, j) => states.push({ snapshot: bytes[j], obs: row }));
    }
    const paths = {
      ...concatenate(recorders.flatMap((r) => r.build())),
      ...drainEpisodes(
        this.trackers,
        envs.map((_, k) => this.slotOffset(k)),
      ),
    };
    return { states, paths };
  }

  /** Step 2: K actions per state from q. */
  private chooseActions(policy: Policy, states: RolloutState[]): RolloutJob[] {
    const { adapter, rng, config } = this.options;
    const perState =
      config.actionsPerState === 'auto' ? (adapter.actionKind === 'categorical' ? 'all' : 4) : config.actionsPerState;
    if (perState === 'all' && adapter.actionKind !== 'categorical')
      throw new RangeError("vine actionsPerState 'all' needs a discrete action space");
    const jobs: RolloutJob[] = [];
    for (let n = 0; n < states.length; n++) {
      const noiseSeed = rng.nextUint32();
      if (perState === 'all') {
        for (let a = 0; a < adapter.actionSize; a++) {
          jobs.push({ state: n, action: Int32Array.of(a), logQ: -Math.log(adapter.actionSize), noiseSeed });
        }
      } else {
        const repeated = new Float32Array(perState * adapter.obsSize);
        for (let k = 0; k < perState; k++) repeated.set(states[n].obs, k * adapter.obsSize);
        const act = policy.act(repeated, rng);
        const per = act.actions.length / perState;
        for (let k = 0; k < perState; k++) {
          jobs.push({ state: n, action: act.actions.slice(k * per, (k + 1) * per), logQ: act.logProbs[k], noiseSeed });
        }
      }
    }
    return jobs;
  }

  /**
   * Step 3: Q̂ by rollouts from restored states. Every slot of every env works through a shared queue of rollouts:
   * when one ends, the slot is restored to the next pending state at once, so slots idle only at the very end.
   */
  private async estimateQ(policy: Policy, states: RolloutState[], jobs: RolloutJob[]) {
    const { envs, adapter, normalizer, gamma, config } = this.options;
    const d = adapter.obsSize;
    const drawsPerRow = adapter.actionKind === 'gaussian' ? adapter.actionSize : 1;
    const qValues = new Float32Array(jobs.length);
    const tailObs = new Float32Array(jobs.length * d);
    const tailDiscount = new Float32Array(jobs.length);
    const slots: RolloutSlot[][] = envs.map((env) =>
      range(env.numEnvs).map(() => ({ job: -1, t: 0, discountedReturn: 0, noise: IDLE_NOISE })),
    );
    const obs = envs.map((env) => new Float32Array(env.numEnvs * d));
    const normalizeRow = (raw: Float32Array) => (normalizer ? normalizer.normalize(raw) : raw);
    let nextJob = 0;
    let steps = 0;
    const pipeline = new StepPipeline<StepResult>(envs.length, this.options.lockstep);
    // The trunk's own states, to put back after the rollouts; the snapshots travel ahead of the first restores.
    const trunkSnapshots = envs.map((env, k) => {
      const request = env.snapshot(range(env.numEnvs));
      pipeline.sendAhead(k, request);
      return request;
    });
    // Assignment is synchronous and in slot order, so which slot runs which rollout never depends on timing. The
    // restore is not awaited: it travels ahead of the slot's env's next step, which the server answers after it.
    const assign = (k: number, i: number): void => {
      const slot = slots[k][i];
      if (nextJob >= jobs.length) {
        slot.job = -1;
        return;
      }
      const job = jobs[nextJob];
      Object.assign(slot, { job: nextJob++, t: 0, discountedReturn: 0, noise: new Rng(job.noiseSeed) });
      obs[k].set(states[job.state].obs, i * d);
      pipeline.sendAhead(k, envs[k].restore(i, states[job.state].snapshot));
    };
    /** Rewards, ends and the next rollout for env k's slots after its step. */
    const advance = (k: number, result: StepResult): void => {
      steps += envs[k].numEnvs;
      const step = adapter.decodeStep(result);
      const next = normalizer ? normalizer.normalize(step.obs) : step.obs;
      slots[k].forEach((slot, i) => {
        if (slot.job < 0) return;
        slot.discountedReturn += gamma ** slot.t * step.rewards[i];
        slot.t += 1;
        const terminated = step.terminated[i];
        const timeLimit = step.truncated[i];
        if (terminated || timeLimit || slot.t === config.rolloutLength) {
          qValues[slot.job] = slot.discountedReturn;
          if (!terminated) {
            // same_step autoreset: after a time limit the observation is the next episode's; the tail's is final.
            const finalObs = timeLimit ? step.finalObservation(i) : null;
            const tail = finalObs ? normalizeRow(finalObs) : next.subarray(i * d, (i + 1) * d);
            tailObs.set(tail, slot.job * d);
            tailDiscount[slot.job] = gamma ** slot.t;
          }
          assign(k, i);
        } else {
          obs[k].set(next.subarray(i * d, (i + 1) * d), i * d);
        }
      });
    };
    try {
      envs.forEach((env, k) => range(env.numEnvs).forEach((i) => assign(k, i)));
      // Round robin over the envs, in env order, as in lockstep: env k's answer is awaited only at its next turn,
      // so the rollouts of all servers are in flight together. Each slot draws from its own noise stream.
      for (let busy = true; busy;) {
        busy = false;
        await pipeline.round({
          receive: advance,
          send: (k) => {
            if (!slots[k].some((slot) => slot.job >= 0)) return;
            busy = true;
            const env = envs[k];
            const chosen = policy.act(
              obs[k],
              new RowNoise(
                slots[k].map((slot) => slot.noise),
                drawsPerRow,
              ),
            ).actions;
            const per = chosen.length / env.numEnvs;
            slots[k].forEach((slot, i) => {
              if (slot.job >= 0 && slot.t === 0) chosen.set(jobs[slot.job].action as never, i * per);
            });
            pipeline.send(k, env.step(adapter.envActions(chosen, env.numEnvs)));
          },
        });
      }
      const saved = await Promise.all(trunkSnapshots);
      await Promise.all(envs.flatMap((env, k) => saved[k].map((snapshot, i) => env.restore(i, snapshot))));
    } finally {
      await pipeline.settle();
    }
    return { qValues, tailObs, tailDiscount, steps };
  }

  /** Step 4: the (state, action) pairs with advantages Q − mean_k Q. */
  private assemble(
    trunk: { states: RolloutState[]; paths: PathBatch },
    jobs: RolloutJob[],
    rollouts: { qValues: Float32Array; tailObs: Float32Array; tailDiscount: Float32Array; steps: number },
  ): VineBatch {
    const { adapter } = this.options;
    const d = adapter.obsSize;
    const obs = new Float32Array(jobs.length * d);
    const per = jobs[0]?.action.length ?? 1;
    const actions =
      adapter.actionKind === 'gaussian' ? new Float32Array(jobs.length * per) : new Int32Array(jobs.length * per);
    const oldLogProbs = new Float32Array(jobs.length);
    jobs.forEach((job, j) => {
      obs.set(trunk.states[job.state].obs, j * d);
      actions.set(job.action as never, j * per);
      oldLogProbs[j] = job.logQ;
    });
    const stateIndex = Int32Array.from(jobs, (job) => job.state);
    const { qValues, tailObs, tailDiscount, steps } = rollouts;
    return {
      obs,
      actions,
      oldLogProbs,
      advantages: vineAdvantages(qValues, stateIndex, trunk.states.length),
      qValues,
      stateIndex,
      numStates: trunk.states.length,
      tailObs,
      tailDiscount,
      trunk: trunk.paths,
      steps: trunk.paths.steps + steps,
      episodeReturns: trunk.paths.episodeReturns,
      episodeLengths: trunk.paths.episodeLengths,
    };
  }

  private slotOffset(k: number): number {
    return this.slotCounts.slice(0, k).reduce((a, b) => a + b, 0);
  }
}

/** N distinct positions out of `total`, uniformly (partial Fisher–Yates). */
function pickRolloutSet(rng: Rng, total: number, n: number): Set<number> {
  const order = rng.permutation(total);
  return new Set(order.subarray(0, n));
}

/** §4.2's variance reduction: each Q̂(s_n, a_{n,k}) minus the mean Q̂ of the K actions tried at s_n. */
export function vineAdvantages(qValues: Float32Array, stateIndex: Int32Array, numStates: number): Float32Array {
  const sum = new Float64Array(numStates);
  const count = new Float64Array(numStates);
  stateIndex.forEach((n, j) => {
    sum[n] += qValues[j];
    count[n] += 1;
  });
  return qValues.map((q, j) => q - sum[stateIndex[j]] / count[stateIndex[j]]);
}

function range(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i);
}
