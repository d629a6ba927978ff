/**
 * Fisher-vector products against two independent computations:
 *  1. central finite differences of the KL gradient along v (checks the second differentiation);
 *  2. Jᵀ M J v with J from per-output first-order gradients and M the analytic Fisher metric (checks that the
 *     Hessian of the KL really is the averaged Fisher matrix of the parameterization).
 * All in float32 on tiny networks.
 */
import { describe, expect, it } from 'vitest';
import { flatGrad, getFlatParams, parameterCount, setFlatParams } from '../src/math/flat.js';
import { Rng } from '@vinegym/rng';
import { AtariCnnPolicy } from '../src/policies/atari-cnn-policy.js';
import { fisherMetric, toPlainDistParams, type DistParams } from '../src/policies/distributions.js';
import { CategoricalMlpPolicy, GaussianMlpPolicy } from '../src/policies/mlp-policies.js';
import type { Policy } from '../src/policies/policy.js';
import { fisherVectorProduct } from '../src/algos/trpo/fisher.js';
import { meanKl } from '../src/algos/trpo/objectives.js';
import { tf } from './tf-setup.js';

/** Random unit vector, so ε below is the length of the finite-difference step whatever the parameter count. */
function randomUnitVector(rng: Rng, n: number): Float64Array {
  const v = Float64Array.from({ length: n }, () => rng.normal());
  const norm = Math.hypot(...v);
  return v.map((x) => x / norm);
}

function relativeError(actual: ArrayLike<number>, expected: ArrayLike<number>): number {
  let diff = 0;
  let norm = 0;
  for (let i = 0; i < expected.length; i++) {
    diff += (actual[i] - expected[i]) ** 2;
    norm += expected[i] ** 2;
  }
  return Math.sqrt(diff / norm);
}

/** Perturbs θ away from the (almost degenerate) initialization so the test exercises generic parameters. */
function randomizeParams(policy: Policy, rng: Rng, scale: number): void {
  const theta = getFlatParams(policy.variables).map((t) => t + scale * rng.normal());
  setFlatParams(tf, policy.variables, theta);
}

/** ∇θ D̄_KL(θ_old, θ) at θ = θ_old + ε v, with θ_old's distributions fixed. */
function klGradientAt(
  policy: Policy,
  obs: ReturnType<typeof tf.tensor>,
  oldParams: DistParams,
  theta: Float32Array,
): Float32Array {
  setFlatParams(tf, policy.variables, theta);
  return flatGrad(tf, () => meanKl(tf, oldParams, policy.distributionParams(obs)), policy.variables);
}

function finiteDifferenceFvp(
  policy: Policy,
  obs: ReturnType<typeof tf.tensor>,
  v: Float64Array,
  epsilon: number,
): Float64Array {
  const theta = getFlatParams(policy.variables);
  const oldParams = policy.distributionParams(obs);
  const plus = klGradientAt(
    policy,
    obs,
    oldParams,
    theta.map((t, i) => t + epsilon * v[i]),
  );
  const minus = klGradientAt(
    policy,
    obs,
    oldParams,
    theta.map((t, i) => t - epsilon * v[i]),
  );
  setFlatParams(tf, policy.variables, theta);
  tf.dispose(Object.values(oldParams).filter((x) => typeof x !== 'string'));
  return Float64Array.from(plus, (p, i) => (p - minus[i]) / (2 * epsilon));
}

