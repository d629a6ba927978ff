/**
 * A fully connected network (the layout of `Mlp`: tanh or relu hidden layers, linear output) on plain typed
 * arrays: its forward pass and, for the rows of the last forward pass, the products with its Jacobian J (outputs
 * with respect to the parameters) that TRPO's update needs: J v (forward mode) and Jᵀ w (backpropagation).
 * A tensor op costs tens of microseconds of fixed overhead in tfjs; at a 64-64 network that is most of the time.
 *
 * Parameters are one flat array in the order of `Mlp.variables`: for each layer its weight (inputs × outputs,
 * row-major, as tf stores it) and then its bias.
 *
 *   forward    a₀ = x,  z_l = a_l W_l + b_l,  a_{l+1} = act(z_l) (hidden layers),  y = z_L
 *   Jacobian   P_l = ∂y/∂z_l per row (outputs × width of z_l): P_L = I,  P_l = (P_{l+1} W_{l+1}ᵀ) ⊙ act′(z_l)
 *   J v        y′ = Σ_l P_l (a_l dW_l + db_l)               (dW_l, db_l: the parts of v)
 *   Jᵀ w       δ_l = P_lᵀ w,  ∂/∂W_l = a_lᵀ δ_l,  ∂/∂b_l = Σ_rows δ_l
 *
 * With P_l computed once per batch (`prepareJacobian`), each product costs two matrix products per layer
 * (a_l dW_l and a_lᵀ δ_l) plus O(rows × width × outputs): the many products of one conjugate-gradient solve
 * share everything that does not depend on v. Storage is float32, sums are float64 (JavaScript numbers).
 */
import { gemmNT, transpose, type FloatArray } from '../math/gemm.js';
import type { Activation } from './layers.js';

/** Where a layer's parameters are in the flat vector (offsets in floats). */
export interface LayerSlots {
  inputs: number;
  outputs: number;
  weightOffset: number;
  biasOffset: number;
}

/** The layers of an MLP of `sizes` ([inputs, ...hidden, outputs]) in the flat parameters, and their count. */
export function layerSlots(sizes: number[]): { layers: LayerSlots[]; parameterCount: number } {
  let offset = 0;
  const layers = sizes.slice(1).map((outputs, l) => {
    const inputs = sizes[l];
    const slots = { inputs, outputs, weightOffset: offset, biasOffset: offset + inputs * outputs };
    offset += inputs * outputs + outputs;
    return slots;
  });
  return { layers, parameterCount: offset };
}

export class HostMlp {
  readonly parameterCount: number;
  readonly outputSize: number;
  protected readonly layers: LayerSlots[];
  /** Post-activation outputs per layer (index 0: the input rows; last: the network outputs), maxRows × size. */
  protected readonly activations: Float32Array[];
  /** Scratch: a layer's weight transposed. */
  protected readonly weightT: Float32Array;
  /** Rows of the last forward pass. */
  protected rows = 0;
  /** Each layer's weight transposed (outputs × inputs) for `forward`, and the `weightsKey` they were made for. */
  private readonly transposedWeights: Float32Array[];
  private transposedKey: number | undefined = undefined;
  // Jacobian state of the last `prepareJacobian`: a_lᵀ and P_l (rows × outputSize × width, row r's block is
  // P_l of row r, outputs × width row-major).
  private activationsT: Float32Array[] = [];
  private jacobians: Float32Array[] = [];
  private productScratch: Float32Array = new Float32Array(0);
  private deltaT: Float32Array = new Float32Array(0);
  private gradientScratch: Float32Array = new Float32Array(0);

  /** `sizes`: [inputs, ...hidden, outputs]; `maxRows`: the most rows a forward pass takes. */
  constructor(
    readonly sizes: number[],
    readonly activation: Activation,
    readonly maxRows: number,
  ) {
    ({ layers: this.layers, parameterCount: this.parameterCount } = layerSlots(sizes));
    this.outputSize = sizes[sizes.length - 1];
    this.activations = sizes.map((size) => new Float32Array(maxRows * size));
    const widest = Math.max(...sizes);
    this.weightT = new Float32Array(widest * widest);
    this.transposedWeights = this.layers.map(({ inputs, outputs }) => new Float32Array(inputs * outputs));
  }

  /**
   * Network outputs for `rows` rows of `x` (row-major); a view into internal memory, valid until the next call.
   * `weightsKey` names the values of `params`: while calls pass the same key, the weights' transposes of the first
   * of them are reused (a policy's forward between two updates); without a key they are made anew every call.
   */
  forward(params: FloatArray, x: Float32Array, rows: number, weightsKey?: number): Float32Array {
    if (rows > this.maxRows) throw new RangeError(`${rows} rows exceed maxRows ${this.maxRows}`);
    this.rows = rows;
    this.activations[0].set(x.subarray(0, rows * this.sizes[0]));
    const reuse = weightsKey !== undefined && weightsKey === this.transposedKey;
    this.transposedKey = weightsKey;
    this.layers.forEach((layer, l) => {
      const { inputs, outputs, weightOffset, biasOffset } = layer;
      const weightT = this.transposedWeights[l];
      if (!reuse) transpose(params.subarray(weightOffset, biasOffset), weightT, inputs, outputs);
      const out = this.activations[l + 1];
      gemmNT(
        this.activations[l],
        weightT,
        out,
        rows,
        outputs,
        inputs,
        params.subarray(biasOffset, biasOffset + outputs),
      );
      if (l < this.layers.length - 1) activate(out, rows * outputs, this.activation);
    });
    return this.activations[this.layers.length].subarray(0, rows * this.outputSize);
  }

