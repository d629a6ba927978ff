import { describe, expect, it } from 'vitest';
import { conjugateGradient } from '../src/algos/trpo/conjugate-gradient.js';
import { discountedReturns, explainedVariance, generalizedAdvantageEstimate } from '../src/math/gae.js';
import { ObservationNormalizer } from '../src/math/normalizer.js';
import { Rng } from '@vinegym/rng';

/** Dense solve by Gaussian elimination with partial pivoting (reference for CG). */
function directSolve(matrix: Float64Array, b: Float64Array): Float64Array {
  const n = b.length;
  const a = Array.from({ length: n }, (_, i) => [...matrix.subarray(i * n, (i + 1) * n), b[i]]);
  for (let col = 0; col < n; col++) {
    const pivot = a
      .slice(col)
      .reduce((best, row, i) => (Math.abs(row[col]) > Math.abs(a[best][col]) ? col + i : best), col);
    [a[col], a[pivot]] = [a[pivot], a[col]];
    for (let r = col + 1; r < n; r++) {
      const f = a[r][col] / a[col][col];
      for (let c = col; c <= n; c++) a[r][c] -= f * a[col][c];
    }
  }
  const x = new Float64Array(n);
  for (let r = n - 1; r >= 0; r--) {
    let s = a[r][n];
    for (let c = r + 1; c < n; c++) s -= a[r][c] * x[c];
    x[r] = s / a[r][r];
  }
  return x;
}

describe('conjugateGradient', () => {
  it('solves random SPD systems like a direct solve', () => {
    const rng = new Rng(1);
    for (const n of [1, 5, 12]) {
      // A = BᵀB + I: symmetric positive definite with condition number small enough for n iterations.
      const b = Float64Array.from({ length: n * n }, () => rng.normal());
      const matrix = new Float64Array(n * n);
      for (let i = 0; i < n; i++)
        for (let j = 0; j < n; j++) for (let k = 0; k < n; k++) matrix[i * n + j] += b[k * n + i] * b[k * n + j];
      for (let i = 0; i < n; i++) matrix[i * n + i] += 1;
      const rhs = Float64Array.from({ length: n }, () => rng.normal());
      const product = (v: Float64Array) =>
        Float64Array.from({ length: n }, (_, i) => v.reduce((s, x, j) => s + matrix[i * n + j] * x, 0));
      const { x } = conjugateGradient(product, rhs, { iterations: 2 * n, residualTolerance: 1e-20 });
      const expected = directSolve(matrix, rhs);
      x.forEach((xi, i) => expect(xi).toBeCloseTo(expected[i], 8));
    }
  });

  it('stops at the residual tolerance and after the iteration cap', () => {
    const identity = (v: Float64Array) => v;
    expect(conjugateGradient(identity, Float64Array.of(1, 2)).iterations).toBe(1);
    const diagonal = (v: Float64Array) => v.map((x, i) => (i + 1) * x);
    expect(conjugateGradient(diagonal, new Float64Array(20).fill(1), { iterations: 3 }).iterations).toBe(3);
    expect(conjugateGradient(diagonal, new Float64Array(3)).iterations).toBe(0);
  });
});

