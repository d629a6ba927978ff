/**
 * Mean-squared-error regression of a fully connected network (the value function's Mlp) on plain typed arrays:
 * forward pass, backpropagation written out layer by layer, no tensors. A minibatch step of the value fit is one
 * call here instead of ~75 tfjs ops, whose fixed cost dominates at the value function's size.
 *
 * Parameters are one flat Float32Array in the order of `Mlp.variables`: for each layer its weight
 * (inputs × outputs, row-major, as tf stores it) and then its bias.
 *
 *   forward   a₀ = x,  z_l = a_{l−1} W_l + b_l,  a_l = act(z_l) (hidden layers), ŷ = z_L
 *   loss      L = (1/R) Σ_r (ŷ_r − y_r)²
 *   backward  δ_L = 2(ŷ − y)/R,  ∂L/∂W_l = a_{l−1}ᵀ δ_l,  ∂L/∂b_l = Σ_r δ_l,
 *             δ_{l−1} = (δ_l W_lᵀ) ⊙ act′,  act′ = 1 − a² (tanh), [a > 0] (relu)
 */
import { gemmNT, transpose } from '../math/gemm.js';
import type { Activation } from './layers.js';

interface LayerSlots {
  inputs: number;
  outputs: number;
  weightOffset: number;
  biasOffset: number;
}

export class MlpRegression {
  readonly parameterCount: number;
  private readonly layers: LayerSlots[];
  /** Post-activation outputs per layer (index 0: the input rows), max rows × size. */
  private readonly activations: Float32Array[];
  private readonly deltas: Float32Array[];
  /** Scratch: a layer's weight transposed, an activation or delta transposed. */
  private readonly weightT: Float32Array;
  private readonly activationT: Float32Array;
  private readonly deltaT: Float32Array;

  /** `sizes`: [inputs, ...hidden, outputs]; `maxRows`: the largest minibatch. */
  constructor(
    readonly sizes: number[],
    readonly activation: Activation,
    readonly maxRows: number,
  ) {
    let offset = 0;
    this.layers = sizes.slice(1).map((outputs, l) => {
      const inputs = sizes[l];
      const slots = { inputs, outputs, weightOffset: offset, biasOffset: offset + inputs * outputs };
      offset += inputs * outputs + outputs;
      return slots;
    });
    this.parameterCount = offset;
    this.activations = sizes.map((size) => new Float32Array(maxRows * size));
    this.deltas = sizes.map((size) => new Float32Array(maxRows * size));
    const widest = Math.max(...sizes);
    this.weightT = new Float32Array(widest * widest);
    this.activationT = new Float32Array(maxRows * widest);
    this.deltaT = new Float32Array(maxRows * widest);
  }

  /** Network outputs for `rows` rows of `x` (row-major); a view into internal memory, valid until the next call. */
  forward(params: Float32Array, x: Float32Array, rows: number): Float32Array {
    if (rows > this.maxRows) throw new RangeError(`${rows} rows exceed maxRows ${this.maxRows}`);
    this.activations[0].set(x.subarray(0, rows * this.sizes[0]));
    this.layers.forEach((layer, l) => {
      const { inputs, outputs, weightOffset, biasOffset } = layer;
      transpose(params.subarray(weightOffset, biasOffset), this.weightT, inputs, outputs);
      const out = this.activations[l + 1];
      gemmNT(
        this.activations[l],
        this.weightT,
        out,
        rows,
        outputs,
        inputs,
        params.subarray(biasOffset, biasOffset + outputs),
      );
      if (l < this.layers.length - 1) activate(out, rows * outputs, this.activation);
    });
    return this.activations[this.layers.length].subarray(0, rows * this.sizes[this.sizes.length - 1]);
  }

  /** Mean squared error of the (single-output) network on (x, y); writes ∂L/∂θ into `gradient`. */
  lossAndGradient(
    params: Float32Array,
    x: Float32Array,
    y: ArrayLike<number>,
    rows: number,
    gradient: Float32Array,
  ): number {
    const prediction = this.forward(params, x, rows);
    const last = this.layers.length;
    const top = this.deltas[last];
    let loss = 0;
    for (let r = 0; r < rows; r++) {
      const error = prediction[r] - y[r];
      loss += error * error;
      top[r] = (2 * error) / rows;
    }
    for (let l = last - 1; l >= 0; l--) {
      const { inputs, outputs, weightOffset, biasOffset } = this.layers[l];
      const input = this.activations[l];
      const delta = this.deltas[l + 1];
      // ∂L/∂W = inputᵀ δ: (inputs × rows)(rows × outputs), both read along rows.
      transpose(input, this.activationT, rows, inputs);
      transpose(delta, this.deltaT, rows, outputs);
      gemmNT(this.activationT, this.deltaT, gradient.subarray(weightOffset, biasOffset), inputs, outputs, rows);
      for (let j = 0; j < outputs; j++) {
        let sum = 0;
        for (let r = 0; r < rows; r++) sum += this.deltaT[j * rows + r];
        gradient[biasOffset + j] = sum;
      }
      if (l === 0) break; // no gradient for the input rows
      // δ_{l−1} = (δ W_lᵀ) ⊙ act′(a_{l−1}): W_l is inputs × outputs, read along its outputs.
      const below = this.deltas[l];
      gemmNT(delta, params.subarray(weightOffset, biasOffset), below, rows, inputs, outputs);
      for (let i = 0; i < rows * inputs; i++) {
        const a = input[i];
        below[i] *= this.activation === 'tanh' ? 1 - a * a : a > 0 ? 1 : 0;
      }
    }
    return loss / rows;
  }
}

function activate(values: Float32Array, count: number, activation: Activation): void {
  if (activation === 'tanh') for (let i = 0; i < count; i++) values[i] = Math.tanh(values[i]);
  else for (let i = 0; i < count; i++) values[i] = Math.max(0, values[i]);
}
