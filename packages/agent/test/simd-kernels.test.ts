import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { Rng } from '@vinegym/rng';
import { assembleKernels, KERNELS_BINARY_FILE } from '../scripts/build-wasm.js';
import { AdamMoments } from '../src/math/adam-moments.js';
import { gemmNT, transpose } from '../src/math/gemm.js';
import { instantiateValueFitKernels, simdKernelsSupported } from '../src/math/simd-kernels.js';
import { fitMlpOnHost, type HostFitSettings, type HostFitState } from '../src/policies/host-value-fit.js';
import { HostMlp } from '../src/policies/host-mlp.js';
import type { Activation } from '../src/policies/layers.js';
import { SimdMlpForward } from '../src/policies/simd-mlp-forward.js';

// The SIMD kernels promise the scalar path's results to the last bit (same float64 operations in the same order,
// float32 storage), so every comparison here is exact: the tolerance is zero.
const bits = (values: Float32Array) => Array.from(new Uint32Array(values.slice().buffer));

function randomArray(rng: Rng, length: number): Float32Array {
  return Float32Array.from({ length }, () => rng.normal());
}

describe('value-fit kernels in WebAssembly', () => {
  it('are checked in as the assembled text (regenerate with pnpm build:wasm)', async () => {
    const [assembled, checkedIn] = await Promise.all([assembleKernels(), readFile(KERNELS_BINARY_FILE)]);
    expect(Buffer.from(assembled).equals(checkedIn)).toBe(true);
  });

  it('run on this runtime (Node has WebAssembly SIMD)', () => {
    expect(simdKernelsSupported()).toBe(true);
  });

  it.each([
    [1, 1, 1, true],
    [3, 1, 64, false],
    [5, 11, 7, true],
    [128, 64, 11, true],
    [64, 64, 128, false],
    [2, 19, 5, true],
    [7, 64, 348, true], // an odd row count at Humanoid's observation width (rows are taken two at a time)
    [348, 64, 128, false], // the first layer's weight gradient at that width
  ])('gemm gives gemmNT bit for bit for %i×%i×%i (bias %s), A read along rows and down columns', (m, n, k, bias) => {
    const rng = new Rng(m * 1000 + n * 10 + k);
    const a = randomArray(rng, m * k);
    const b = randomArray(rng, n * k); // N × K, as gemmNT takes it
    const biasValues = randomArray(rng, n);
    const expected = new Float32Array(m * n);
    gemmNT(a, b, expected, m, n, k, bias ? biasValues : undefined);

    const kernels = instantiateValueFitKernels(256 + 4 * (2 * m * k + n + m * n + k * n) + 8 * k * n);
    let free = 16; // nothing lives at 0: a bias pointer of 0 means none
    const take = (bytes: number) => [free, (free += Math.ceil(bytes / 16) * 16)][0];
    const floats = (offset: number, length: number) => new Float32Array(kernels.memory.buffer, offset, length);
    const [aAt, aTAt, biasAt, cAt, b32At, bAt] = [4 * m * k, 4 * m * k, 4 * n, 4 * m * n, 4 * k * n, 8 * k * n].map(
      take,
    );
    floats(aAt, m * k).set(a);
    transpose(a, floats(aTAt, m * k), m, k); // K × M: the same A, to be read down its columns
    floats(biasAt, n).set(biasValues);
    transpose(b, floats(b32At, k * n), n, k); // K × N, the kernel's layout of B, then promoted
    kernels.promote(b32At, n, 1, bAt, k, n);
    for (const [at, sai, sap] of [
      [aAt, k, 1],
      [aTAt, 1, m],
    ]) {
      kernels.gemm(at, sai, sap, bAt, bias ? biasAt : 0, cAt, m, n, k);
      expect(bits(floats(cAt, m * n))).toEqual(bits(expected));
    }
  });

  it('promote copies a float32 matrix into float64, transposed on request', () => {
    const kernels = instantiateValueFitKernels(1024);
    new Float32Array(kernels.memory.buffer, 16, 6).set([1, 2, 3, 4, 5, 6]); // 2 × 3
    kernels.promote(16, 3, 1, 64, 2, 3);
    expect(Array.from(new Float64Array(kernels.memory.buffer, 64, 6))).toEqual([1, 2, 3, 4, 5, 6]);
    kernels.promote(16, 1, 3, 128, 3, 2);
    expect(Array.from(new Float64Array(kernels.memory.buffer, 128, 6))).toEqual([1, 4, 2, 5, 3, 6]);
  });

  it.each([1, 2, 7, 4993])("adam takes AdamMoments.update's steps bit for bit (%i parameters)", (count) => {
    const rng = new Rng(count);
    const hyper = { learningRate: 3e-3, beta1: 0.8, beta2: 0.99, epsilon: 1e-6 };
    const params = randomArray(rng, count);
    const reference = AdamMoments.zero(hyper, count);
    const kernels = instantiateValueFitKernels(16 + 16 * count + 64);
    const at = (slot: number) => 16 + 4 * slot * count + 16 * slot;
    const floats = (slot: number) => new Float32Array(kernels.memory.buffer, at(slot), count);
    floats(0).set(params);
    for (let step = 1; step <= 5; step++) {
      const gradient = randomArray(rng, count);
      reference.update(params, gradient);
      floats(1).set(gradient);
      const { beta1, beta2, epsilon, learningRate } = reference;
      kernels.adam(
        at(0),
        at(1),
        at(2),
        at(3),
        count,
        beta1,
        1 - beta1,
        beta2,
        1 - beta2,
        learningRate / (1 - beta1 ** step),
        1 - beta2 ** step,
        epsilon,
      );
      expect(bits(floats(0))).toEqual(bits(params));
      expect(bits(floats(2))).toEqual(bits(reference.first));
      expect(bits(floats(3))).toEqual(bits(reference.second));
    }
  });
});