  /** act′(z) from the layer's activation a = act(z). */
  private slope(a: number): number {
    return this.activation === 'tanh' ? 1 - a * a : a > 0 ? 1 : 0;
  }

  /**
   * Prepares J v and Jᵀ w for the rows and parameters of the last forward pass: the per-row Jacobians P_l of
   * the outputs with respect to each layer's pre-activation, and the transposed layer inputs.
   */
  prepareJacobian(params: ArrayLike<number>): void {
    const rows = this.rows;
    const out = this.outputSize;
    const last = this.layers.length - 1;
    this.activationsT = this.layers.map(({ inputs }, l) => {
      const t = new Float32Array(inputs * rows);
      transpose(this.activations[l], t, rows, inputs);
      return t;
    });
    this.jacobians = new Array<Float32Array>(this.layers.length);
    const identity = new Float32Array(rows * out * out);
    for (let r = 0; r < rows; r++) for (let k = 0; k < out; k++) identity[(r * out + k) * out + k] = 1;
    this.jacobians[last] = identity;
    for (let l = last - 1; l >= 0; l--) {
      const width = this.layers[l].outputs;
      const { outputs: nextWidth, weightOffset, biasOffset } = this.layers[l + 1];
      // Stacked over rows, P_{l+1} is (rows·out) × nextWidth and W_{l+1} is width × nextWidth: one product.
      const p = new Float32Array(rows * out * width);
      const weight = Float32Array.from({ length: biasOffset - weightOffset }, (_, i) => params[weightOffset + i]);
      gemmNT(this.jacobians[l + 1], weight, p, rows * out, width, nextWidth);
      const a = this.activations[l + 1];
      for (let r = 0; r < rows; r++) {
        for (let j = 0; j < width; j++) {
          const s = this.slope(a[r * width + j]);
          for (let k = 0; k < out; k++) p[(r * out + k) * width + j] *= s;
        }
      }
      this.jacobians[l] = p;
    }
    const widest = Math.max(...this.sizes);
    this.productScratch = new Float32Array(rows * widest);
    this.deltaT = new Float32Array(rows * widest);
    this.gradientScratch = new Float32Array(widest * widest);
  }

  /** J v: the outputs' directional derivative (rows × outputs) along the network parameters `v`. */
  jacobianProduct(v: ArrayLike<number>, result: FloatArray): void {
    const rows = this.rows;
    const out = this.outputSize;
    result.fill(0, 0, rows * out);
    this.layers.forEach(({ inputs, outputs, weightOffset, biasOffset }, l) => {
      for (let i = 0; i < inputs; i++)
        for (let j = 0; j < outputs; j++) this.weightT[j * inputs + i] = v[weightOffset + i * outputs + j];
      const bias = Float32Array.from({ length: outputs }, (_, j) => v[biasOffset + j]);
      const u = this.productScratch;
      gemmNT(this.activations[l], this.weightT, u, rows, outputs, inputs, bias);
      const p = this.jacobians[l];
      for (let r = 0; r < rows; r++) {
        for (let k = 0; k < out; k++) {
          const block = (r * out + k) * outputs;
          let sum = 0;
          for (let j = 0; j < outputs; j++) sum += p[block + j] * u[r * outputs + j];
          result[r * out + k] += sum;
        }
      }
    });
  }

  /** Jᵀ w: the gradient, written into `gradient` (network parameters), of Σ_rows w · outputs. */
  transposeProduct(w: ArrayLike<number>, gradient: FloatArray): void {
    const rows = this.rows;
    const out = this.outputSize;
    this.layers.forEach(({ inputs, outputs, weightOffset, biasOffset }, l) => {
      const p = this.jacobians[l];
      const deltaT = this.deltaT; // δ_l transposed: outputs × rows
      for (let r = 0; r < rows; r++) {
        for (let j = 0; j < outputs; j++) {
          let sum = 0;
          for (let k = 0; k < out; k++) sum += p[(r * out + k) * outputs + j] * w[r * out + k];
          deltaT[j * rows + r] = sum;
        }
      }
      // Into float32 scratch: gemmNT stays monomorphic (all float32 operands), which V8 compiles much better.
      const weightGradient = this.gradientScratch;
      gemmNT(this.activationsT[l], deltaT, weightGradient, inputs, outputs, rows);
      for (let i = 0; i < inputs * outputs; i++) gradient[weightOffset + i] = weightGradient[i];
      for (let j = 0; j < outputs; j++) {
        let sum = 0;
        for (let r = 0; r < rows; r++) sum += deltaT[j * rows + r];
        gradient[biasOffset + j] = sum;
      }
    });
  }
}

/** a = act(z), in place over the first `count` values. */
export function activate(values: Float32Array, count: number, activation: Activation): void {
  if (activation === 'tanh') for (let i = 0; i < count; i++) values[i] = Math.tanh(values[i]);
  else for (let i = 0; i < count; i++) values[i] = Math.max(0, values[i]);
}

/** δ ← δ ⊙ act′, with act′ from the activations a = act(z): 1 − a² (tanh), [a > 0] (relu); in place. */
export function multiplyBySlope(delta: Float32Array, a: Float32Array, count: number, activation: Activation): void {
  if (activation === 'tanh')
    for (let i = 0; i < count; i++) {
      const ai = a[i];
      delta[i] *= 1 - ai * ai;
    }
  else for (let i = 0; i < count; i++) delta[i] *= a[i] > 0 ? 1 : 0;
}
