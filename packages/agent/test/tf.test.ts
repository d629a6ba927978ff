import { beforeAll, describe, expect, it } from 'vitest';
import type { Tensor, Tensor4D } from '@tensorflow/tfjs';
import { loadTf, type Tf } from '../src/tf.js';

/** Deterministic pseudo-random numbers in [-1, 1). */
function rand(n: number, seed: number): Float32Array {
  let s = seed >>> 0;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = s / 2 ** 31 - 1;
  }
  return out;
}

describe('loadTf', () => {
  let tf: Tf;
  let backend: string;

  beforeAll(async () => {
    ({ tf, backend } = await loadTf());
    console.log(`[tf.test] TensorFlow.js ${tf.version.tfjs} on backend '${backend}'`);
  });

  it('reports the active backend, and it is tfjs-node when required', async () => {
    expect(['tensorflow', 'wasm', 'cpu']).toContain(backend);
    expect(tf.getBackend()).toBe(backend);
    expect((await loadTf()).tf).toBe(tf); // cached
    if (process.env.VINEGYM_REQUIRE_TFJS_NODE === '1') {
      expect(backend, 'VINEGYM_REQUIRE_TFJS_NODE=1 but tfjs-node did not load (run `pnpm install`)').toBe('tensorflow');
    }
  });

  it('multiplies matrices', () => {
    const small = tf.tidy(() => {
      const a = tf.tensor2d([
        [1, 2],
        [3, 4],
      ]);
      return tf.matMul(a, a).arraySync();
    });
    expect(small).toEqual([
      [7, 10],
      [15, 22],
    ]);

    const [m, k, n] = [17, 33, 9];
    const a = rand(m * k, 1);
    const b = rand(k * n, 2);
    const got = tf.tidy(() => tf.matMul(tf.tensor2d(a, [m, k]), tf.tensor2d(b, [k, n])).dataSync());
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        let want = 0;
        for (let p = 0; p < k; p++) want += a[i * k + p]! * b[p * n + j]!;
        expect(got[i * n + j]).toBeCloseTo(want, 4);
      }
    }
  });

  it('takes nested gradients: d²/dx² x³ at 2 is 12', () => {
    const cube = (x: Tensor) => x.mul(x).mul(x);
    const d1 = tf.grad(cube);
    const d2 = tf.grad((x: Tensor) => d1(x));
    expect(tf.tidy(() => d1(tf.scalar(2)).dataSync()[0])).toBeCloseTo(12, 4);
    expect(tf.tidy(() => d2(tf.scalar(2)).dataSync()[0])).toBeCloseTo(12, 4);
  });

  it('differentiates conv2d (input and filter) like a finite difference', () => {
    const xShape: [number, number, number, number] = [2, 6, 5, 2];
    const fShape: [number, number, number, number] = [3, 3, 2, 3];
    const xv = rand(
      xShape.reduce((p, q) => p * q),
      3,
    );
    const fv = rand(
      fShape.reduce((p, q) => p * q),
      4,
    );
    const outShape = [2, 3, 3, 3]; // stride 2, 'same' padding
    const wv = rand(
      outShape.reduce((p, q) => p * q),
      5,
    );

    // loss(x, f) = sum(conv2d(x, f) * w): bilinear, so a central difference is exact up to rounding.
    const loss = (x: Float32Array, f: Float32Array): number =>
      tf.tidy(() => {
        const y = tf.conv2d(tf.tensor4d(x, xShape), tf.tensor4d(f, fShape), 2, 'same');
        expect(y.shape).toEqual(outShape);
        return y.mul(tf.tensor(wv, outShape)).sum().dataSync()[0]!;
      });
    const [gx, gf] = tf.tidy(() => {
      const g = tf.grads((x, f) =>
        tf
          .conv2d(x as Tensor4D, f as Tensor4D, 2, 'same')
          .mul(tf.tensor(wv, outShape))
          .sum(),
      )([tf.tensor4d(xv, xShape), tf.tensor4d(fv, fShape)]);
      return [g[0]!.dataSync(), g[1]!.dataSync()];
    });

    const eps = 0.25;
    const check = (values: Float32Array, grad: Float32Array, which: 'x' | 'f') => {
      const picks = [0, 7, 13, values.length >> 1, values.length - 5, values.length - 1];
      for (const i of picks) {
        const plus = values.slice();
        const minus = values.slice();
        plus[i]! += eps;
        minus[i]! -= eps;
        const fd =
          which === 'x'
            ? (loss(plus, fv) - loss(minus, fv)) / (2 * eps)
            : (loss(xv, plus) - loss(xv, minus)) / (2 * eps);
        expect(Math.abs(grad[i]! - fd), `d loss / d ${which}[${i}]: ${grad[i]} vs ${fd}`).toBeLessThan(
          1e-3 * Math.max(1, Math.abs(fd)),
        );
      }
    };
    check(xv, gx as Float32Array, 'x');
    check(fv, gf as Float32Array, 'f');
  });
});
