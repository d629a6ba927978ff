/**
 * The MLP policies' host forward (policies/host-forward.ts, `hostForward`, the default): the distribution
 * parameters agree with the tfjs forward to float32 rounding, follow every change of the weights, do not depend
 * on the other rows of a batch, and a short training run learns as the tfjs forward's does.
 */
import { describe, expect, it } from 'vitest';
import { Rng } from '@vinegym/rng';
import { trpoUpdate } from '../src/algos/trpo/update.js';
import { trainConfig } from '../src/config/train-config.js';
import { getFlatParams, parameterCount, setFlatParams } from '../src/math/flat.js';
import { toPlainDistParams, type PlainDistParams } from '../src/policies/distributions.js';
import { CategoricalMlpPolicy, GaussianMlpPolicy, type MlpPolicyOptions } from '../src/policies/mlp-policies.js';
import type { Policy } from '../src/policies/policy.js';
import { train } from '../src/train/trainer.js';
import { tf } from './tf-setup.js';

type Make = (options: Partial<MlpPolicyOptions>) => Policy;

const makers: [string, number, Make][] = [
  [
    'categorical, [64, 64] tanh',
    4,
    (o) => new CategoricalMlpPolicy(tf, { obsSize: 4, numActions: 3, hiddenSizes: [64, 64], seed: 1, ...o }),
  ],
  [
    'categorical, [16] relu',
    5,
    (o) => new CategoricalMlpPolicy(tf, { obsSize: 5, numActions: 4, hiddenSizes: [16], activation: 'relu', ...o }),
  ],
  [
    'Gaussian, [64, 64] tanh',
    11,
    (o) => new GaussianMlpPolicy(tf, { obsSize: 11, actionDim: 3, hiddenSizes: [64, 64], seed: 2, ...o }),
  ],
  [
    'Gaussian, [50] relu',
    3,
    (o) => new GaussianMlpPolicy(tf, { obsSize: 3, actionDim: 2, hiddenSizes: [50], activation: 'relu', ...o }),
  ],
];

const randomArray = (rng: Rng, n: number, scale = 1) => Float32Array.from({ length: n }, () => scale * rng.normal());

/** Random weights large enough that every layer matters (the initial output layer's gain is 0.01). */
function randomizeWeights(policy: Policy, rng: Rng): void {
  setFlatParams(tf, policy.variables, randomArray(rng, parameterCount(policy.variables), 0.4));
}

/** The tfjs forward of the policy's current variables, as `act` downloads it without the host path. */
function tensorParams(policy: Policy, obs: Float32Array): PlainDistParams {
  const rows = obs.length / policy.obsShape[0];
  return tf.tidy(() => toPlainDistParams(policy.distributionParams(tf.tensor2d(obs, [rows, policy.obsShape[0]]))));
}

const values = (params: PlainDistParams) =>
  params.kind === 'gaussian' ? [params.mean, params.logStd] : [params.logits];

/** Largest |host − tfjs| / (1 + |tfjs|) over every parameter. */
function worstGap(host: PlainDistParams, reference: PlainDistParams): number {
  expect(host.kind).toBe(reference.kind);
  const [a, b] = [values(host), values(reference)];
  let worst = 0;
  a.forEach((array, k) => {
    expect(array.length).toBe(b[k].length);
    array.forEach((x, i) => (worst = Math.max(worst, Math.abs(x - b[k][i]) / (1 + Math.abs(b[k][i])))));
  });
  return worst;
}

