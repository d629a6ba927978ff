/**
 * The paper's Atari policy (Appendix A, Figure 5): the last 4 grayscale frames downsampled to 52×40, two
 * convolutional layers of 16 filters (4×4, stride 2, tanh, no pooling), a fully connected layer of 20 tanh
 * units, and a softmax over the actions. With 'valid' padding and 18 actions this has 33,710 parameters
 * (paper, Table 3: 33,500).
 *
 * Observations are NHWC, [batch, 52, 40, 4] by default, expected already scaled (e.g. pixels / 255).
 * tfjs cannot differentiate its convolutions twice, so the policy gives the Fisher-vector product its
 * forward-mode derivative (`linearize`) and the product is Jᵀ M J v (trpo/fisher.ts).
 */
import type * as tfType from '@tensorflow/tfjs';
import type { Tf } from '../tf.js';
import { Rng } from '../math/rng.js';
import type { CategoricalParams } from './distributions.js';
import { Conv2d, Dense, HIDDEN_GAIN, POLICY_OUTPUT_GAIN, convOutputSize } from './layers.js';
import { PolicyBase } from './policy.js';

export interface AtariCnnPolicyOptions {
  numActions: number;
  /** [height, width, stacked frames]; default [52, 40, 4]. */
  obsShape?: [number, number, number];
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

export class AtariCnnPolicy extends PolicyBase {
  readonly kind = 'categorical' as const;
  readonly numActions: number;
  readonly conv1: Conv2d;
  readonly conv2: Conv2d;
  readonly hidden: Dense;
  readonly output: Dense;
  readonly variables: tfType.Variable[];
  private readonly flatSize: number;

  constructor(tf: Tf, options: AtariCnnPolicyOptions) {
    const { numActions, obsShape = [52, 40, 4], convFilters = 16, kernelSize = 4, stride = 2, hiddenSize = 20, seed = 0 } = options;
    super(tf, obsShape);
    const rng = new Rng(seed);
    const [height, width, channels] = obsShape;
    this.numActions = numActions;
    this.conv1 = new Conv2d(tf, rng, channels, convFilters, kernelSize, stride, HIDDEN_GAIN);
    this.conv2 = new Conv2d(tf, rng, convFilters, convFilters, kernelSize, stride, HIDDEN_GAIN);
    const outHeight = convOutputSize(convOutputSize(height, kernelSize, stride), kernelSize, stride);
    const outWidth = convOutputSize(convOutputSize(width, kernelSize, stride), kernelSize, stride);
    if (outHeight < 1 || outWidth < 1) throw new RangeError(`observation ${obsShape.join('×')} is too small for two ${kernelSize}×${kernelSize} convolutions`);
    this.flatSize = outHeight * outWidth * convFilters;
    this.hidden = new Dense(tf, rng, this.flatSize, hiddenSize, HIDDEN_GAIN);
    this.output = new Dense(tf, rng, hiddenSize, numActions, POLICY_OUTPUT_GAIN);
    this.variables = [this.conv1, this.conv2, this.hidden, this.output].flatMap((layer) => layer.variables);
  }

  distributionParams(obs: tfType.Tensor): CategoricalParams {
    const tf = this.tf;
    const logits = tf.tidy(() => {
      const h1 = tf.tanh(this.conv1.apply(tf, obs as tfType.Tensor4D)) as tfType.Tensor4D;
      const h2 = tf.tanh(this.conv2.apply(tf, h1));
      const h3 = tf.tanh(this.hidden.apply(tf, tf.reshape(h2, [obs.shape[0], this.flatSize])));
      return this.output.apply(tf, h3 as tfType.Tensor2D);
    });
    return { kind: 'categorical', logits };
  }

  /** The logits and their derivative along `tangents`, layer by layer; tanh' = 1 − tanh². */
  linearize(obs: tfType.Tensor, tangents: tfType.Tensor[]): { params: CategoricalParams; tangent: CategoricalParams } {
    const tf = this.tf;
    const [dConv1W, dConv1B, dConv2W, dConv2B, dHiddenW, dHiddenB, dOutputW, dOutputB] = tangents;
    return tf.tidy(() => {
      const x = obs as tfType.Tensor4D;
      const throughTanh = (z: tfType.Tensor, dz: tfType.Tensor) => {
        const h = tf.tanh(z);
        return { h, dh: tf.mul(tf.sub(1, tf.square(h)), dz) };
      };
      const layer1 = throughTanh(this.conv1.apply(tf, x), this.conv1.tangent(tf, x, null, dConv1W, dConv1B));
      const h1 = layer1.h as tfType.Tensor4D;
      const layer2 = throughTanh(this.conv2.apply(tf, h1), this.conv2.tangent(tf, h1, layer1.dh as tfType.Tensor4D, dConv2W, dConv2B));
      const flat = (t: tfType.Tensor) => tf.reshape(t, [obs.shape[0], this.flatSize]) as tfType.Tensor2D;
      const h2 = flat(layer2.h);
      const layer3 = throughTanh(this.hidden.apply(tf, h2), this.hidden.tangent(tf, h2, flat(layer2.dh), dHiddenW, dHiddenB));
      const h3 = layer3.h as tfType.Tensor2D;
      const logits = this.output.apply(tf, h3);
      const logitsTangent = this.output.tangent(tf, h3, layer3.dh as tfType.Tensor2D, dOutputW, dOutputB);
      return { params: { kind: 'categorical' as const, logits }, tangent: { kind: 'categorical' as const, logits: logitsTangent } };
    });
  }
}
