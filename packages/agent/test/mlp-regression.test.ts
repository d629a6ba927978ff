import { describe, expect, it } from 'vitest';
import type * as tfType from '@tensorflow/tfjs';
import { Adam } from '../src/math/adam.js';
import { getFlatParams } from '../src/math/flat.js';
import { gemmNT, transpose } from '../src/math/gemm.js';
import { Rng } from '@vinegym/rng';
import { Mlp, type Activation } from '../src/policies/layers.js';
import { MlpRegression } from '../src/policies/mlp-regression.js';
import { ValueFunction } from '../src/policies/value-function.js';
import { tf } from './tf-setup.js';

function randomArray(rng: Rng, length: number): Float32Array {
  return Float32Array.from({ length }, () => rng.normal());
}

describe('gemmNT', () => {
  it.each([
    [1, 1, 1],
    [2, 4, 3],
    [5, 7, 11],
    [128, 64, 64],
    [3, 1, 64],
  ])('A·Bᵀ + bias matches the definition for %i×%i×%i (odd sizes exercise the edge loops)', (m, n, k) => {
    const rng = new Rng(m * 100 + n * 10 + k);
    const a = randomArray(rng, m * k);
    const b = randomArray(rng, n * k);
    const bias = randomArray(rng, n);
    const c = new Float32Array(m * n);
    gemmNT(a, b, c, m, n, k, bias);
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        let expected = bias[j];
        for (let p = 0; p < k; p++) expected += a[i * k + p] * b[j * k + p];
        expect(c[i * n + j]).toBeCloseTo(expected, 4);
      }
    }
  });

  it('transposes row-major matrices', () => {
    const out = new Float32Array(6);
    transpose(Float32Array.from([1, 2, 3, 4, 5, 6]), out, 2, 3);
    expect(Array.from(out)).toEqual([1, 4, 2, 5, 3, 6]);
  });
});

describe('MlpRegression', () => {
  it.each<[Activation, number[]]>([
    ['tanh', [5, 8, 6, 1]],
    ['relu', [3, 16, 1]],
    ['tanh', [11, 64, 64, 1]],
  ])('gives the forward pass and the MSE gradient of tf autodiff (%s, sizes %j)', (activation, sizes) => {
    const rng = new Rng(7);
    const mlp = new Mlp(tf, {
      inputSize: sizes[0],
      hiddenSizes: sizes.slice(1, -1),
      outputSize: 1,
      activation,
      outputGain: 1,
      seed: 3,
    });
    const rows = 37;
    const x = randomArray(rng, rows * sizes[0]);
    const y = randomArray(rng, rows);
    const regression = new MlpRegression(sizes, activation, rows);
    const params = getFlatParams(mlp.variables);
    expect(regression.parameterCount).toBe(params.length);
    const gradient = new Float32Array(params.length);
    const loss = regression.lossAndGradient(params, x, y, rows, gradient);

    const xs = tf.tensor2d(x, [rows, sizes[0]]);
    const ys = tf.tensor2d(y, [rows, 1]);
    const mse = () => tf.mean(tf.square(tf.sub(mlp.apply(tf, xs), ys))) as tfType.Scalar;
    const { value, grads } = tf.variableGrads(mse, mlp.variables);
    expect(loss).toBeCloseTo(value.dataSync()[0], 4);
    const expected = mlp.variables.flatMap((v) => Array.from(grads[v.name].dataSync()));
    const scale = Math.max(...expected.map(Math.abs));
    expected.forEach((g, i) => expect(Math.abs(gradient[i] - g)).toBeLessThan(1e-4 * scale));
    const prediction = regression.forward(params, x, rows);
    const tfPrediction = tf.tidy(() => mlp.apply(tf, xs).dataSync());
    prediction.forEach((p, i) => expect(p).toBeCloseTo(tfPrediction[i], 4));
    tf.dispose([xs, ys, value, ...Object.values(grads)]);
    mlp.variables.forEach((v) => v.dispose());
  });

  it('refuses more rows than it was sized for', () => {
    const regression = new MlpRegression([2, 4, 1], 'tanh', 3);
    expect(() => regression.forward(new Float32Array(regression.parameterCount), new Float32Array(8), 4)).toThrow(
      /4 rows exceed maxRows 3/,
    );
  });
});

