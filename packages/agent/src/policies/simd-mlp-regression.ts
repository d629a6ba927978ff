/**
 * The value fit's minibatch step — mean-squared-error gradient of the MLP (as `MlpRegression`) and Adam's update
 * (as `AdamMoments`) — with the matrix products and the update in WebAssembly SIMD (math/simd-kernels.ts). The
 * weights, gradient and moments live in the kernels' memory for the whole fit, so a step copies only its
 * minibatch. Same arithmetic in the same order as the scalar path: the weights after a fit are its weights to
 * the last bit (simd-kernels.test.ts). The activations (tanh through Math.tanh) and the output error stay in
 * JavaScript, on views of the same memory.
 *
 *   forward   z_l = a_{l−1} W_l + b_l                   gemm(a_{l−1}, W_l as float64)
 *   gradient  ∂L/∂W_l = a_{l−1}ᵀ δ_l,  ∂L/∂b_l = 1ᵀ δ_l   gemm(a_{l−1} read down its columns, δ_l as float64)
 *   backward  δ_{l−1} = (δ_l W_lᵀ) ⊙ act′               gemm(δ_l, W_lᵀ as float64)
 */
import { AdamMoments, type AdamHyperparameters } from '../math/adam-moments.js';
import { instantiateValueFitKernels, KernelArena, type ValueFitKernels } from '../math/simd-kernels.js';
import { activate, layerSlots, multiplyBySlope } from './host-mlp.js';
import type { Activation } from './layers.js';

/** The optimizer state a fit starts from and leaves (the fields of `HostFitState` it advances). */
export interface RegressionState {
  params: Float32Array;
  adamFirst: Float32Array;
  adamSecond: Float32Array;
  adamStep: number;
}

interface Layer {
  inputs: number;
  outputs: number;
  /** Byte offsets of the layer's weight and bias in the parameters (and in the gradient, from its base). */
  weight: number;
  bias: number;
}

export class SimdMlpRegression {
  /** The next step's input rows (row-major, `maxRows × inputs`) and targets: fill the first `rows` of each. */
  readonly x: Float32Array;
  readonly y: Float32Array;
  private readonly kernels: ValueFitKernels;
  private readonly adam: AdamMoments;
  private readonly layers: Layer[];
  private readonly parameterCount: number;
  private readonly params: number;
  private readonly gradient: number;
  private readonly first: number;
  private readonly second: number;
  /** float64 scratch: one layer's weight, promoted (forward) or promoted and transposed (backward). */
  private readonly weight64: number;
  /** float64 scratch: a layer's δ, promoted. */
  private readonly delta64: number;
  /** `maxRows` ones: 1ᵀ δ is the bias gradient. */
  private readonly ones: number;
  /** Per layer of sizes: the activations a_l (index 0: the input rows) and deltas δ_l (index 0 unused). */
  private readonly activations: number[];
  private readonly deltas: number[];
  private readonly activationViews: Float32Array[];
  private readonly deltaViews: Float32Array[];

