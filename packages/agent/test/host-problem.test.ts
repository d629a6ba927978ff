/**
 * The three implementations of the TRPO problem against each other, on random weights and inputs, both
 * distributions, every batch variant the samplers produce: the values, the gradient and the Fisher-vector
 * products must agree to float32 rounding. The reference is tensor ops with autodiff (tensor-problem.ts with
 * `implementation: autodiff`: forward mode and a gradient per Fisher-vector product); against it, the Fisher-vector
 * products from per-batch Jacobians (MlpJacobian, the default) and the typed-array problem (host-problem.ts:
 * HostMlp's J v and Jᵀ w, the distributions' host math).
 */
import { describe, expect, it } from 'vitest';
import { Rng } from '@vinegym/rng';
import type { TrpoConfig } from '../src/algos/trpo/config.js';
import { hostProblem } from '../src/algos/trpo/host-problem.js';
import type { TrpoProblem } from '../src/algos/trpo/problem.js';
import { tensorProblem } from '../src/algos/trpo/tensor-problem.js';
import { trpoUpdate } from '../src/algos/trpo/update.js';
import { trainConfig } from '../src/config/train-config.js';
import type { PolicyGradientBatch } from '../src/estimation/advantages.js';
import { getFlatParams, setFlatParams } from '../src/math/flat.js';
import { HostMlp } from '../src/policies/host-mlp.js';
import { CategoricalMlpPolicy, GaussianMlpPolicy } from '../src/policies/mlp-policies.js';
import type { Policy } from '../src/policies/policy.js';
import { relativeError } from './support/relative-error.js';
import { tf } from './tf-setup.js';

const trpoConfig = (overrides: Partial<TrpoConfig> = {}) => trainConfig({ trpo: overrides }).trpo;

/** A policy with random (not initial) weights: the output layer's 0.01 gain would hide errors in the Jacobians. */
function randomized<P extends Policy>(policy: P, rng: Rng): P {
  const theta = getFlatParams(policy.variables);
  setFlatParams(
    tf,
    policy.variables,
    theta.map(() => 0.5 * rng.normal()),
  );
  return policy;
}

function randomBatch(policy: Policy, rng: Rng, n: number, variant: string): PolicyGradientBatch {
  const obs = Float32Array.from({ length: n * policy.obsShape[0] }, () => rng.normal());
  const { actions, logProbs } = policy.act(obs, rng);
  // Sampled by a slightly different distribution than π_θold, so the importance ratios are not all 1.
  const oldLogProbs = logProbs.map((lp) => lp + 0.1 * rng.normal());
  const batch: PolicyGradientBatch = {
    obs,
    actions,
    advantages: Float32Array.from({ length: n }, () => rng.normal()),
    oldLogProbs,
  };
  if (variant === 'weights') batch.weights = Float32Array.from({ length: n }, () => rng.uniform() + 0.1);
  if (variant === 'vine') {
    batch.stateIndex = Int32Array.from({ length: n }, (_, i) => Math.floor(i / 3));
    batch.klObs = Float32Array.from({ length: 40 * policy.obsShape[0] }, () => rng.normal());
  }
  if (variant === 'no old log-probs') delete batch.oldLogProbs;
  return batch;
}

const policies = [
  [
    'Gaussian, tanh',
    () => new GaussianMlpPolicy(tf, { obsSize: 5, actionDim: 3, hiddenSizes: [16, 12], seed: 1, initialLogStd: -0.3 }),
  ],
  [
    'Gaussian, relu, one hidden layer',
    () => new GaussianMlpPolicy(tf, { obsSize: 4, actionDim: 2, hiddenSizes: [10], activation: 'relu', seed: 2 }),
  ],
  [
    'categorical, tanh',
    () => new CategoricalMlpPolicy(tf, { obsSize: 4, numActions: 5, hiddenSizes: [16, 12], seed: 3 }),
  ],
  [
    'categorical, no hidden layer',
    () => new CategoricalMlpPolicy(tf, { obsSize: 4, numActions: 3, hiddenSizes: [], seed: 4 }),
  ],
] as const;

const variants = [
  ['plain', {}],
  ['weights', {}],
  ['vine', {}],
  ['no old log-probs', {}],
  ['entropy bonus', { entropyCoefficient: 0.05 }],
  ['Fisher subsample', { fisherSubsample: 0.3 }],
] as const;