describe('the host value fit with SIMD kernels', () => {
  it.each<[Activation, number[], number, number]>([
    ['tanh', [11, 64, 64, 1], 2048, 128],
    ['tanh', [5, 8, 6, 1], 300, 64],
    ['relu', [3, 17, 1], 101, 32],
    ['tanh', [105, 64, 64, 1], 301, 128],
  ])(
    'leaves the scalar kernels’ weights, moments, step and generator, bit for bit (%s, sizes %j, %i rows in minibatches of %i)',
    (activation, sizes, rows, minibatchSize) => {
      const rng = new Rng(sizes[1]);
      const obs = randomArray(rng, rows * sizes[0]);
      const targets = Float32Array.from({ length: rows }, (_, i) => 5 * Math.sin(obs[i * sizes[0]]) + rng.normal());
      let parameterCount = 0;
      for (let l = 1; l < sizes.length; l++) parameterCount += (sizes[l - 1] + 1) * sizes[l];
      const start = randomArray(rng, parameterCount).map((v) => 0.3 * v);
      const fresh = (): HostFitState => ({
        params: start.slice(),
        adamFirst: new Float32Array(parameterCount),
        adamSecond: new Float32Array(parameterCount),
        adamStep: 0,
        rng: new Rng(9).state(),
      });
      const settings = (kernel: 'simd' | 'js'): HostFitSettings => ({
        sizes,
        activation,
        epochs: 2,
        minibatchSize,
        adam: { learningRate: 1e-3 },
        kernel,
      });
      const [simd, js] = [fresh(), fresh()];
      for (let fit = 0; fit < 2; fit++) {
        fitMlpOnHost(settings('simd'), simd, obs, targets);
        fitMlpOnHost(settings('js'), js, obs, targets);
      }
      expect(bits(simd.params)).not.toEqual(bits(start)); // it did fit
      expect(bits(simd.params)).toEqual(bits(js.params));
      expect(bits(simd.adamFirst)).toEqual(bits(js.adamFirst));
      expect(bits(simd.adamSecond)).toEqual(bits(js.adamSecond));
      expect(simd.adamStep).toBe(js.adamStep);
      expect(simd.adamStep).toBe(4 * Math.ceil(rows / minibatchSize));
      expect(simd.rng).toEqual(js.rng);
    },
    60_000,
  );
});

describe('the policy forward with SIMD kernels', () => {
  it.each<[Activation, number[]]>([
    ['tanh', [11, 64, 64, 3]],
    ['relu', [5, 17, 4]],
    ['tanh', [4, 2]],
  ])(
    'gives HostMlp.forward bit for bit, and reloads the weights when their key changes (%s, sizes %j)',
    (activation, sizes) => {
      const rng = new Rng(sizes.length * 100 + sizes[1]);
      let count = 0;
      for (let l = 1; l < sizes.length; l++) count += (sizes[l - 1] + 1) * sizes[l];
      const simd = new SimdMlpForward(sizes, activation, 64);
      const scalar = new HostMlp(sizes, activation, 64);
      // One extra value past the network's parameters, as a Gaussian's log σ follows them: not read.
      let params = randomArray(rng, count + 1);
      for (const [rows, key] of [
        [1, 1],
        [3, 1],
        [64, 1],
        [16, 2],
        [5, undefined],
        [5, undefined],
      ] as const) {
        if (key !== 1 || rows === 1) params = randomArray(rng, count + 1).map((v) => 0.5 * v);
        const x = randomArray(rng, rows * sizes[0]);
        const expected = scalar.forward(params, x, rows).slice();
        expect(bits(simd.forward(params, x, rows, key))).toEqual(bits(expected));
      }
      // A changed θ under the same key is not seen (the key promises the values did not change)...
      const x = randomArray(rng, 2 * sizes[0]);
      const before = simd.forward(params, x, 2, 7).slice();
      const changed = params.map((v) => v + 0.25);
      expect(bits(simd.forward(changed, x, 2, 7))).toEqual(bits(before));
      // ...and a new key loads it.
      expect(bits(simd.forward(changed, x, 2, 8))).toEqual(bits(scalar.forward(changed, x, 2)));
      expect(() => simd.forward(params, new Float32Array(65 * sizes[0]), 65, 9)).toThrow(/65 rows exceed maxRows 64/);
    },
  );
});
