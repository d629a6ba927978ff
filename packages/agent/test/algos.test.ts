import { describe, expect, it } from 'vitest';
import {
  cemUpdate,
  extraNoiseVariance,
  initialSearchDistribution,
  sampleCandidates,
  selectElites,
} from '../src/algos/cem/search.js';
import { trainConfig } from '../src/config/train-config.js';
import {
  eliteTrajectoryWeights,
  exponentialTrajectoryWeights,
  refitByMaximumLikelihood,
  weightedLogLikelihood,
} from '../src/algos/rwr/refit.js';
import { vanillaPolicyGradientUpdate } from '../src/algos/vpg/update.js';
import { flatGrad, getFlatParams } from '../src/math/flat.js';
import { lbfgsMinimize, strongWolfeLineSearch } from '../src/math/lbfgs.js';
import { Rng } from '@vinegym/rng';
import { logProb } from '../src/policies/distributions.js';
import { CategoricalMlpPolicy, GaussianMlpPolicy } from '../src/policies/mlp-policies.js';
import { tf } from './tf-setup.js';

/** Rosenbrock f(x) = Σ 100 (x_{i+1} − x_i²)² + (1 − x_i)², minimum 0 at (1, …, 1). */
function rosenbrock(x: Float64Array): { value: number; gradient: Float64Array } {
  let value = 0;
  const gradient = new Float64Array(x.length);
  for (let i = 0; i < x.length - 1; i++) {
    const a = x[i + 1] - x[i] * x[i];
    const b = 1 - x[i];
    value += 100 * a * a + b * b;
    gradient[i] += -400 * a * x[i] - 2 * b;
    gradient[i + 1] += 200 * a;
  }
  return { value, gradient };
}

describe('L-BFGS', () => {
  it('minimizes the 2-D Rosenbrock function from (−1.2, 1) to 1e-6', () => {
    const result = lbfgsMinimize(rosenbrock, [-1.2, 1], { maxIterations: 200 });
    for (const xi of result.x) expect(Math.abs(xi - 1)).toBeLessThan(1e-6);
    expect(result.value).toBeLessThan(1e-12);
    expect(result.iterations).toBeLessThan(100);
  });

  it('minimizes the 10-D Rosenbrock function to 1e-6', () => {
    const x0 = Array.from({ length: 10 }, (_, i) => (i % 2 === 0 ? -1.2 : 1));
    const result = lbfgsMinimize(rosenbrock, x0, { maxIterations: 500 });
    for (const xi of result.x) expect(Math.abs(xi - 1)).toBeLessThan(1e-6);
  });

  it('line search returns a step satisfying the strong Wolfe conditions', () => {
    const x = Float64Array.from([-1.2, 1]);
    const start = rosenbrock(x);
    const p = start.gradient.map((g) => -g);
    const slope0 = start.gradient.reduce((s, g, i) => s + g * p[i], 0);
    const evaluate = (alpha: number) => {
      const xa = x.map((xi, i) => xi + alpha * p[i]);
      const at = rosenbrock(xa);
      return {
        alpha,
        value: at.value,
        slope: at.gradient.reduce((s, g, i) => s + g * p[i], 0),
        x: xa,
        gradient: at.gradient,
      };
    };
    const c1 = 1e-4;
    const c2 = 0.9;
    const { point } = strongWolfeLineSearch(
      evaluate,
      { alpha: 0, value: start.value, slope: slope0, x, gradient: start.gradient },
      1,
      {
        c1,
        c2,
        maxEvaluations: 30,
      },
    );
    expect(point).not.toBeNull();
    expect(point!.value).toBeLessThanOrEqual(start.value + c1 * point!.alpha * slope0);
    expect(Math.abs(point!.slope)).toBeLessThanOrEqual(c2 * Math.abs(slope0));
  });
});

describe('cross-entropy method', () => {
  it('converges to the maximizer of a quadratic objective', () => {
    const target = Float64Array.from([3, -2, 0.5, 1, -1, 2]);
    const score = (theta: Float64Array) => -theta.reduce((s, v, j) => s + (j + 1) * (v - target[j]) ** 2, 0);
    const config = trainConfig({
      cem: { populationSize: 60, eliteFraction: 0.2, initialStd: 2, extraStd: 0.5, extraDecayIterations: 20 },
    }).cem;
    const rng = new Rng(3);
    let distribution = initialSearchDistribution(new Float64Array(target.length), config.initialStd);
    for (let t = 0; t < 80; t++) {
      const candidates = sampleCandidates(distribution, config, rng);
      ({ distribution } = cemUpdate(distribution, candidates, candidates.map(score), config.eliteFraction));
    }
    for (let j = 0; j < target.length; j++) expect(Math.abs(distribution.mean[j] - target[j])).toBeLessThan(1e-3);
    expect(Math.max(...distribution.std)).toBeLessThan(1e-3);
    expect(distribution.generation).toBe(80);
  });

  it('selects the top fraction and decays the extra noise linearly to zero', () => {
    expect(selectElites([1, 5, 3, NaN, 4], 0.4)).toEqual([1, 4]);
    expect(selectElites([1, 2], 0.01)).toEqual([1]);
    const config = { extraStd: 2, extraDecayIterations: 10 };
    expect(extraNoiseVariance(config, 0)).toBe(4);
    expect(extraNoiseVariance(config, 5)).toBe(2);
    expect(extraNoiseVariance(config, 12)).toBe(0);
  });
});

