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
 */
import { VinegymError } from '@vinegym/protocol';
import type { VectorEnv } from '../env/vector-env.js';
import type { ObservationNormalizer } from '../math/normalizer.js';
import { Rng } from '../math/rng.js';
import type { Policy } from '../policies/policy.js';
import type { VineConfig } from '../train/config.js';
import { EpisodeTracker } from './episode-tracker.js';
import { RowNoise } from './row-noise.js';
import type { SpaceAdapter } from './space-adapter.js';

export interface VineBatch {
  /** Normalized observation of the rollout-set state of each (state, action) pair, rows. */
  obs: Float32Array;
  actions: Float32Array | Int32Array;
  /** log q(a|s) of the sampling distribution (the denominator of the importance ratio, eq. 29). */
  oldLogProbs: Float32Array;
  /** Q̂(s_n, a_{n,k}) − mean_k Q̂(s_n, ·). */
  advantages: Float32Array;
  qValues: Float32Array;
  /** Raw trunk observations, for the normalizer. */
  rawObs: Float32Array;
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
}

interface RolloutState {
  snapshot: Uint8Array;
  obs: Float32Array;
}

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

  constructor(private readonly options: VineSamplerOptions) {
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
    const trunk = await this.runTrunk(policy);
    const jobs = this.chooseActions(policy, trunk.states);
    const { qValues, steps } = await this.estimateQ(policy, trunk.states, jobs);
    return this.assemble(trunk, jobs, qValues, steps);
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
    const rawRows: Float32Array[] = [];
    const states: RolloutState[] = [];
    await Promise.all(
      envs.map(async (env, k) => {
        if (this.trunkObs[k] === null) {
          const reset = await env.reset({ seed: this.options.seed + this.slotOffset(k) });
          this.trunkObs[k] = adapter.observationRows(reset.observations);
        }
      }),
    );
    for (let t = 0; t < horizon; t++) {
      // Snapshot, act, step in lockstep over the envs: the noise is drawn in env order, so runs are reproducible
      // whatever order remote servers answer in.
      const observed = envs.map((env, k) => {
        const raw = this.trunkObs[k]!;
        const chosen = range(env.numEnvs).filter((i) => picks.has(t * totalSlots + this.slotOffset(k) + i));
        return { raw, obs: normalizer ? normalizer.normalize(raw) : raw, chosen };
      });
      const snapshots = await Promise.all(envs.map((env, k) => (observed[k].chosen.length ? env.snapshot(observed[k].chosen) : [])));
      observed.forEach(({ obs, chosen }, k) =>
        chosen.forEach((i, j) => states.push({ snapshot: snapshots[k][j], obs: obs.slice(i * adapter.obsSize, (i + 1) * adapter.obsSize) })),
      );
      const actions = observed.map(({ obs }) => policy.act(obs, rng).actions);
      const results = await Promise.all(envs.map((env, k) => env.step(adapter.envActions(actions[k], env.numEnvs))));
      results.forEach((result, k) => {
        for (let i = 0; i < envs[k].numEnvs; i++) {
          this.trackers[k].record(i, result.rewards.data[i], result.terminated.data[i] === 1 || result.truncated.data[i] === 1);
        }
        rawRows.push(observed[k].raw);
        this.trunkObs[k] = adapter.observationRows(result.observations);
      });
    }
    const drained = this.trackers.map((t) => t.drain());
    return {
      states,
      rawObs: concatRows(rawRows),
      steps: horizon * totalSlots,
      episodeReturns: drained.flatMap((d) => d.returns),
      episodeLengths: drained.flatMap((d) => d.lengths),
    };
  }

  /** Step 2: K actions per state from q. */
  private chooseActions(policy: Policy, states: RolloutState[]): RolloutJob[] {
    const { adapter, rng, config } = this.options;
    const jobs: RolloutJob[] = [];
    for (let n = 0; n < states.length; n++) {
      const noiseSeed = rng.nextUint32();
      if (config.actionsPerState === 'all') {
        if (adapter.actionKind !== 'categorical') throw new RangeError("vine actionsPerState 'all' needs a discrete action space");
        for (let a = 0; a < adapter.actionSize; a++) {
          jobs.push({ state: n, action: Int32Array.of(a), logQ: -Math.log(adapter.actionSize), noiseSeed });
        }
      } else {
        const repeated = new Float32Array(config.actionsPerState * adapter.obsSize);
        for (let k = 0; k < config.actionsPerState; k++) repeated.set(states[n].obs, k * adapter.obsSize);
        const act = policy.act(repeated, rng);
        const per = act.actions.length / config.actionsPerState;
        for (let k = 0; k < config.actionsPerState; k++) {
          jobs.push({ state: n, action: act.actions.slice(k * per, (k + 1) * per), logQ: act.logProbs[k], noiseSeed });
        }
      }
    }
    return jobs;
  }

  /** Step 3: Q̂ by rollouts from restored states, in waves that fill every slot of every env. */
  private async estimateQ(policy: Policy, states: RolloutState[], jobs: RolloutJob[]) {
    const { envs } = this.options;
    const trunkSnapshots = await Promise.all(envs.map((env) => env.snapshot(range(env.numEnvs))));
    const qValues = new Float32Array(jobs.length);
    let steps = 0;
    const totalSlots = this.slotCounts.reduce((a, b) => a + b, 0);
    for (let start = 0; start < jobs.length; start += totalSlots) {
      const wave = jobs.slice(start, start + totalSlots);
      let offset = 0;
      const perEnv = envs.map((env) => {
        const assigned = wave.slice(offset, offset + env.numEnvs).map((job, i) => ({ job, index: start + offset + i }));
        offset += env.numEnvs;
        return assigned;
      });
      const results = await Promise.all(envs.map((env, k) => this.rolloutWave(env, policy, states, perEnv[k])));
      results.forEach((r, k) => {
        r.returns.forEach((q, i) => (qValues[perEnv[k][i].index] = q));
        steps += r.steps;
      });
    }
    await Promise.all(envs.map((env, k) => Promise.all(trunkSnapshots[k].map((s, i) => env.restore(i, s)))));
    return { qValues, steps };
  }

  /** Runs up to numEnvs rollouts side by side in one vector env; slots beyond the jobs stay idle. */
  private async rolloutWave(env: VectorEnv, policy: Policy, states: RolloutState[], assigned: { job: RolloutJob }[]) {
    const { adapter, normalizer, gamma, config } = this.options;
    const count = assigned.length;
    if (count === 0) return { returns: [] as number[], steps: 0 };
    await Promise.all(assigned.map(({ job }, i) => env.restore(i, states[job.state].snapshot)));
    // Slots past `count` step along with a fresh copy of the first state; their results are ignored.
    await Promise.all(range(env.numEnvs).slice(count).map((i) => env.restore(i, states[assigned[0].job.state].snapshot)));
    const returns = new Array<number>(count).fill(0);
    const done = new Array<boolean>(count).fill(false);
    const rowRngs = [...assigned.map(({ job }) => new Rng(job.noiseSeed)), ...range(env.numEnvs - count).map(() => new Rng(0))];
    const drawsPerRow = adapter.actionKind === 'gaussian' ? adapter.actionSize : 1;
    let obs: Float32Array = Float32Array.from(range(env.numEnvs).flatMap((i) => [...states[(assigned[i] ?? assigned[0]).job.state].obs]));
    let steps = 0;
    for (let t = 0; t < config.rolloutLength && done.some((d) => !d); t++) {
      let actions: Float32Array | Int32Array;
      if (t === 0) {
        const per = assigned[0].job.action.length;
        actions = adapter.actionKind === 'gaussian' ? new Float32Array(env.numEnvs * per) : new Int32Array(env.numEnvs * per);
        range(env.numEnvs).forEach((i) => actions.set((assigned[i] ?? assigned[0]).job.action as never, i * per));
      } else {
        actions = policy.act(obs, new RowNoise(rowRngs, drawsPerRow)).actions;
      }
      const result = await env.step(adapter.envActions(actions, env.numEnvs));
      steps += env.numEnvs;
      for (let i = 0; i < count; i++) {
        if (done[i]) continue;
        returns[i] += gamma ** t * result.rewards.data[i];
        done[i] = result.terminated.data[i] === 1 || result.truncated.data[i] === 1;
      }
      const raw = adapter.observationRows(result.observations);
      obs = normalizer ? normalizer.normalize(raw) : raw;
    }
    return { returns, steps };
  }

  /** Step 4: the (state, action) pairs with advantages Q − mean_k Q. */
  private assemble(
    trunk: { states: RolloutState[]; rawObs: Float32Array; steps: number; episodeReturns: number[]; episodeLengths: number[] },
    jobs: RolloutJob[],
    qValues: Float32Array,
    rolloutSteps: number,
  ): VineBatch {
    const { adapter } = this.options;
    const d = adapter.obsSize;
    const obs = new Float32Array(jobs.length * d);
    const per = jobs[0]?.action.length ?? 1;
    const actions = adapter.actionKind === 'gaussian' ? new Float32Array(jobs.length * per) : new Int32Array(jobs.length * per);
    const oldLogProbs = new Float32Array(jobs.length);
    const advantages = new Float32Array(jobs.length);
    const meanQ = perStateMean(jobs, qValues, trunk.states.length);
    jobs.forEach((job, j) => {
      obs.set(trunk.states[job.state].obs, j * d);
      actions.set(job.action as never, j * per);
      oldLogProbs[j] = job.logQ;
      advantages[j] = qValues[j] - meanQ[job.state];
    });
    return {
      obs,
      actions,
      oldLogProbs,
      advantages,
      qValues,
      rawObs: trunk.rawObs,
      steps: trunk.steps + rolloutSteps,
      episodeReturns: trunk.episodeReturns,
      episodeLengths: trunk.episodeLengths,
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

function perStateMean(jobs: RolloutJob[], qValues: Float32Array, numStates: number): Float64Array {
  const sum = new Float64Array(numStates);
  const count = new Float64Array(numStates);
  jobs.forEach((job, j) => {
    sum[job.state] += qValues[j];
    count[job.state] += 1;
  });
  return sum.map((s, n) => s / count[n]);
}

function range(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i);
}

function concatRows(rows: Float32Array[]): Float32Array {
  const out = new Float32Array(rows.reduce((sum, r) => sum + r.length, 0));
  let offset = 0;
  for (const r of rows) {
    out.set(r, offset);
    offset += r.length;
  }
  return out;
}
