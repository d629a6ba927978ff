/**
 * Latency hiding: the samplers (single-path, vine, and the episode sampler of CEM and RWR) keep several steps in flight (round robin over vector envs, requests sent ahead of
 * a step) with the results of lockstep, bit for bit. The envs here answer after deterministic delays that differ
 * per env and per call, so answers come back out of order; nothing is timed.
 */
import { EnvService, createDefaultRegistry } from '@vinegym/env-server';
import type { ResetResult, SpaceValue, StepResult } from '@vinegym/protocol';
import { Rng } from '@vinegym/rng';
import { describe, expect, it } from 'vitest';
import { trainConfig } from '../src/config/train-config.js';
import { EmbeddedVectorEnv } from '../src/client/embedded-vector-env.js';
import type { ResetOptions, VectorEnv } from '../src/env/vector-env.js';
import { CategoricalMlpPolicy, GaussianMlpPolicy } from '../src/policies/mlp-policies.js';
import type { Policy } from '../src/policies/policy.js';
import { EpisodeSampler } from '../src/sampling/episodes.js';
import { SinglePathSampler } from '../src/sampling/single-path.js';
import { spaceAdapter } from '../src/sampling/space-adapter.js';
import { VineSampler } from '../src/sampling/vine.js';
import { slotGroups } from '../src/train/setup.js';
import { tf } from './tf-setup.js';

/** A request's answer after `ms` (a timer, so answers of different envs overtake one another). */
const later = <T>(value: Promise<T>, ms: number): Promise<T> =>
  value.then((v) => new Promise((resolve) => setTimeout(() => resolve(v), ms)));

/**
 * An embedded vector env whose answers arrive after delays[call % delays.length] ms. The request reaches the env
 * at once, in call order, as on one connection to a server; events go to a shared log.
 */
class DelayedEnv implements VectorEnv {
  private calls = 0;
  steps = 0;
  /** When set, a step's answer also waits for this (then released by the test's own condition). */
  gate: ((step: number) => Promise<void>) | null = null;

  constructor(
    private readonly inner: VectorEnv,
    readonly name: string,
    private readonly delays: number[],
    private readonly log: string[],
  ) {}

  get spec() {
    return this.inner.spec;
  }
  get numEnvs() {
    return this.inner.numEnvs;
  }
  private delay(): number {
    return this.delays[this.calls++ % this.delays.length];
  }
  reset(options?: ResetOptions): Promise<ResetResult> {
    return later(this.inner.reset(options), this.delay());
  }
  step(actions: SpaceValue): Promise<StepResult> {
    const n = this.steps++;
    this.log.push(`send ${this.name} ${n}`);
    const gate = this.gate?.(n) ?? Promise.resolve();
    return later(this.inner.step(actions), this.delay()).then(async (result) => {
      await gate;
      this.log.push(`answer ${this.name} ${n}`);
      return result;
    });
  }
  snapshot(envIndices: number[]): Promise<Uint8Array[]> {
    return later(this.inner.snapshot(envIndices), this.delay());
  }
  restore(envIndex: number, snapshot: Uint8Array): Promise<void> {
    return later(this.inner.restore(envIndex, snapshot), this.delay());
  }
  render(): never {
    throw new Error('not used');
  }
  close(): Promise<void> {
    return this.inner.close();
  }
}

/**
 * A service whose sessions step in-process: these tests are about the samplers' order of requests, and sessions on
 * worker threads have tests of their own in the env server.
 */
function inProcessService(): EnvService {
  return new EnvService({ registry: createDefaultRegistry(), workers: 0 });
}

/** Vector envs of `sizes` slots (slot seeds continue across them), each answering after its own delays. */
async function delayedEnvs(envId: string, sizes: number[], log: string[] = []): Promise<DelayedEnv[]> {
  const patterns = [[0, 3, 1], [4, 0], [2, 2, 0, 5], [1]];
  return Promise.all(
    sizes.map(async (numEnvs, k) => {
      const inner = await EmbeddedVectorEnv.make({ envId, numEnvs, autoresetMode: 'same_step' }, inProcessService());
      return new DelayedEnv(inner, String(k), patterns[k % patterns.length], log);
    }),
  );
}

/**
 * Runs `sample` on two CartPole vector envs of 2 slots where env 1 answers step n only once env 0 has sent step
 * n + 1: only a pipelined sampler gets past that without waiting (a fallback after 200 ms keeps lockstep going).
 * Returns how many steps of env 0 were sent while env 1's step of the round before was unanswered.
 */