describe('reward-weighted regression', () => {
  it('weights the top 10% of trajectories, or all by exponentiated return', () => {
    const returns = Array.from({ length: 20 }, (_, i) => (i * 7) % 20);
    const elite = eliteTrajectoryWeights(returns, 0.1);
    expect([...elite].reduce((a, b) => a + b, 0)).toBe(2);
    expect(returns.filter((_, i) => elite[i] === 1).sort()).toEqual([18, 19]);
    const soft = exponentialTrajectoryWeights(returns, 1);
    expect(Math.max(...soft)).toBe(1);
    expect(soft[returns.indexOf(0)]).toBeLessThan(soft[returns.indexOf(10)]);
  });

  for (const kind of ['categorical', 'gaussian'] as const) {
    it(`refit with L-BFGS increases the likelihood of the elite actions (${kind})`, () => {
      const rng = new Rng(11);
      const n = 200;
      const policy =
        kind === 'categorical'
          ? new CategoricalMlpPolicy(tf, { obsSize: 4, numActions: 3, hiddenSizes: [16], seed: 1 })
          : new GaussianMlpPolicy(tf, { obsSize: 4, actionDim: 2, hiddenSizes: [16], seed: 1 });
      const obs = Float32Array.from({ length: n * 4 }, () => rng.normal());
      // Elite actions follow a simple rule of the state, so a refit can explain them.
      const actions =
        kind === 'categorical'
          ? Int32Array.from({ length: n }, (_, i) => (obs[i * 4] > 0 ? 2 : 0))
          : Float32Array.from({ length: n * 2 }, (_, k) => obs[Math.floor(k / 2) * 4 + (k % 2)] * 0.5);
      const weights = Float32Array.from({ length: n }, (_, i) => (i % 3 === 0 ? 0.5 : 1));
      const stats = refitByMaximumLikelihood(
        tf,
        policy,
        { obs, actions, weights },
        { lbfgsIterations: 30, lbfgsMemory: 10 },
      );
      expect(stats.logLikelihoodAfter).toBeGreaterThan(stats.logLikelihoodBefore + 0.1);
      const measured = tf.tidy(() => {
        const params = policy.distributionParams(tf.tensor2d(obs, [n, 4]));
        const a = kind === 'categorical' ? tf.tensor1d(actions, 'int32') : tf.tensor2d(actions, [n, 2]);
        return weightedLogLikelihood(tf, params, a, tf.tensor1d(weights)).dataSync()[0];
      });
      expect(measured).toBeCloseTo(stats.logLikelihoodAfter, 5);
      expect(stats.kl).toBeGreaterThan(0);
      policy.dispose();
    });
  }
});

describe('vanilla policy gradient', () => {
  it('steps along the policy gradient ∇θ Ê[log π_θ(a|s) Â]', () => {
    const rng = new Rng(5);
    const n = 64;
    const policy = new GaussianMlpPolicy(tf, { obsSize: 3, actionDim: 2, hiddenSizes: [8], seed: 2 });
    const obs = Float32Array.from({ length: n * 3 }, () => rng.normal());
    const actions = Float32Array.from({ length: n * 2 }, () => rng.normal());
    const advantages = Float32Array.from({ length: n }, () => rng.normal());
    // The policy gradient of the score-function form, at θ_old.
    const obsT = tf.tensor2d(obs, [n, 3]);
    const actionsT = tf.tensor2d(actions, [n, 2]);
    const advT = tf.tensor1d(advantages);
    const gradient = flatGrad(
      tf,
      () => tf.mean(tf.mul(logProb(tf, policy.distributionParams(obsT), actionsT), advT)) as never,
      policy.variables,
    );
    tf.dispose([obsT, actionsT, advT]);
    const before = getFlatParams(policy.variables);
    const learningRate = 0.01;
    const stats = vanillaPolicyGradientUpdate(tf, policy, { obs, actions, advantages }, { learningRate });
    const after = getFlatParams(policy.variables);
    for (let i = 0; i < before.length; i++) expect((after[i] - before[i]) / learningRate).toBeCloseTo(gradient[i], 3);
    expect(stats.surrogateAfter).toBeGreaterThan(stats.surrogateBefore);
    expect(stats.kl).toBeGreaterThan(0);
    policy.dispose();
  });
});
