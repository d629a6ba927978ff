import { EnvService, createDefaultRegistry, type EnvDefinition } from '@vinegym/env-server';
import { box, discrete, ndarray, VinegymError } from '@vinegym/protocol';
import { describe, expect, it } from 'vitest';
import { EmbeddedVectorEnv } from '../src/client/embedded-vector-env.js';
import { Rng } from '@vinegym/rng';
import { CategoricalMlpPolicy } from '../src/policies/mlp-policies.js';
import { SinglePathSampler } from '../src/sampling/single-path.js';
import { spaceAdapter } from '../src/sampling/space-adapter.js';
import { VineSampler, vineAdvantages } from '../src/sampling/vine.js';
import { trainConfig } from '../src/config/train-config.js';

const DEFAULT_VINE_CONFIG = trainConfig().vine;
import { tf } from './tf-setup.js';

async function cartPole(numEnvs: number, envId = 'CartPole-v1') {
  const env = await EmbeddedVectorEnv.make({ envId, numEnvs, autoresetMode: 'same_step' });
  const adapter = spaceAdapter(env.spec.single_observation_space, env.spec.single_action_space);
  const policy = new CategoricalMlpPolicy(tf, { obsSize: 4, numActions: 2, seed: 3 });
  return { env, adapter, policy };
}

describe('single-path sampler', () => {
  it('lays out whole per-env streams and bootstraps only where episodes were cut', async () => {
    const { env, adapter, policy } = await cartPole(3, 'CartPole-v0');
    const sampler = new SinglePathSampler({ envs: [env], adapter, normalizer: null, noise: new Rng(1), seed: 0 });
    const batch = await sampler.collect(policy, 600); // 200 steps per env: random episodes end well before
    expect(batch.steps).toBe(600);
    expect(batch.obs).toEqual(batch.rawObs);
    for (let e = 0; e < 3; e++) expect(batch.truncated[e * 200 + 199]).toBe(1); // the batch end cuts each stream
    let finished = 0;
    for (let t = 0; t < 600; t++) {
      const cut = batch.truncated[t] === 1 && batch.terminated[t] === 0;
      const row = batch.bootstrapObs.subarray(t * 4, t * 4 + 4);
      expect(row.some((x) => x !== 0)).toBe(cut);
      if (batch.terminated[t]) finished++;
      // Within a stream, the next row's observation follows this step unless an episode ended here.
      if (t % 200 !== 199 && !batch.terminated[t]) expect(batch.rawObs[(t + 1) * 4]).not.toBeNaN();
    }
    expect(batch.episodeReturns.length).toBe(finished);
    expect(batch.episodeReturns.reduce((a, b) => a + b, 0)).toBe(batch.episodeLengths.reduce((a, b) => a + b, 0));
    policy.dispose();
    await env.close();
  });

  it('is reproducible: the same seeds give the same batch', async () => {
    const collect = async () => {
      const { env, adapter, policy } = await cartPole(4);
      const batch = await new SinglePathSampler({
        envs: [env],
        adapter,
        normalizer: null,
        noise: new Rng(9),
        seed: 5,
      }).collect(policy, 400);
      policy.dispose();
      await env.close();
      return batch;
    };
    expect(await collect()).toEqual(await collect());
  });
});

