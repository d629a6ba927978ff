/**
 * Mean-squared-error regression of a fully connected network (the value function's Mlp) on plain typed arrays:
 * the forward pass of `HostMlp`, backpropagation of the loss written out layer by layer, no tensors. A minibatch step of the value fit is one
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
import { HostMlp, multiplyBySlope } from './host-mlp.js';
import type { Activation } from './layers.js';

export class MlpRegression extends HostMlp {
  private readonly deltas: Float32Array[];
  /** Scratch: an activation or delta transposed. */
  private readonly inputT: Float32Array;
  private readonly errorT: Float32Array;

  /** `sizes`: [inputs, ...hidden, outputs]; `maxRows`: the largest minibatch. */
  constructor(sizes: number[], activation: Activation, maxRows: number) {
    super(sizes, activation, maxRows);
    this.deltas = sizes.map((size) => new Float32Array(maxRows * size));
    const widest = Math.max(...sizes);
    this.inputT = new Float32Array(maxRows * widest);
    this.errorT = new Float32Array(maxRows * widest);
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
      transpose(input, this.inputT, rows, inputs);
      transpose(delta, this.errorT, rows, outputs);
      gemmNT(this.inputT, this.errorT, gradient.subarray(weightOffset, biasOffset), inputs, outputs, rows);
      for (let j = 0; j < outputs; j++) {
        let sum = 0;
        for (let r = 0; r < rows; r++) sum += this.errorT[j * rows + r];
        gradient[biasOffset + j] = sum;
      }
      if (l === 0) break; // no gradient for the input rows
      // δ_{l−1} = (δ W_lᵀ) ⊙ act′(a_{l−1}): W_l is inputs × outputs, read along its outputs.
      const below = this.deltas[l];
      gemmNT(delta, params.subarray(weightOffset, biasOffset), below, rows, inputs, outputs);
      multiplyBySlope(below, input, rows * inputs, this.activation);
    }
    return loss / rows;
  }
}
