import { describe, expect, it } from 'vitest';
import { Rng } from '@vinegym/rng';
import {
  entropy,
  kl,
  logProb,
  plainLogProb,
  sampleCategorical,
  sampleGaussian,
  softmaxRow,
  type DistParams,
} from '../src/policies/distributions.js';
import { tf } from './tf-setup.js';

const gaussian = (mean: number[][], logStd: number[][]): DistParams => ({
  kind: 'gaussian',
  mean: tf.tensor2d(mean),
  logStd: tf.tensor2d(logStd),
});
const categorical = (logits: number[][]): DistParams => ({ kind: 'categorical', logits: tf.tensor2d(logits) });
const values = (t: ReturnType<typeof tf.tensor>) => Array.from(t.dataSync());

describe('diagonal Gaussian', () => {
  const p = gaussian([[0.5, -1]], [[Math.log(2), Math.log(0.5)]]);
  const q = gaussian([[0, 0]], [[0, Math.log(1.5)]]);

  it('logProb and entropy match the closed form', () => {
    const a = [1.5, -0.25];
    const normalLogPdf = (x: number, m: number, s: number) =>
      -0.5 * ((x - m) / s) ** 2 - Math.log(s) - 0.5 * Math.log(2 * Math.PI);
    const expected = normalLogPdf(1.5, 0.5, 2) + normalLogPdf(-0.25, -1, 0.5);
    expect(values(logProb(tf, p, tf.tensor2d([a])))[0]).toBeCloseTo(expected, 5);
    expect(
      plainLogProb(
        {
          kind: 'gaussian',
          mean: Float32Array.of(0.5, -1),
          logStd: Float32Array.of(Math.log(2), Math.log(0.5)),
          actionDim: 2,
        },
        a,
      )[0],
    ).toBeCloseTo(expected, 5);
    expect(values(entropy(tf, p))[0]).toBeCloseTo(Math.log(2) + Math.log(0.5) + Math.log(2 * Math.PI * Math.E), 5);
  });

  it('KL(p‖q) matches a Monte-Carlo estimate E_p[log p − log q], and KL(p‖p) = 0', () => {
    const rng = new Rng(5);
    const n = 40000;
    const samples = sampleGaussian(
      Float32Array.from({ length: 2 * n }, (_, i) => [0.5, -1][i % 2]),
      Float32Array.from({ length: 2 * n }, (_, i) => [Math.log(2), Math.log(0.5)][i % 2]),
      Float64Array.from({ length: 2 * n }, () => rng.normal()),
    );
    const actions = tf.tensor2d(samples, [n, 2]);
    const tile = (d: DistParams): DistParams =>
      d.kind === 'gaussian'
        ? { kind: 'gaussian', mean: tf.tile(d.mean, [n, 1]), logStd: tf.tile(d.logStd, [n, 1]) }
        : d;
    const monteCarlo = tf.mean(tf.sub(logProb(tf, tile(p), actions), logProb(tf, tile(q), actions))).dataSync()[0];
    const exact = values(kl(tf, p, q))[0];
    // Standard error of the estimate is ~0.01 here.
    expect(Math.abs(monteCarlo - exact)).toBeLessThan(0.04);
    expect(values(kl(tf, p, p))[0]).toBeCloseTo(0, 6);
  });
});

describe('categorical', () => {
  const p = categorical([[1, 0, -1, 0.5]]);
  const q = categorical([[0, 0.2, 0.3, -0.5]]);
  const probs = softmaxRow([1, 0, -1, 0.5], 0, 4);

  it('logProb and entropy match the closed form, even for huge logits', () => {
    expect(values(logProb(tf, p, tf.tensor1d([2], 'int32')))[0]).toBeCloseTo(Math.log(probs[2]), 5);
    expect(values(entropy(tf, p))[0]).toBeCloseTo(-probs.reduce((s, x) => s + x * Math.log(x), 0), 5);
    expect(values(logProb(tf, categorical([[1000, 0]]), tf.tensor1d([1], 'int32')))[0]).toBeCloseTo(-1000, 2);
  });

  it('KL matches a Monte-Carlo estimate, KL(p‖p) = 0, and sampling follows the probabilities', () => {
    const rng = new Rng(6);
    const n = 40000;
    const logits = Float32Array.from({ length: 4 * n }, (_, i) => [1, 0, -1, 0.5][i % 4]);
    const samples = sampleCategorical(
      logits,
      4,
      Float64Array.from({ length: n }, () => rng.uniform()),
    );
    const counts = [0, 0, 0, 0];
    for (const a of samples) counts[a]++;
    counts.forEach((c, k) => expect(Math.abs(c / n - probs[k])).toBeLessThan(0.01));
    const qProbs = softmaxRow([0, 0.2, 0.3, -0.5], 0, 4);
    const monteCarlo = Array.from(samples).reduce((s, a) => s + Math.log(probs[a] / qProbs[a]), 0) / n;
    expect(Math.abs(monteCarlo - values(kl(tf, p, q))[0])).toBeLessThan(0.02);
    expect(values(kl(tf, p, p))[0]).toBeCloseTo(0, 6);
  });
});