/** (1/N) Σ_rows J_rowᵀ M_row J_row v, J_row = ∂(distribution coordinates of row)/∂θ by one gradient per coordinate. */
function jacobianFisherProduct(policy: Policy, obs: ReturnType<typeof tf.tensor>, v: Float64Array): Float64Array {
  const params = policy.distributionParams(obs);
  const plain = toPlainDistParams(params);
  tf.dispose(Object.values(params).filter((x) => typeof x !== 'string'));
  const rows = obs.shape[0];
  const coordinate = (p: DistParams) => (p.kind === 'gaussian' ? tf.concat([p.mean, p.logStd], 1) : p.logits);
  const result = new Float64Array(v.length);
  for (let row = 0; row < rows; row++) {
    const metric = fisherMetric(plain, row);
    const d = Math.sqrt(metric.length);
    const jacobianRows = Array.from({ length: d }, (_, c) =>
      flatGrad(
        tf,
        () => tf.tidy(() => coordinate(policy.distributionParams(obs)).slice([row, c], [1, 1]).sum()) as never,
        policy.variables,
      ),
    );
    const jv = jacobianRows.map((jr) => jr.reduce((s, x, i) => s + x * v[i], 0));
    const mjv = Array.from({ length: d }, (_, i) => jv.reduce((s, x, j) => s + metric[i * d + j] * x, 0));
    for (let c = 0; c < d; c++) for (let i = 0; i < v.length; i++) result[i] += (jacobianRows[c][i] * mjv[c]) / rows;
  }
  return result;
}

/** `twiceDifferentiable`: every op has a second derivative in tfjs, so the nested-gradient product exists (not conv2d). */
const cases: { name: string; make: () => Policy; obsShape: number[]; twiceDifferentiable: boolean }[] = [
  {
    name: 'Gaussian MLP',
    make: () => new GaussianMlpPolicy(tf, { obsSize: 3, actionDim: 2, hiddenSizes: [5], seed: 1 }),
    obsShape: [3],
    twiceDifferentiable: true,
  },
  {
    name: 'categorical MLP',
    make: () => new CategoricalMlpPolicy(tf, { obsSize: 3, numActions: 4, hiddenSizes: [5], seed: 2 }),
    obsShape: [3],
    twiceDifferentiable: true,
  },
  {
    name: 'Atari CNN (small image)',
    make: () =>
      new AtariCnnPolicy(tf, { numActions: 3, obsShape: [15, 13, 2], convFilters: 2, hiddenSize: 4, seed: 3 }),
    obsShape: [15, 13, 2],
    twiceDifferentiable: false,
  },
];

describe.each(cases)('fisherVectorProduct: $name', ({ make, obsShape, twiceDifferentiable }) => {
  const rng = new Rng(7);
  const policy = make();
  randomizeParams(policy, rng, 0.3);
  const batch = 6;
  const obs = tf.tensor(
    Float32Array.from({ length: batch * obsShape.reduce((a, b) => a * b) }, () => rng.normal()),
    [batch, ...obsShape],
  );
  const v = randomUnitVector(rng, parameterCount(policy.variables));
  const fvp = fisherVectorProduct(tf, policy, obs, v, 0);

  it('equals central differences of the KL gradient along v', () => {
    // ε = 1e-2: truncation error O(ε²‖∇³KL‖) ~ 1e-4 relative; float32 round-off in the gradients / (2ε) ~ 1e-5.
    expect(relativeError(fvp, finiteDifferenceFvp(policy, obs, v, 1e-2))).toBeLessThan(5e-3);
  });

  it('equals Jᵀ M J v with the analytic Fisher metric', () => {
    // Both sides are exact up to float32 round-off (~1e-7 per op), accumulated over a few hundred terms.
    expect(relativeError(fvp, jacobianFisherProduct(policy, obs, v))).toBeLessThan(1e-4);
  });

  it.runIf(twiceDifferentiable)(
    'is the same whether computed as Jᵀ M J v (forward mode) or as the KL Hessian (nested gradients)',
    () => {
      const withoutForwardMode = Object.assign(Object.create(policy) as Policy, { linearize: undefined });
      expect(relativeError(fvp, fisherVectorProduct(tf, withoutForwardMode, obs, v, 0))).toBeLessThan(1e-5);
    },
  );

  it('adds damping · v', () => {
    const damped = fisherVectorProduct(tf, policy, obs, v, 0.1);
    expect(
      relativeError(
        damped,
        fvp.map((x, i) => x + 0.1 * v[i]),
      ),
    ).toBeLessThan(1e-6);
  });
});
