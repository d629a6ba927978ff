import { describe, expect, it } from 'vitest';
import { parameterCount } from '../src/math/flat.js';
import { Rng } from '@vinegym/rng';
import { ndarray, type BoxSpace } from '@vinegym/protocol';
import { trainConfig } from '../src/config/train-config.js';
import { spaceAdapter } from '../src/sampling/space-adapter.js';
import { buildPolicy } from '../src/train/setup.js';
import { AtariCnnPolicy } from '../src/policies/atari-cnn-policy.js';
import { CategoricalMlpPolicy, GaussianMlpPolicy } from '../src/policies/mlp-policies.js';
import type { Policy } from '../src/policies/policy.js';
import { ValueFunction } from '../src/policies/value-function.js';
import { tf } from './tf-setup.js';

const makers: [string, (seed: number) => Policy, number][] = [
  ['GaussianMlpPolicy', (seed) => new GaussianMlpPolicy(tf, { obsSize: 5, actionDim: 2, seed }), 5],
  [
    'CategoricalMlpPolicy',
    (seed) => new CategoricalMlpPolicy(tf, { obsSize: 5, numActions: 4, activation: 'relu', seed }),
    5,
  ],
  ['AtariCnnPolicy', (seed) => new AtariCnnPolicy(tf, { numActions: 6, obsShape: [20, 16, 2], seed }), 20 * 16 * 2],
];

describe.each(makers)('%s', (_, make, obsSize) => {
  const rng = new Rng(1);
  const obs = Float32Array.from({ length: 3 * obsSize }, () => rng.uniform());

  it('serializes and loads weights bit-exactly', () => {
    const a = make(1);
    const b = make(2);
    expect(a.serialize()).not.toEqual(b.serialize());
    b.load(a.serialize());
    expect(b.serialize()).toEqual(a.serialize());
    expect(b.act(obs, new Rng(3)).distParams).toEqual(a.act(obs, new Rng(3)).distParams);
    a.dispose();
    b.dispose();
  });

  it('acts reproducibly from the noise state, and deterministically on request', () => {
    const policy = make(1);
    const noise = new Rng(9);
    const first = policy.act(obs, noise.clone());
    expect(policy.act(obs, noise.clone())).toEqual(first);
    expect(first.actions.length % 3).toBe(0);
    expect(first.logProbs.every(Number.isFinite)).toBe(true);
    const greedy = policy.act(obs, noise.clone(), true);
    if (greedy.distParams.kind === 'gaussian')
      expect(Array.from(greedy.actions)).toEqual(Array.from(greedy.distParams.mean));
    policy.dispose();
  });
});

describe('policy.initialLogStd', () => {
  const box = (size: number, bound: number): BoxSpace => ({
    type: 'box',
    dtype: 'float32',
    shape: [size],
    low: ndarray('float32', [size], new Array<number>(size).fill(-bound)),
    high: ndarray('float32', [size], new Array<number>(size).fill(bound)),
  });
  const adapter = spaceAdapter(box(4, 10), box(3, 1));
  const obs = Float32Array.from({ length: 2 * 4 }, (_, i) => i / 8);
  const logStdOf = (config: Parameters<typeof trainConfig>[0]) => {
    const policy = buildPolicy(tf, adapter, trainConfig(config));
    const { distParams } = policy.act(obs, new Rng(1));
    policy.dispose();
    if (distParams.kind !== 'gaussian') throw new Error('expected a Gaussian policy');
    return Array.from(distParams.logStd);
  };

  it('is the log σ every action dimension of the configured Gaussian policy starts with', () => {
    expect(logStdOf({})).toEqual([0, 0, 0, 0, 0, 0]);
    const halved = logStdOf({ policy: { initialLogStd: Math.log(0.5) } });
    expect(halved).toHaveLength(6);
    for (const logStd of halved) expect(logStd).toBeCloseTo(Math.log(0.5), 6);
  });

  it('leaves the mean network as the seed makes it', () => {
    const meanOf = (initialLogStd: number) => {
      const policy = buildPolicy(tf, adapter, trainConfig({ policy: { initialLogStd } }));
      const { distParams } = policy.act(obs, new Rng(1), true);
      policy.dispose();
      return distParams.kind === 'gaussian' ? Array.from(distParams.mean) : [];
    };
    expect(meanOf(-1)).toEqual(meanOf(0));
  });
});

