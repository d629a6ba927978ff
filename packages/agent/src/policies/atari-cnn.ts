/**
 * The paper's Atari network (Appendix A, Figure 5): two convolutional layers of 16 filters (4×4, stride 2,
 * 'valid', tanh, no pooling), a fully connected layer of 20 tanh units and a linear output layer. The policy puts
 * a softmax on its outputs (atari-cnn-policy.ts); the value function for image observations uses the same network
 * with one output.
 *
 * Inputs are NHWC, [batch, 52, 40, 4] by default, expected already scaled (e.g. pixels / 255). tfjs cannot
 * differentiate its convolutions twice, so the network gives its forward-mode derivative (`applyWithTangent`).
 */
import type * as tfType from '@tensorflow/tfjs';
import type { Tf } from '../tf.js';
import { Rng } from '@vinegym/rng';
import { Conv2d, Dense, HIDDEN_GAIN, convOutputSize } from './layers.js';

export interface AtariCnnOptions {
  /** [height, width, stacked frames]; default [52, 40, 4]. */
  inputShape?: [number, number, number];
  outputSize: number;
  /** Orthogonal-initialization gain of the output layer. */
  outputGain: number;
  /** Default 16 (both layers). */
  convFilters?: number;
  /** Default 4. */
  kernelSize?: number;
  /** Default 2. */
  stride?: number;
  /** Default 20. */
  hiddenSize?: number;
  seed?: number;
}

export class AtariCnn {
  readonly conv1: Conv2d;
  readonly conv2: Conv2d;
  readonly hidden: Dense;
  readonly output: Dense;
  readonly variables: tfType.Variable[];
  private readonly flatSize: number;

  constructor(tf: Tf, options: AtariCnnOptions) {
    const {
      inputShape = [52, 40, 4],
      outputSize,
      outputGain,
      convFilters = 16,
      kernelSize = 4,
      stride = 2,
      hiddenSize = 20,
      seed = 0,
    } = options;
    const rng = new Rng(seed);
    const [height, width, channels] = inputShape;
    this.conv1 = new Conv2d(tf, rng, channels, convFilters, kernelSize, stride, HIDDEN_GAIN);
    this.conv2 = new Conv2d(tf, rng, convFilters, convFilters, kernelSize, stride, HIDDEN_GAIN);
    const outHeight = convOutputSize(convOutputSize(height, kernelSize, stride), kernelSize, stride);
    const outWidth = convOutputSize(convOutputSize(width, kernelSize, stride), kernelSize, stride);
    if (outHeight < 1 || outWidth < 1)
      throw new RangeError(
        `observation ${inputShape.join('×')} is too small for two ${kernelSize}×${kernelSize} convolutions`,
      );
    this.flatSize = outHeight * outWidth * convFilters;
    this.hidden = new Dense(tf, rng, this.flatSize, hiddenSize, HIDDEN_GAIN);
    this.output = new Dense(tf, rng, hiddenSize, outputSize, outputGain);
    this.variables = [this.conv1, this.conv2, this.hidden, this.output].flatMap((layer) => layer.variables);
  }

  /** Outputs [batch, outputSize] for inputs [batch, height, width, channels]. */
  apply(tf: Tf, x: tfType.Tensor4D): tfType.Tensor2D {
    const h1 = tf.tanh(this.conv1.apply(tf, x)) as tfType.Tensor4D;
    const h2 = tf.tanh(this.conv2.apply(tf, h1));
    const h3 = tf.tanh(this.hidden.apply(tf, tf.reshape(h2, [x.shape[0], this.flatSize])));
    return this.output.apply(tf, h3 as tfType.Tensor2D);
  }

  /**
   * The outputs and their directional derivative when θ moves along `tangents` (one tensor per variable, in
   * `variables` order), layer by layer; tanh' = 1 − tanh².
   */
  applyWithTangent(
    tf: Tf,
    x: tfType.Tensor4D,
    tangents: tfType.Tensor[],
  ): { output: tfType.Tensor2D; tangent: tfType.Tensor2D } {
    const [dConv1W, dConv1B, dConv2W, dConv2B, dHiddenW, dHiddenB, dOutputW, dOutputB] = tangents;
    const throughTanh = (z: tfType.Tensor, dz: tfType.Tensor) => {
      const h = tf.tanh(z);
      return { h, dh: tf.mul(tf.sub(1, tf.square(h)), dz) };
    };
    const layer1 = throughTanh(this.conv1.apply(tf, x), this.conv1.tangent(tf, x, null, dConv1W, dConv1B));
    const h1 = layer1.h as tfType.Tensor4D;
    const layer2 = throughTanh(
      this.conv2.apply(tf, h1),
      this.conv2.tangent(tf, h1, layer1.dh as tfType.Tensor4D, dConv2W, dConv2B),
    );
    const flat = (t: tfType.Tensor) => tf.reshape(t, [x.shape[0], this.flatSize]) as tfType.Tensor2D;
    const h2 = flat(layer2.h);
    const layer3 = throughTanh(
      this.hidden.apply(tf, h2),
      this.hidden.tangent(tf, h2, flat(layer2.dh), dHiddenW, dHiddenB),
    );
    const h3 = layer3.h as tfType.Tensor2D;
    return {
      output: this.output.apply(tf, h3),
      tangent: this.output.tangent(tf, h3, layer3.dh as tfType.Tensor2D, dOutputW, dOutputB),
    };
  }
}