async function overtakingSends(
  sample: (envs: VectorEnv[], adapter: ReturnType<typeof spaceAdapter>, policy: Policy) => Promise<void>,
): Promise<number> {
  const log: string[] = [];
  const envs = await delayedEnvs('CartPole-v1', [2, 2], log);
  envs[1].gate = (n) =>
    new Promise<void>((resolve) => {
      const poll = setInterval(() => envs[0].steps > n + 1 && done(), 1);
      const fallback = setTimeout(() => done(), 200);
      const done = () => (clearInterval(poll), clearTimeout(fallback), resolve());
    });
  const adapter = spaceAdapter(envs[0].spec.single_observation_space, envs[0].spec.single_action_space);
  const policy = cartPolePolicy();
  await sample(envs, adapter, policy);
  policy.dispose();
  await Promise.all(envs.map((env) => env.close()));
  return log.filter((event, i) => {
    const [kind, name, n] = event.split(' ');
    return kind === 'send' && name === '0' && Number(n) > 0 && log.indexOf(`answer 1 ${Number(n) - 1}`) > i;
  }).length;
}

function cartPolePolicy(): Policy {
  return new CategoricalMlpPolicy(tf, { obsSize: 4, numActions: 2, seed: 3 });
}
function pendulumPolicy(): Policy {
  return new GaussianMlpPolicy(tf, { obsSize: 4, actionDim: 1, seed: 3 });
}

async function singlePathBatches(envId: string, sizes: number[], lockstep: boolean, makePolicy: () => Policy) {
  const envs = await delayedEnvs(envId, sizes);
  const adapter = spaceAdapter(envs[0].spec.single_observation_space, envs[0].spec.single_action_space);
  const policy = makePolicy();
  const sampler = new SinglePathSampler({ envs, adapter, normalizer: null, noise: new Rng(11), seed: 7, lockstep });
  // Two batches: episodes and observations carry over from one to the next.
  const batches = [await sampler.collect(policy, 240), await sampler.collect(policy, 240)];
  policy.dispose();
  await Promise.all(envs.map((env) => env.close()));
  return batches;
}

async function vineBatch(envId: string, sizes: number[], lockstep: boolean, makePolicy: () => Policy) {
  const envs = await delayedEnvs(envId, sizes);
  const adapter = spaceAdapter(envs[0].spec.single_observation_space, envs[0].spec.single_action_space);
  const policy = makePolicy();
  const config = { ...trainConfig().vine, rolloutSetSize: 12, actionsPerState: 3, rolloutLength: 15, trunkSteps: 96 };
  const sampler = new VineSampler({
    envs,
    adapter,
    normalizer: null,
    rng: new Rng(5),
    seed: 3,
    gamma: 0.99,
    config,
    lockstep,
  });
  const batches = [await sampler.collect(policy), await sampler.collect(policy)];
  policy.dispose();
  await Promise.all(envs.map((env) => env.close()));
  return batches;
}

describe('latency hiding: single-path sampler', () => {
  it('gives the batches of lockstep, bit for bit, while answers come back out of order', async () => {
    for (const [envId, policy] of [
      ['CartPole-v1', cartPolePolicy],
      ['InvertedPendulum-v5', pendulumPolicy],
    ] as const) {
      const pipelined = await singlePathBatches(envId, [4, 3, 5], false, policy);
      const lockstep = await singlePathBatches(envId, [4, 3, 5], true, policy);
      expect(pipelined).toEqual(lockstep);
      expect(pipelined[0].episodeReturns.length + pipelined[1].episodeReturns.length).toBeGreaterThan(0);
    }
  }, 180_000);

  it('with slots split into groups: deterministic; against one vector env the same batch with the host forward, up to rounding through tfjs', async () => {
    expect(slotGroups(8, 2)).toEqual([4, 4]);
    expect(slotGroups(10, 3)).toEqual([4, 3, 3]);
    expect(slotGroups(1, 2)).toEqual([1]);
    const whole = await singlePathBatches('CartPole-v1', [8, 8], false, cartPolePolicy);
    const split = await singlePathBatches('CartPole-v1', [4, 4, 4, 4], false, cartPolePolicy);
    // Same groups, other delays and lockstep: the same batch, bit for bit.
    expect(await singlePathBatches('CartPole-v1', [4, 4, 4, 4], true, cartPolePolicy)).toEqual(split);
    // The host forward (the MLP policies' default) computes each row on its own: the noise is drawn in the same
    // order, so two groups of 4 give the batch of one vector env of 8, bit for bit.
    expect(split).toEqual(whole);
    // Through tfjs a forward over 4 rows may round differently from one over 8 (TensorFlow's kernels depend on the
    // batch size): log-probabilities by an ulp here, so that a sampled action could in rare cases flip.
    const tensorPolicy = () => new CategoricalMlpPolicy(tf, { obsSize: 4, numActions: 2, seed: 3, hostForward: false });
    const wholeTensor = await singlePathBatches('CartPole-v1', [8, 8], false, tensorPolicy);
    const splitTensor = await singlePathBatches('CartPole-v1', [4, 4, 4, 4], false, tensorPolicy);
    splitTensor.forEach((batch, i) => {
      expect({ ...batch, logProbs: null }).toEqual({ ...wholeTensor[i], logProbs: null });
      batch.logProbs.forEach((logProb, t) => expect(logProb).toBeCloseTo(wholeTensor[i].logProbs[t], 6));
    });
  }, 180_000);

  it("sends a vector env's next step while another's answer is still on its way; lockstep never does", async () => {
    for (const lockstep of [false, true]) {
      const overtaking = await overtakingSends(async (envs, adapter, policy) => {
        await new SinglePathSampler({ envs, adapter, normalizer: null, noise: new Rng(1), seed: 0, lockstep }).collect(
          policy,
          24,
        );
      });
      expect(overtaking).toBe(lockstep ? 0 : 5); // 6 steps per env: steps 1..5 of env 0 overtake
    }
  });
});