describe.each(makers)('host forward (%s)', (_, obsSize, make) => {
  it('gives the distribution parameters of the tfjs forward, to float32 rounding, on random weights and inputs', () => {
    const rng = new Rng(3);
    const host = make({});
    const reference = make({ hostForward: false });
    for (let trial = 0; trial < 3; trial++) {
      randomizeWeights(host, rng);
      reference.load(host.serialize());
      for (const rows of [1, 3, 8, 64]) {
        const obs = randomArray(rng, rows * obsSize, 2);
        const a = host.act(obs, new Rng(rows));
        const b = reference.act(obs, new Rng(rows));
        // Sums of up to 64 float32 products per layer, rounded per layer: a few units of 1e-7 apart.
        expect(worstGap(a.distParams, b.distParams)).toBeLessThan(1e-5);
        expect(worstGap(a.distParams, tensorParams(host, obs))).toBeLessThan(1e-5);
        // The same noise, drawn in the same order: the same actions (ties within 1e-5 of a CDF step aside).
        if (a.distParams.kind === 'gaussian') a.actions.forEach((x, i) => expect(x).toBeCloseTo(b.actions[i], 4));
        else expect(Array.from(a.actions)).toEqual(Array.from(b.actions));
        a.logProbs.forEach((x, i) => expect(x).toBeCloseTo(b.logProbs[i], 4));
      }
    }
    host.dispose();
    reference.dispose();
  });

  it('sees every change of the weights: setFlatParams, load, assign, a TRPO update', () => {
    const rng = new Rng(4);
    const policy = make({});
    const obs = randomArray(rng, 5 * obsSize);
    const check = () =>
      expect(worstGap(policy.act(obs, new Rng(0)).distParams, tensorParams(policy, obs))).toBeLessThan(1e-5);
    const before = policy.act(obs, new Rng(0)).distParams;
    randomizeWeights(policy, rng);
    check();
    expect(worstGap(policy.act(obs, new Rng(0)).distParams, before)).toBeGreaterThan(1e-3);
    const other = make({ seed: 9 });
    randomizeWeights(other, rng);
    policy.load(other.serialize());
    check();
    // One variable alone (the output bias; a Gaussian's log σ is the last variable).
    const last = policy.variables[policy.variables.length - 1];
    tf.tidy(() => last.assign(tf.add(last, 0.5)));
    check();
    const batchObs = randomArray(rng, 64 * obsSize);
    const { actions, logProbs } = policy.act(batchObs, rng);
    const theta = getFlatParams(policy.variables);
    const stats = trpoUpdate(
      tf,
      policy,
      { obs: batchObs, actions, oldLogProbs: logProbs, advantages: randomArray(rng, 64) },
      trainConfig().trpo,
    );
    expect(stats.accepted).toBe(true);
    expect(getFlatParams(policy.variables)).not.toEqual(theta);
    check();
    other.dispose();
    policy.dispose();
    expect(() => policy.act(obs, new Rng(0))).toThrow();
  });

  it('reuses its copy of the weights only until a weight changes: bit for bit a fresh forward after each update', () => {
    const rng = new Rng(5);
    const policy = make({});
    randomizeWeights(policy, rng);
    const obs = randomArray(rng, 4 * obsSize);
    const bitsOf = (params: PlainDistParams) =>
      values(params).map((v) => Array.from(new Uint32Array(v.slice().buffer)));
    /** The forward of a new policy given the same weights: nothing cached. */
    const fresh = () => {
      const copy = make({});
      copy.load(policy.serialize());
      const params = copy.act(obs, new Rng(0)).distParams;
      copy.dispose();
      return bitsOf(params);
    };
    const first = bitsOf(policy.act(obs, new Rng(0)).distParams);
    expect(bitsOf(policy.act(obs, new Rng(0)).distParams)).toEqual(first); // the copy, reused
    // A small change of the first layer's weight alone: a stale copy would keep the old outputs' bits.
    const weight = policy.variables[0];
    tf.tidy(() => weight.assign(tf.mul(weight, 1.001)));
    const updated = bitsOf(policy.act(obs, new Rng(0)).distParams);
    expect(updated).not.toEqual(first);
    expect(updated).toEqual(fresh());
    setFlatParams(tf, policy.variables, randomArray(rng, parameterCount(policy.variables), 0.4));
    expect(bitsOf(policy.act(obs, new Rng(0)).distParams)).toEqual(fresh());
    policy.dispose();
  });

  it("computes each row on its own: a batch's rows are the rows acted on one at a time, bit for bit", () => {
    const rng = new Rng(5);
    const policy = make({});
    randomizeWeights(policy, rng);
    const obs = randomArray(rng, 7 * obsSize);
    const whole = values(policy.act(obs, new Rng(0)).distParams);
    for (let row = 0; row < 7; row++) {
      const single = values(policy.act(obs.slice(row * obsSize, (row + 1) * obsSize), new Rng(0)).distParams);
      single.forEach((array, k) => {
        const width = array.length;
        expect(Array.from(array)).toEqual(Array.from(whole[k].subarray(row * width, (row + 1) * width)));
      });
    }
    policy.dispose();
  });

  it('hands batches larger than hostForwardMaxRows to tfjs', () => {
    const rng = new Rng(6);
    const policy = make({ hostForwardMaxRows: 4 });
    randomizeWeights(policy, rng);
    const obs = randomArray(rng, 6 * obsSize);
    expect(policy.act(obs, new Rng(0)).distParams).toEqual(tensorParams(policy, obs));
    policy.dispose();
  });
});

describe('training with the host forward', () => {
  it('learns CartPole as the tfjs forward does (not bit for bit: log-probabilities round differently)', async () => {
    const run = async (hostForward: boolean) =>
      (
        await train({
          config: trainConfig({
            envId: 'CartPole-v1',
            seed: 3,
            totalSteps: null,
            iterations: 8,
            numEnvs: 4,
            stepsPerIteration: 1000,
            policy: { hiddenSizes: [32], hostForward },
          }),
          runDir: null,
          progress: false,
        })
      ).rows;
    const [host, reference] = [await run(true), await run(false)];
    const returns = (rows: Record<string, number>[]) => rows.map((row) => row['rollout/ep_return_mean']);
    const [a, b] = [returns(host), returns(reference)];
    // Both learn: the last iterations' returns well above the first's (about 20 for a random policy).
    expect(Math.min(a[7], b[7])).toBeGreaterThan(2 * Math.max(a[0], b[0]));
    // And learn alike: the same actions as long as no sampled uniform falls within float32 rounding of a CDF step,
    // so equal returns iteration by iteration (allowing 10% should a rare tie flip an action late in the run).
    a.forEach((x, i) => expect(Math.abs(x - b[i])).toBeLessThanOrEqual(0.1 * b[i]));
    expect(host.map((row) => row.env_steps)).toEqual(reference.map((row) => row.env_steps));
    // The updates differ only by rounding: the KL of every step within 5e-5.
    host.forEach((row, i) => expect(row['train/kl']).toBeCloseTo(reference[i]['train/kl'], 4));
  }, 120_000);
});
