/**
 * `HostMlp.forward` with its matrix products in WebAssembly SIMD (math/simd-kernels.ts): the same outputs to the
 * last bit (float64 sums in the same order, float32 storage), a few times fewer CPU cycles per row. The policies'
 * host forward (host-forward.ts) acts with it for a few rows at a time, once per turn of a vector env, while the
 * weights change only once per update: so the weights are copied into the kernels' memory and promoted to
 * float64 once per `weightsKey`, not once per call. The activations (Math.tanh) run in JavaScript, on views of
 * the same memory.
 */
import { instantiateValueFitKernels, KernelArena, type ValueFitKernels } from '../math/simd-kernels.js';
import { activate, layerSlots } from './host-mlp.js';
import type { Activation } from './layers.js';

interface Layer {
  inputs: number;
  outputs: number;
  /** Byte offsets: the layer's weight promoted to float64, its float32 bias in the copied parameters. */
  weight64: number;
  bias: number;
  /** Float offset of the layer's weight in the flat parameters. */
  weightOffset: number;
}

export class SimdMlpForward {
  readonly outputSize: number;
  private readonly kernels: ValueFitKernels;
  private readonly layers: Layer[];
  /** The network's part of the flat parameters (per layer weight, then bias), float32, and its length. */
  private readonly params: number;
  private readonly parameterCount: number;
  private readonly activations: number[];
  private readonly activationViews: Float32Array[];
  private loadedKey: number | undefined = undefined;

  /** `sizes`: [inputs, ...hidden, outputs]; `maxRows`: the most rows a forward pass takes. */
  constructor(
    readonly sizes: number[],
    readonly activation: Activation,
    readonly maxRows: number,
  ) {
    const arena = new KernelArena();
    const { layers, parameterCount } = layerSlots(sizes);
    this.parameterCount = parameterCount;
    this.outputSize = sizes[sizes.length - 1];
    this.params = arena.take(4 * parameterCount);
    this.layers = layers.map(({ inputs, outputs, weightOffset, biasOffset }) => ({
      inputs,
      outputs,
      weightOffset,
      weight64: arena.take(8 * inputs * outputs),
      bias: this.params + 4 * biasOffset,
    }));
    this.activations = sizes.map((size) => arena.take(4 * maxRows * size));
    this.kernels = instantiateValueFitKernels(arena.end);
    const buffer = this.kernels.memory.buffer;
    this.activationViews = sizes.map((size, l) => new Float32Array(buffer, this.activations[l], maxRows * size));
  }

  /**
   * Network outputs for `rows` rows of `x` (row-major); a view into internal memory, valid until the next call.
   * `params` may go on past the network's parameters (a Gaussian's log σ): those are not read. `weightsKey` names
   * the values of `params`: while calls pass the same key, the weights loaded by the first of them are used;
   * without a key they are loaded every call.
   */
  forward(params: Float32Array, x: Float32Array, rows: number, weightsKey?: number): Float32Array {
    if (rows > this.maxRows) throw new RangeError(`${rows} rows exceed maxRows ${this.maxRows}`);
    const { gemm, promote, memory } = this.kernels;
    if (weightsKey === undefined || weightsKey !== this.loadedKey) {
      new Float32Array(memory.buffer, this.params, this.parameterCount).set(params.subarray(0, this.parameterCount));
      for (const { inputs, outputs, weight64, weightOffset } of this.layers)
        promote(this.params + 4 * weightOffset, outputs, 1, weight64, inputs, outputs);
      this.loadedKey = weightsKey;
    }
    this.activationViews[0].set(x.subarray(0, rows * this.sizes[0]));
    const last = this.layers.length - 1;
    this.layers.forEach(({ inputs, outputs, weight64, bias }, l) => {
      gemm(this.activations[l], inputs, 1, weight64, bias, this.activations[l + 1], rows, outputs, inputs);
      if (l < last) activate(this.activationViews[l + 1], rows * outputs, this.activation);
    });
    return this.activationViews[last + 1].subarray(0, rows * this.outputSize);
  }
}