describe('latency hiding: vine sampler', () => {
  it('gives the batches of lockstep, bit for bit (trunk, rollouts, Q values, advantages)', async () => {
    for (const [envId, policy] of [
      ['CartPole-v1', cartPolePolicy],
      ['InvertedPendulum-v5', pendulumPolicy],
    ] as const) {
      const pipelined = await vineBatch(envId, [4, 3, 5], false, policy);
      expect(pipelined).toEqual(await vineBatch(envId, [4, 3, 5], true, policy));
    }
  }, 180_000);
});

/**
 * Two runs of the episode sampler as CEM and RWR use it: a population of three policies (candidate i plays jobs
 * 4i … 4i + 3, side by side), observations and actions recorded.
 */
async function episodeBatches(envId: string, sizes: number[], lockstep: boolean, makePolicy: (seed: number) => Policy) {
  const envs = await delayedEnvs(envId, sizes);
  const adapter = spaceAdapter(envs[0].spec.single_observation_space, envs[0].spec.single_action_space);
  const population = [0, 1, 2].map(makePolicy);
  const sampler = new EpisodeSampler({
    envs,
    adapter,
    normalizer: null,
    noise: new Rng(9),
    seed: 4,
    deterministic: false,
    recordTrajectories: true,
    lockstep,
  });
  const job = (started: number) =>
    started < 12 ? { policy: population[Math.floor(started / 4)], tag: started } : null;
  const batches = [await sampler.run(job), await sampler.run(job)];
  population.forEach((policy) => policy.dispose());
  await Promise.all(envs.map((env) => env.close()));
  return batches;
}

describe('latency hiding: episode sampler (CEM, RWR)', () => {
  it('gives the episodes of lockstep, bit for bit, while answers come back out of order', async () => {
    for (const [envId, makePolicy] of [
      ['CartPole-v1', (seed: number) => new CategoricalMlpPolicy(tf, { obsSize: 4, numActions: 2, seed })],
      ['InvertedPendulum-v5', (seed: number) => new GaussianMlpPolicy(tf, { obsSize: 4, actionDim: 1, seed })],
    ] as const) {
      const pipelined = await episodeBatches(envId, [4, 3, 5], false, makePolicy);
      const lockstep = await episodeBatches(envId, [4, 3, 5], true, makePolicy);
      expect(pipelined).toEqual(lockstep);
      for (const batch of pipelined) {
        expect(batch.episodes.map((e) => e.tag).sort((a, b) => a - b)).toEqual([...Array(12).keys()]);
      }
    }
  }, 180_000);

  it("sends a vector env's next step while another's answer is still on its way; lockstep never does", async () => {
    for (const lockstep of [false, true]) {
      const overtaking = await overtakingSends(async (envs, adapter, policy) => {
        const options = { envs, adapter, normalizer: null, noise: new Rng(1), seed: 0, lockstep };
        await new EpisodeSampler({ ...options, deterministic: false, recordTrajectories: false }).run((started) =>
          started < 4 ? { policy, tag: started } : null,
        );
      });
      if (lockstep) expect(overtaking).toBe(0);
      else expect(overtaking).toBeGreaterThan(3);
    }
  }, 60_000);
});