describe('vine sampler', () => {
  it('gives equal Q estimates to equal actions of a state (common random numbers) and keeps the trunk going', async () => {
    const { env, adapter, policy } = await cartPole(8);
    const config = {
      ...DEFAULT_VINE_CONFIG,
      rolloutSetSize: 24,
      actionsPerState: 4,
      rolloutLength: 30,
      trunkSteps: 160,
    };
    const sampler = new VineSampler({
      envs: [env],
      adapter,
      normalizer: null,
      rng: new Rng(2),
      seed: 0,
      gamma: 0.99,
      config,
    });
    const batch = await sampler.collect(policy);
    expect(batch.advantages.length).toBe(24 * 4);
    let equalPairs = 0;
    for (let n = 0; n < 24; n++) {
      const sum = batch.advantages.slice(n * 4, n * 4 + 4).reduce((a, b) => a + b, 0);
      expect(Math.abs(sum)).toBeLessThan(1e-4); // mean Q subtracted per state
      for (let i = 0; i < 4; i++) {
        for (let j = i + 1; j < 4; j++) {
          if (batch.actions[n * 4 + i] === batch.actions[n * 4 + j]) {
            expect(batch.qValues[n * 4 + i]).toBe(batch.qValues[n * 4 + j]);
            equalPairs++;
          }
        }
      }
    }
    expect(equalPairs).toBeGreaterThan(10);
    // The next iteration continues from the trunk's state, not from some rollout's.
    const next = await sampler.collect(policy);
    expect(next.steps).toBeGreaterThan(160);
    policy.dispose();
    await env.close();
  });

  it("tries every action once with 'all' and uses q = 1/|A|", async () => {
    const { env, adapter, policy } = await cartPole(4);
    const config = {
      ...DEFAULT_VINE_CONFIG,
      rolloutSetSize: 6,
      actionsPerState: 'all' as const,
      rolloutLength: 10,
      trunkSteps: 40,
    };
    const batch = await new VineSampler({
      envs: [env],
      adapter,
      normalizer: null,
      rng: new Rng(2),
      seed: 0,
      gamma: 0.99,
      config,
    }).collect(policy);
    expect(Array.from(batch.actions)).toEqual([0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1]);
    expect(Array.from(batch.oldLogProbs)).toEqual(new Array(12).fill(Math.fround(-Math.log(2))));
    policy.dispose();
    await env.close();
  });

  it('subtracts the mean Q of each state from its actions', () => {
    const q = Float32Array.of(1, 3, 5, 5, 8);
    expect(Array.from(vineAdvantages(q, Int32Array.of(0, 0, 1, 1, 1), 2))).toEqual([-1, 1, -1, -1, 2]);
  });

  it('marks the rollouts cut short of a terminal state for value bootstrapping, and keeps the trunk as paths', async () => {
    const { env, adapter, policy } = await cartPole(4);
    const gamma = 0.99;
    const length = 30;
    const config = {
      ...DEFAULT_VINE_CONFIG,
      rolloutSetSize: 32,
      actionsPerState: 'all' as const,
      rolloutLength: length,
      trunkSteps: 64,
    };
    const batch = await new VineSampler({
      envs: [env],
      adapter,
      normalizer: null,
      rng: new Rng(5),
      seed: 0,
      gamma,
      config,
    }).collect(policy);
    const fullReturn = (1 - gamma ** length) / (1 - gamma); // +1 per step for the whole rollout
    let cut = 0;
    let ended = 0;
    batch.tailDiscount.forEach((discount, j) => {
      const tail = Array.from(batch.tailObs.subarray(j * 4, j * 4 + 4));
      if (discount > 0) {
        cut++;
        expect(discount).toBe(Math.fround(gamma ** length));
        expect(batch.qValues[j]).toBeCloseTo(fullReturn, 3);
        expect(tail.some((x) => x !== 0)).toBe(true);
      } else {
        ended++; // a random CartPole policy often falls within 30 steps: the pole's terminal state has value 0
        expect(batch.qValues[j]).toBeLessThan(fullReturn + 1e-3);
        expect(tail).toEqual([0, 0, 0, 0]);
      }
    });
    expect(cut).toBeGreaterThan(0);
    expect(ended).toBeGreaterThan(0);
    // The trunk: 16 steps in each of the 4 slots, each slot's steps consecutive, the last one bootstrapped.
    expect(batch.trunk.steps).toBe(64);
    for (let slot = 0; slot < 4; slot++)
      expect(batch.trunk.truncated[slot * 16 + 15] || batch.trunk.terminated[slot * 16 + 15]).toBe(1);
    expect(batch.numStates).toBe(32);
    policy.dispose();
    await env.close();
  });

  it('refuses a server whose env has no snapshots, naming the capability', async () => {
    const registry = createDefaultRegistry();
    const noSnapshots: EnvDefinition = {
      id: 'NoSnapshot-v0',
      description: 'an env without getState/setState',
      kwargs: {},
      maxEpisodeSteps: 10,
      create: () => ({
        observationSpace: box(-1, 1, [4]),
        actionSpace: discrete(2),
        reset: () => ({ observation: ndarray('float32', [4]), info: {} }),
        step: () => ({
          observation: ndarray('float32', [4]),
          reward: 0,
          terminated: false,
          truncated: false,
          info: {},
        }),
      }),
    };
    registry.register(noSnapshots);
    const env = await EmbeddedVectorEnv.make(
      { envId: 'NoSnapshot-v0', autoresetMode: 'same_step' },
      new EnvService({ registry }),
    );
    const adapter = spaceAdapter(env.spec.single_observation_space, env.spec.single_action_space);
    const make = () =>
      new VineSampler({
        envs: [env],
        adapter,
        normalizer: null,
        rng: new Rng(0),
        seed: 0,
        gamma: 0.99,
        config: DEFAULT_VINE_CONFIG,
      });
    expect(make).toThrow(VinegymError);
    expect(make).toThrow(/snapshot/);
    await env.close();
  });
});

describe('space adapter', () => {
  it('scales uint8 image observations to [0, 1] and passes float ones through', () => {
    const actions = discrete(2);
    const image = spaceAdapter(box(0, 255, [1, 1, 3], 'uint8'), actions);
    expect(Array.from(image.observationRows(ndarray('uint8', [2, 1, 1, 3], [0, 51, 255, 255, 0, 102])))).toEqual(
      [0, 0.2, 1, 1, 0, 0.4].map(Math.fround),
    );
    const vector = spaceAdapter(box(-Infinity, Infinity, [1, 1, 3]), actions);
    expect(Array.from(vector.observationRow(ndarray('float32', [1, 1, 3], [0.5, 300, -2])))).toEqual([0.5, 300, -2]);
  });
});
