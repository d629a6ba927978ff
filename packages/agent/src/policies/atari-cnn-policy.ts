/**
 * The paper's Atari policy (Appendix A, Figure 5): the last 4 grayscale frames downsampled to 52×40, the paper's
 * CNN (atari-cnn.ts) and a softmax over the actions. With 'valid' padding and 18 actions this has 33,710
 * parameters (paper, Table 3: 33,500).
 *
 * tfjs cannot differentiate its convolutions twice, so the policy gives the Fisher-vector product its
 * forward-mode derivative (`linearize`) and the product is Jᵀ M J v (algos/trpo/fisher.ts).
 */
import type * as tfType from '@tensorflow/tfjs';
import type { Tf } from '../tf.js';
import { AtariCnn, type AtariCnnOptions } from './atari-cnn.js';
import type { CategoricalParams } from './distributions.js';
import { POLICY_OUTPUT_GAIN } from './layers.js';
import { PolicyBase } from './policy.js';

export interface AtariCnnPolicyOptions extends Omit<AtariCnnOptions, 'inputShape' | 'outputSize' | 'outputGain'> {
  numActions: number;
  /** [height, width, stacked frames]; default [52, 40, 4]. Observations are NHWC, scaled (e.g. pixels / 255). */
  obsShape?: [number, number, number];
}

export class AtariCnnPolicy extends PolicyBase {
  readonly kind = 'categorical' as const;
  readonly numActions: number;
  readonly network: AtariCnn;
  readonly variables: tfType.Variable[];

  constructor(tf: Tf, options: AtariCnnPolicyOptions) {
    const { numActions, obsShape = [52, 40, 4], ...networkOptions } = options;
    super(tf, obsShape);
    this.numActions = numActions;
    this.network = new AtariCnn(tf, {
      ...networkOptions,
      inputShape: obsShape,
      outputSize: numActions,
      outputGain: POLICY_OUTPUT_GAIN,
    });
    this.variables = this.network.variables;
  }

  distributionParams(obs: tfType.Tensor): CategoricalParams {
    return { kind: 'categorical', logits: this.tf.tidy(() => this.network.apply(this.tf, obs as tfType.Tensor4D)) };
  }

  linearize(obs: tfType.Tensor, tangents: tfType.Tensor[]): { params: CategoricalParams; tangent: CategoricalParams } {
    const { output, tangent } = this.tf.tidy(() =>
      this.network.applyWithTangent(this.tf, obs as tfType.Tensor4D, tangents),
    );
    return { params: { kind: 'categorical', logits: output }, tangent: { kind: 'categorical', logits: tangent } };
  }
}
