/**
 * Network building blocks for the policies and the value function, written with plain tfjs ops on
 * tf.Variables (no tf.layers), so the flat parameter vector θ is simply the list of variables. Each layer also
 * gives its forward-mode derivative (`tangent`), from which the policies build Fisher-vector products.
 *
 * Initialization: orthogonal weights (Saxe et al. 2014), as in OpenAI Baselines / CleanRL: gain √2 for hidden
 * layers, 0.01 for the policy output layer (the initial policy is then nearly uniform / centred, so the first
 * KL-constrained steps are well conditioned), 1 for the value output; biases zero. Weights are drawn from the
 * package's seeded Rng, so a network is a pure function of its seed.
 */
import type * as tfType from '@tensorflow/tfjs';
import type { Tf } from '../tf.js';
import { Rng } from '@vinegym/rng';

export type Activation = 'tanh' | 'relu';

export const HIDDEN_GAIN = Math.SQRT2;
export const POLICY_OUTPUT_GAIN = 0.01;
export const VALUE_OUTPUT_GAIN = 1;

/** Row-major `rows × cols` matrix with orthonormal columns (or rows, if fewer), scaled by `gain`. */
export function orthogonalMatrix(rng: Rng, rows: number, cols: number, gain: number): Float32Array {
  // Gram–Schmidt on Gaussian vectors: the smaller side gets orthonormal vectors of the larger side's length.
  const count = Math.min(rows, cols);
  const length = Math.max(rows, cols);
  const vectors: Float64Array[] = [];
  for (let i = 0; i < count; i++) {
    const v = Float64Array.from({ length }, () => rng.normal());
    for (const u of vectors) {
      let projection = 0;
      for (let j = 0; j < length; j++) projection += u[j] * v[j];
      for (let j = 0; j < length; j++) v[j] -= projection * u[j];
    }
    const norm = Math.hypot(...v);
    for (let j = 0; j < length; j++) v[j] /= norm;
    vectors.push(v);
  }
  const matrix = new Float32Array(rows * cols);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) matrix[r * cols + c] = gain * (rows >= cols ? vectors[c][r] : vectors[r][c]);
  }
  return matrix;
}

export function activate(tf: Tf, x: tfType.Tensor, activation: Activation): tfType.Tensor {
  return activation === 'tanh' ? tf.tanh(x) : tf.relu(x);
}

/** y = x W + b, with W: [inputSize, outputSize]. */
export class Dense {
  readonly weight: tfType.Variable;
  readonly bias: tfType.Variable;

  constructor(tf: Tf, rng: Rng, inputSize: number, outputSize: number, gain: number) {
    this.weight = tf.variable(tf.tensor2d(orthogonalMatrix(rng, inputSize, outputSize, gain), [inputSize, outputSize]));
    this.bias = tf.variable(tf.zeros([outputSize]));
  }

  get variables(): tfType.Variable[] {
    return [this.weight, this.bias];
  }

  apply(tf: Tf, x: tfType.Tensor2D): tfType.Tensor2D {
    return tf.add(tf.matMul(x, this.weight), this.bias);
  }

  /** d(x W + b) = dx W + x dW + db; `dx` is null for a network input, which does not move with θ. */
  tangent(
    tf: Tf,
    x: tfType.Tensor2D,
    dx: tfType.Tensor2D | null,
    dWeight: tfType.Tensor,
    dBias: tfType.Tensor,
  ): tfType.Tensor2D {
    const fromParams = tf.add(tf.matMul(x, dWeight as tfType.Tensor2D), dBias);
    return (dx ? tf.add(tf.matMul(dx, this.weight), fromParams) : fromParams) as tfType.Tensor2D;
  }
}

export interface MlpOptions {
  inputSize: number;
  hiddenSizes: number[];
  outputSize: number;
  activation: Activation;
  outputGain: number;
  seed: number;
}

/** Fully connected network: activation after every hidden layer, linear output. */
export class Mlp {
  readonly layers: Dense[];
  readonly activation: Activation;