  /**
   * `sizes`: [inputs, ...hidden, 1]; `maxRows`: the largest minibatch. Copies `state` in; `save` copies it out.
   */
  constructor(
    readonly sizes: number[],
    readonly activation: Activation,
    readonly maxRows: number,
    adam: AdamHyperparameters,
    state: RegressionState,
  ) {
    if (sizes[sizes.length - 1] !== 1) throw new RangeError('the regression has one output');
    const arena = new KernelArena();
    const { layers, parameterCount: offset } = layerSlots(sizes);
    this.layers = layers.map(({ inputs, outputs, weightOffset, biasOffset }) => ({
      inputs,
      outputs,
      weight: 4 * weightOffset,
      bias: 4 * biasOffset,
    }));
    this.parameterCount = offset;
    if (state.params.length !== offset) throw new RangeError(`${state.params.length} parameters for sizes ${sizes}`);
    const vector = () => arena.take(4 * offset);
    [this.params, this.gradient, this.first, this.second] = [vector(), vector(), vector(), vector()];
    this.weight64 = arena.take(8 * Math.max(...this.layers.map((l) => l.inputs * l.outputs)));
    this.delta64 = arena.take(8 * maxRows * Math.max(...sizes.slice(1)));
    this.ones = arena.take(4 * maxRows);
    this.activations = sizes.map((size) => arena.take(4 * maxRows * size));
    this.deltas = sizes.map((size) => arena.take(4 * maxRows * size));
    this.kernels = instantiateValueFitKernels(arena.end);

    const buffer = this.kernels.memory.buffer;
    const floats = (byteOffset: number, length: number) => new Float32Array(buffer, byteOffset, length);
    floats(this.params, offset).set(state.params);
    floats(this.first, offset).set(state.adamFirst);
    floats(this.second, offset).set(state.adamSecond);
    floats(this.ones, maxRows).fill(1);
    this.activationViews = sizes.map((size, l) => floats(this.activations[l], maxRows * size));
    this.deltaViews = sizes.map((size, l) => floats(this.deltas[l], maxRows * size));
    this.x = this.activationViews[0];
    this.y = new Float32Array(maxRows);
    // Hyperparameters with their defaults, and the step count; its moment arrays are the state's, written by `save`.
    this.adam = new AdamMoments(adam, state.adamFirst, state.adamSecond, state.adamStep);
  }

  /** One Adam step on the mean squared error of the first `rows` rows of `x` against `y`. */
  step(rows: number): void {
    if (rows > this.maxRows) throw new RangeError(`${rows} rows exceed maxRows ${this.maxRows}`);
    const { gemm, promote, adam } = this.kernels;
    const { layers, params, gradient, weight64, delta64, activations, deltas } = this;
    const last = layers.length;
    layers.forEach(({ inputs, outputs, weight, bias }, l) => {
      promote(params + weight, outputs, 1, weight64, inputs, outputs);
      gemm(activations[l], inputs, 1, weight64, params + bias, activations[l + 1], rows, outputs, inputs);
      if (l < last - 1) activate(this.activationViews[l + 1], rows * outputs, this.activation);
    });
    const prediction = this.activationViews[last];
    const top = this.deltaViews[last];
    for (let r = 0; r < rows; r++) top[r] = (2 * (prediction[r] - this.y[r])) / rows;
    for (let l = last - 1; l >= 0; l--) {
      const { inputs, outputs, weight, bias } = layers[l];
      promote(deltas[l + 1], outputs, 1, delta64, rows, outputs);
      gemm(activations[l], 1, inputs, delta64, 0, gradient + weight, inputs, outputs, rows);
      gemm(this.ones, 0, 1, delta64, 0, gradient + bias, 1, outputs, rows);
      if (l === 0) break; // no gradient for the input rows
      promote(params + weight, 1, outputs, weight64, outputs, inputs);
      gemm(deltas[l + 1], outputs, 1, weight64, 0, deltas[l], rows, inputs, outputs);
      multiplyBySlope(this.deltaViews[l], this.activationViews[l], rows * inputs, this.activation);
    }
    const { beta1, beta2, epsilon, learningRate } = this.adam;
    const t = ++this.adam.step;
    // The constants exactly as AdamMoments.update computes them.
    const stepSize = learningRate / (1 - beta1 ** t);
    const correction = 1 - beta2 ** t;
    adam(
      params,
      gradient,
      this.first,
      this.second,
      this.parameterCount,
      beta1,
      1 - beta1,
      beta2,
      1 - beta2,
      stepSize,
      correction,
      epsilon,
    );
  }

  /** Writes the weights, Adam moments and step count into `state`. */
  save(state: RegressionState): void {
    const buffer = this.kernels.memory.buffer;
    const n = this.parameterCount;
    state.params.set(new Float32Array(buffer, this.params, n));
    state.adamFirst.set(new Float32Array(buffer, this.first, n));
    state.adamSecond.set(new Float32Array(buffer, this.second, n));
    state.adamStep = this.adam.step;
  }
}