describe('Adam.update', () => {
  it('takes the same step on host copies as minimize does on the variables', () => {
    const rng = new Rng(2);
    const target = randomArray(rng, 6);
    const [a, b] = [0, 1].map(() => [tf.variable(tf.tensor(randomArray(new Rng(9), 6)))]);
    const loss = (v: tfType.Variable) => () => tf.sum(tf.square(tf.sub(v, tf.tensor(target)))) as tfType.Scalar;
    const onTape = new Adam(tf, a, { learningRate: 0.1 });
    const onHost = new Adam(tf, b, { learningRate: 0.1 });
    const params = getFlatParams(b);
    for (let step = 0; step < 5; step++) {
      onTape.minimize(loss(a[0]));
      onHost.update(
        params,
        Float32Array.from(params, (p, i) => 2 * (p - target[i])),
      );
    }
    Array.from(a[0].dataSync()).forEach((v, i) => expect(params[i]).toBeCloseTo(v, 5));
  });
});

describe('ValueFunction on host', () => {
  it('fits an MLP as the tensor path does: same minibatches, nearly the same weights', () => {
    const rng = new Rng(4);
    const n = 300;
    const obs = randomArray(rng, n * 3);
    const targets = Float32Array.from({ length: n }, (_, i) => Math.sin(obs[3 * i]) + obs[3 * i + 1] * obs[3 * i + 2]);
    const options = { obsSize: 3, hiddenSizes: [16, 16], epochs: 10, minibatchSize: 64, learningRate: 1e-2, seed: 5 };
    const host = new ValueFunction(tf, { ...options, hostFit: true });
    const reference = new ValueFunction(tf, { ...options, hostFit: false });
    const hostStats = host.fit(obs, targets);
    const referenceStats = reference.fit(obs, targets);
    expect(hostStats.lossBefore).toBeCloseTo(referenceStats.lossBefore, 5);
    expect(hostStats.lossAfter).toBeCloseTo(referenceStats.lossAfter, 3);
    expect(hostStats.lossAfter).toBeLessThan(0.5 * hostStats.lossBefore);
    const [w1, w2] = [host.serialize(), reference.serialize()];
    w1.forEach((w, k) => w.forEach((v, i) => expect(Math.abs(v - w2[k][i])).toBeLessThan(1e-3)));
    host.dispose();
    reference.dispose();
  });

  it("takes the Hopper preset's steps as the tensor path does, up to float rounding (the default since it is)", () => {
    // 11 inputs, 64-64 tanh, minibatches of 128 at 1e-3 on a 2048-row batch: sb3-contrib's critic settings.
    const rng = new Rng(6);
    const [n, d] = [2048, 11];
    const obs = randomArray(rng, n * d);
    const targets = Float32Array.from(
      { length: n },
      (_, i) => 10 * Math.sin(obs[d * i]) + obs[d * i + 1] * obs[d * i + 2],
    );
    const options = { obsSize: d, hiddenSizes: [64, 64], epochs: 4, minibatchSize: 128, learningRate: 1e-3, seed: 8 };
    const host = new ValueFunction(tf, { ...options, hostFit: true });
    const reference = new ValueFunction(tf, { ...options, hostFit: false });
    for (let fit = 0; fit < 2; fit++) {
      const [a, b] = [host.fit(obs, targets), reference.fit(obs, targets)];
      expect(Math.abs(a.lossAfter - b.lossAfter)).toBeLessThan(1e-4 * b.lossAfter);
    }
    expect(host.trainingState().optimizer.step).toBe(128);
    const [w1, w2] = [host.serialize(), reference.serialize()];
    let worst = 0;
    w1.forEach((w, k) =>
      w.forEach((v, i) => (worst = Math.max(worst, Math.abs(v - w2[k][i]) / (Math.abs(w2[k][i]) + 1e-3)))),
    );
    // 128 Adam steps apart only by the order of float32 sums: relative differences of ~2e-5 (measured).
    expect(worst).toBeLessThan(2e-4);
    host.dispose();
    reference.dispose();
  }, 60_000);
});