describe('generalizedAdvantageEstimate', () => {
  const gamma = 0.9;
  const lambda = 0.5;
  it('matches a hand-computed example with termination, truncation and a batch cut', () => {
    // Episode 1: steps 0,1, terminated at 1.  Episode 2: steps 2,3, truncated at 3 (V(final obs) = 10).
    // Episode 3: step 4, cut by the end of the batch (V(next obs) = 20).
    const rewards = [1, 2, 3, 4, 5];
    const values = [0.5, 1, 1.5, 2, 2.5];
    const terminated = [0, 1, 0, 0, 0];
    const truncated = [0, 0, 0, 1, 0];
    const bootstrap = [0, 99, 0, 10, 20]; // 99 must be ignored: termination does not bootstrap
    const d1 = 2 - 1; // r1 + γ·0 − V1
    const d0 = 1 + gamma * 1 - 0.5;
    const d3 = 4 + gamma * 10 - 2;
    const d2 = 3 + gamma * 2 - 1.5;
    const d4 = 5 + gamma * 20 - 2.5;
    const expected = [d0 + gamma * lambda * d1, d1, d2 + gamma * lambda * d3, d3, d4];
    const { advantages, returns } = generalizedAdvantageEstimate(
      rewards,
      values,
      terminated,
      truncated,
      bootstrap,
      gamma,
      lambda,
    );
    advantages.forEach((a, i) => expect(a).toBeCloseTo(expected[i], 5));
    returns.forEach((r, i) => expect(r).toBeCloseTo(expected[i] + values[i], 5));
  });

  it('with λ = 1 equals discounted returns minus values', () => {
    const rewards = [1, 0, 2, 1];
    const values = [0.3, 0.2, 0.1, 0.4];
    const flags = [
      [0, 0, 1, 0],
      [0, 0, 0, 0],
    ];
    const { advantages } = generalizedAdvantageEstimate(rewards, values, flags[0], flags[1], [0, 0, 0, 0], gamma, 1);
    const mc = discountedReturns(rewards, flags[0], flags[1], gamma);
    advantages.forEach((a, i) => expect(a).toBeCloseTo(mc[i] - values[i], 5));
    expect(Array.from(mc)).toEqual([1 + gamma * gamma * 2, gamma * 2, 2, 1].map(Math.fround));
  });

  it('discountedReturns bootstraps truncated episodes only when given values', () => {
    expect(discountedReturns([1, 1], [0, 0], [0, 1], 0.5, [0, 4])[0]).toBeCloseTo(1 + 0.5 * (1 + 0.5 * 4));
    expect(discountedReturns([1, 1], [0, 1], [0, 0], 0.5, [0, 4])[0]).toBeCloseTo(1.5);
  });
});

describe('explainedVariance', () => {
  it('is 1 for perfect predictions, 0 for the mean, NaN for a constant target', () => {
    expect(explainedVariance([1, 2, 3], [1, 2, 3])).toBeCloseTo(1);
    expect(explainedVariance([2, 2, 2], [1, 2, 3])).toBeCloseTo(0);
    expect(explainedVariance([1, 2], [5, 5])).toBeNaN();
  });
});

describe('ObservationNormalizer', () => {
  const rng = new Rng(3);
  const size = 3;
  const data = Float64Array.from({ length: 300 * size }, (_, i) => 5 * (i % size) + (1 + (i % size)) * rng.normal());
  const numpyMoments = (x: ArrayLike<number>) => {
    const rows = x.length / size;
    const mean = Array.from(
      { length: size },
      (_, j) => Array.from({ length: rows }, (_, r) => x[r * size + j]).reduce((a, b) => a + b) / rows,
    );
    const variance = mean.map(
      (m, j) => Array.from({ length: rows }, (_, r) => (x[r * size + j] - m) ** 2).reduce((a, b) => a + b) / rows,
    );
    return { mean, variance };
  };

  it('matches population mean / variance whether updated at once, in pieces or merged', () => {
    const expected = numpyMoments(data);
    const whole = new ObservationNormalizer(size);
    whole.update(data);
    const pieces = new ObservationNormalizer(size);
    pieces.update(data.subarray(0, 7 * size));
    pieces.update(data.subarray(7 * size, 200 * size));
    const other = new ObservationNormalizer(size);
    other.update(data.subarray(200 * size));
    pieces.merge(other);
    for (const n of [whole, pieces]) {
      expect(n.count).toBe(300);
      expected.mean.forEach((m, j) => expect(n.mean[j]).toBeCloseTo(m, 10));
      expected.variance.forEach((v, j) => expect(n.variance[j]).toBeCloseTo(v, 9));
    }
  });

  it('normalizes, clips, and restores from its serialized state', () => {
    const n = new ObservationNormalizer(size, { clip: 2 });
    n.update(data);
    const z = n.normalize(data);
    expect(Math.max(...z)).toBeLessThanOrEqual(2);
    const unclipped = new ObservationNormalizer(size, { clip: Infinity });
    unclipped.update(data);
    const standardized = numpyMoments(unclipped.normalize(data));
    standardized.mean.forEach((m) => expect(m).toBeCloseTo(0, 5));
    standardized.variance.forEach((v) => expect(v).toBeCloseTo(1, 5));
    const restored = new ObservationNormalizer(size, { clip: 2 });
    restored.restore(JSON.parse(JSON.stringify(n.serialize())));
    expect(Array.from(restored.normalize(data))).toEqual(Array.from(z));
  });
});