describe('AtariCnnPolicy', () => {
  it("has the paper's size: 33,710 parameters for 18 actions on 52×40×4 (paper: 33,500)", () => {
    const policy = new AtariCnnPolicy(tf, { numActions: 18 });
    expect(parameterCount(policy.variables)).toBe(33710);
    policy.dispose();
  });
});

describe('ValueFunction', () => {
  it('fits a simple regression target with Adam', () => {
    const rng = new Rng(4);
    const vf = new ValueFunction(tf, {
      obsSize: 2,
      hiddenSizes: [16],
      learningRate: 1e-2,
      epochs: 30,
      minibatchSize: 32,
    });
    const obs = Float32Array.from({ length: 256 * 2 }, () => rng.normal());
    const targets = Float32Array.from({ length: 256 }, (_, i) => 2 * obs[2 * i] - obs[2 * i + 1] + 1);
    const stats = vf.fit(obs, targets);
    expect(stats.lossAfter).toBeLessThan(0.1 * stats.lossBefore);
    expect(vf.predict(obs).length).toBe(256);
    vf.dispose();
  });

  it('fits the same target with L-BFGS on the whole batch, in few iterations', () => {
    const rng = new Rng(4);
    const vf = new ValueFunction(tf, { obsSize: 2, hiddenSizes: [16], epochs: 20, optimizer: 'lbfgs' });
    const obs = Float32Array.from({ length: 256 * 2 }, () => rng.normal());
    const targets = Float32Array.from({ length: 256 }, (_, i) => 2 * obs[2 * i] - obs[2 * i + 1] + 1);
    const stats = vf.fit(obs, targets);
    expect(stats.lossAfter).toBeLessThan(0.01 * stats.lossBefore);
    vf.dispose();
  });

  it('refuses weights of another network with a clear error (e.g. an MLP checkpoint into the CNN)', () => {
    const mlp = new ValueFunction(tf, { obsSize: 10 * 10 * 2, hiddenSizes: [3] });
    const cnn = new ValueFunction(tf, { obsSize: 10 * 10 * 2, obsShape: [10, 10, 2] });
    expect(() => cnn.load(mlp.serialize())).toThrow(/expected 8 weight arrays, got 4/);
    const other = new ValueFunction(tf, { obsSize: 5, hiddenSizes: [3] });
    expect(() => other.load(mlp.serialize())).toThrow(/weight 0 has 600 values, expected 15/);
    [mlp, cnn, other].forEach((vf) => vf.dispose());
  });

  it('uses the Atari CNN for image observations and fits a target that depends on where pixels are lit', () => {
    const rng = new Rng(5);
    const shape = [15, 13, 2];
    const size = 15 * 13 * 2;
    const vf = new ValueFunction(tf, {
      obsSize: size,
      obsShape: shape,
      learningRate: 1e-2,
      epochs: 40,
      minibatchSize: 32,
      seed: 1,
    });
    // 16 conv1 filters of 4×4×2 (+ biases), 16 conv2 filters of 4×4×16 (15×13 → 6×5 → 2×1), 2×1×16 → 20, 20 → 1.
    expect(parameterCount(vf.variables)).toBe(16 * 32 + 16 + 16 * 256 + 16 + 32 * 20 + 20 + 20 + 1);
    // Sparse pixels in [0, 1] like a preprocessed Atari frame; V = lit pixels in the top half minus the bottom half.
    const rows = 256;
    const obs = Float32Array.from({ length: rows * size }, () => (rng.uniform() < 0.05 ? 1 : 0));
    const targets = Float32Array.from({ length: rows }, (_, r) => {
      let value = 0;
      for (let i = 0; i < size; i++) value += obs[r * size + i] * (Math.floor(i / (13 * 2)) < 7 ? 0.1 : -0.1);
      return value;
    });
    const stats = vf.fit(obs, targets);
    expect(stats.lossAfter).toBeLessThan(0.2 * stats.lossBefore);
    vf.dispose();
  });
});