  constructor(tf: Tf, { inputSize, hiddenSizes, outputSize, activation, outputGain, seed }: MlpOptions) {
    const rng = new Rng(seed);
    const sizes = [inputSize, ...hiddenSizes, outputSize];
    this.layers = sizes
      .slice(1)
      .map((size, i) => new Dense(tf, rng, sizes[i], size, i === hiddenSizes.length ? outputGain : HIDDEN_GAIN));
    this.activation = activation;
  }

  get variables(): tfType.Variable[] {
    return this.layers.flatMap((layer) => layer.variables);
  }

  apply(tf: Tf, x: tfType.Tensor2D): tfType.Tensor2D {
    let h = x;
    this.layers.forEach((layer, i) => {
      h = layer.apply(tf, h);
      if (i < this.layers.length - 1) h = activate(tf, h, this.activation) as tfType.Tensor2D;
    });
    return h;
  }

  /**
   * The output and its directional derivative when θ moves along `tangents` (one tensor per variable, shaped
   * like it, in `variables` order): forward-mode differentiation written out layer by layer, no gradient tape.
   */
  applyWithTangent(
    tf: Tf,
    x: tfType.Tensor2D,
    tangents: tfType.Tensor[],
  ): { output: tfType.Tensor2D; tangent: tfType.Tensor2D } {
    let h = x;
    let dh: tfType.Tensor2D | null = null;
    this.layers.forEach((layer, i) => {
      const z = layer.apply(tf, h);
      const dz = layer.tangent(tf, h, dh, tangents[2 * i], tangents[2 * i + 1]);
      if (i === this.layers.length - 1) {
        [h, dh] = [z, dz];
      } else {
        h = activate(tf, z, this.activation) as tfType.Tensor2D;
        // tanh' = 1 − tanh², relu' = step(z)
        const slope = this.activation === 'tanh' ? tf.sub(1, tf.square(h)) : tf.step(z);
        dh = tf.mul(slope, dz) as tfType.Tensor2D;
      }
    });
    return { output: h, tangent: dh! };
  }
}

/** Output size of a 'valid' convolution along one axis. */
export function convOutputSize(inputSize: number, kernelSize: number, stride: number): number {
  return Math.floor((inputSize - kernelSize) / stride) + 1;
}

/**
 * 'valid' 2-D convolution, NHWC, on tf.conv2d. The kernel is [k, k, inChannels, filters]. tfjs cannot
 * differentiate conv2d twice (its filter gradient has no gradient), so policies built on it give the
 * Fisher-vector product its forward-mode derivative (`tangent`) instead of nested gradients.
 */
export class Conv2d {
  readonly weight: tfType.Variable;
  readonly bias: tfType.Variable;

  constructor(
    tf: Tf,
    rng: Rng,
    readonly inChannels: number,
    readonly filters: number,
    readonly kernelSize: number,
    readonly stride: number,
    gain: number,
  ) {
    // Orthogonal over (fan-in × filters), as for a dense layer on the flattened patches.
    const fanIn = kernelSize * kernelSize * inChannels;
    this.weight = tf.variable(
      tf.tensor4d(orthogonalMatrix(rng, fanIn, filters, gain), [kernelSize, kernelSize, inChannels, filters]),
    );
    this.bias = tf.variable(tf.zeros([filters]));
  }

  get variables(): tfType.Variable[] {
    return [this.weight, this.bias];
  }

  apply(tf: Tf, x: tfType.Tensor4D): tfType.Tensor4D {
    return tf.add(tf.conv2d(x, this.weight as tfType.Tensor4D, this.stride, 'valid'), this.bias);
  }

  /** d(conv(x, W) + b) = conv(dx, W) + conv(x, dW) + db: convolution is linear in each argument. */
  tangent(
    tf: Tf,
    x: tfType.Tensor4D,
    dx: tfType.Tensor4D | null,
    dWeight: tfType.Tensor,
    dBias: tfType.Tensor,
  ): tfType.Tensor4D {
    const fromParams = tf.add(tf.conv2d(x, dWeight as tfType.Tensor4D, this.stride, 'valid'), dBias);
    return (
      dx ? tf.add(tf.conv2d(dx, this.weight as tfType.Tensor4D, this.stride, 'valid'), fromParams) : fromParams
    ) as tfType.Tensor4D;
  }
}