describe.each(policies)('TRPO problem implementations against autodiff (%s)', (_, make) => {
  it.each(variants)('%s: values, gradient, Fisher-vector products and trials agree', (variant, overrides) => {
    const rng = new Rng(7);
    const policy = randomized(make(), rng);
    const n = variant === 'Fisher subsample' ? 1500 : 60;
    const batch = randomBatch(policy, rng, n, variant);
    const config = trpoConfig(overrides);
    const thetaOld = getFlatParams(policy.variables);
    const host: TrpoProblem = hostProblem(policy.hostNetwork, policy.kind, thetaOld, batch, config);
    const tensor: TrpoProblem = tensorProblem(tf, policy, batch, { ...config, implementation: 'autodiff' });
    const jacobian: TrpoProblem = tensorProblem(tf, policy, batch, { ...config, implementation: 'jacobian' });
    try {
      expect(host.surrogateBefore).toBeCloseTo(tensor.surrogateBefore, 5);
      expect(host.entropy).toBeCloseTo(tensor.entropy, 5);
      expect(relativeError(host.gradient(), tensor.gradient())).toBeLessThan(1e-5);
      for (let k = 0; k < 3; k++) {
        const v = Float64Array.from(thetaOld, () => rng.normal());
        const hostProduct = host.fisherProduct(v);
        expect(hostProduct.length).toBe(thetaOld.length);
        const reference = tensor.fisherProduct(v);
        expect(relativeError(hostProduct, reference)).toBeLessThan(1e-5);
        expect(relativeError(jacobian.fisherProduct(v), reference)).toBeLessThan(1e-5);
      }
      for (const size of [0.3, 0.03]) {
        const trial = thetaOld.map((theta) => theta + size * rng.normal());
        const fromHost = host.evaluate(trial);
        const fromTensors = tensor.evaluate(trial);
        expect(fromHost.surrogate).toBeCloseTo(fromTensors.surrogate, 5);
        expect(Math.abs(fromHost.kl - fromTensors.kl)).toBeLessThan(1e-5 * Math.max(1, fromTensors.kl));
      }
    } finally {
      jacobian.dispose();
      tensor.dispose();
      host.dispose();
      policy.dispose();
    }
  });
});

describe('HostMlp', () => {
  it('J v is the directional derivative of the outputs (central differences) and Jᵀ w its adjoint', () => {
    const rng = new Rng(11);
    const network = new HostMlp([3, 7, 5, 2], 'tanh', 9);
    const theta = Float64Array.from({ length: network.parameterCount }, () => 0.7 * rng.normal());
    const x = Float32Array.from({ length: 9 * 3 }, () => rng.normal());
    const v = Float64Array.from(theta, () => rng.normal());
    const eps = 1e-3;
    const at = (sign: number) =>
      Float64Array.from(
        network.forward(
          theta.map((t, i) => t + sign * eps * v[i]),
          x,
          9,
        ),
      );
    const difference = at(1).map((y, i) => (y - at(-1)[i]) / (2 * eps));
    network.forward(theta, x, 9);
    network.prepareJacobian(theta);
    const jv = new Float64Array(9 * 2);
    network.jacobianProduct(v, jv);
    expect(relativeError(jv, difference)).toBeLessThan(1e-3);
    // ⟨w, J v⟩ = ⟨Jᵀ w, v⟩
    const w = Float64Array.from(jv, () => rng.normal());
    const jtw = new Float64Array(network.parameterCount);
    network.transposeProduct(w, jtw);
    const left = w.reduce((s, wi, i) => s + wi * jv[i], 0);
    const right = jtw.reduce((s, gi, i) => s + gi * v[i], 0);
    expect(left).toBeCloseTo(right, 4);
  });
});

describe('trpoUpdate', () => {
  it.each(['host', 'jacobian'] as const)('%s: takes the autodiff path’s step to float rounding', (implementation) => {
    for (const [, make] of policies) {
      const rng = new Rng(13);
      const policy = randomized(make(), rng);
      const thetaOld = getFlatParams(policy.variables);
      const batch = randomBatch(policy, rng, 200, 'plain');
      const viaTensors = trpoUpdate(tf, policy, batch, trpoConfig({ implementation: 'autodiff' }));
      const afterTensors = getFlatParams(policy.variables);
      setFlatParams(tf, policy.variables, thetaOld);
      const viaHost = trpoUpdate(tf, policy, batch, trpoConfig({ implementation }));
      const afterHost = getFlatParams(policy.variables);
      expect(viaHost.accepted).toBe(true);
      expect(viaHost.lineSearchSteps).toBe(viaTensors.lineSearchSteps);
      // CG (15 iterations) amplifies the tensor path's float32 rounding: the steps agree to ~1e-3, not 1e-6.
      expect(Math.abs(viaHost.kl - viaTensors.kl)).toBeLessThan(1e-2 * viaTensors.kl);
      const stepHost = afterHost.map((t, i) => t - thetaOld[i]);
      const stepTensors = afterTensors.map((t, i) => t - thetaOld[i]);
      expect(relativeError(stepHost, stepTensors)).toBeLessThan(1e-2);
      policy.dispose();
    }
  });
});
