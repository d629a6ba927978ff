/**
 * The paper's Atari policy (Appendix A, Figure 5): the last 4 grayscale frames downsampled to 52×40, two
 * convolutional layers of 16 filters (4×4, stride 2, tanh, no pooling), a fully connected layer of 20 tanh
 * units, and a softmax over the actions. With 'valid' padding and 18 actions this has 33,710 parameters
 * (paper, Table 3: 33,500).
 *
 * Observations are NHWC, [batch, 52, 40, 4] by default, expected already scaled (e.g. pixels / 255).
 * Convolutions are computed as patches × matrix (layers.ts) so the Fisher-vector product can differentiate
 * them twice.
 */
import type * as tfType from '@tensorflow/tfjs';
import type { Tf } from '../tf.js';
import { Rng } from '../math/rng.js';
import type { CategoricalParams } from './distributions.js';
import { Conv2dByPatches, Dense, HIDDEN_GAIN, POLICY_OUTPUT_GAIN, convOutputSize } from './layers.js';
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
  readonly conv1: Conv2dByPatches;
  readonly conv2: Conv2dByPatches;
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
    this.conv1 = new Conv2dByPatches(tf, rng, channels, convFilters, kernelSize, stride, HIDDEN_GAIN);
    this.conv2 = new Conv2dByPatches(tf, rng, convFilters, convFilters, kernelSize, stride, HIDDEN_GAIN);
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
}
