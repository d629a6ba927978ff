/**
 * Adam (Kingma & Ba 2015) with its whole state — step count and both moment estimates — readable and writable,
 * so a checkpointed run resumes with exactly the optimizer it had (tfjs's own Adam does not restore its bias
 * correction powers).
 */
import type * as tfType from '@tensorflow/tfjs';
import type { Tf } from '../tf.js';
import { AdamMoments, type AdamHyperparameters } from './adam-moments.js';
import { downloadTidy } from './flat.js';

export type AdamOptions = AdamHyperparameters;

export interface AdamState {
  step: number;
  firstMoments: Float32Array[];
  secondMoments: Float32Array[];
}

/**
 * The update runs on the host over one flat Float32Array (AdamMoments): a value network's few thousand parameters
 * make the per-op dispatch of ~14 tensor ops per variable cost far more than the arithmetic, so one gradient read,
 * one loop and one write per variable replace them.
 */
export class Adam {
  /** The step count and moments; the host fit (host-value-fit.ts) updates them directly. */
  readonly moments: AdamMoments;
  /** Offset of each variable in the flat vectors. */
  private readonly offsets: number[];

  constructor(
    private readonly tf: Tf,
    private readonly variables: tfType.Variable[],
    readonly options: AdamOptions,
  ) {
    this.offsets = [];
    let size = 0;
    for (const v of variables) {
      this.offsets.push(size);
      size += v.size;
    }
    this.moments = AdamMoments.zero(options, size);
  }

  /** One step downhill on `loss` with respect to the variables. */
  minimize(loss: () => tfType.Scalar): void {
    const { tf, variables } = this;
    const { value, grads } = tf.variableGrads(loss, variables);
    const flat = (tensors: tfType.Tensor[]) =>
      downloadTidy(tf, () => tf.concat(tensors.map((t) => tf.reshape(t, [-1]))));
    const gradient = flat(variables.map((x) => grads[x.name]));
    tf.dispose([value, ...Object.values(grads)]);
    const params = flat(variables);
    this.update(params, gradient);
    variables.forEach((variable, k) =>
      tf.tidy(() =>
        variable.assign(tf.tensor(params.subarray(this.offsets[k], this.offsets[k] + variable.size), variable.shape)),
      ),
    );
  }

  /**
   * One step on host copies: `params` (the variables flattened in order) moves against `gradient`, in place. The
   * variables themselves are not touched, so many steps can run before one upload.
   */
  update(params: Float32Array, gradient: Float32Array): void {
    this.moments.update(params, gradient);
  }

  state(): AdamState {
    const split = (flat: Float32Array) =>
      this.variables.map((x, k) => flat.slice(this.offsets[k], this.offsets[k] + x.size));
    return {
      step: this.moments.step,
      firstMoments: split(this.moments.first),
      secondMoments: split(this.moments.second),
    };
  }

  setState(state: AdamState): void {
    this.moments.step = state.step;
    this.variables.forEach((_, k) => {
      this.moments.first.set(state.firstMoments[k], this.offsets[k]);
      this.moments.second.set(state.secondMoments[k], this.offsets[k]);
    });
  }
}
