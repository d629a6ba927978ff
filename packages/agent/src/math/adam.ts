/**
 * Adam (Kingma & Ba 2015) with its whole state — step count and both moment estimates — readable and writable,
 * so a checkpointed run resumes with exactly the optimizer it had (tfjs's own Adam does not restore its bias
 * correction powers).
 */
import type * as tfType from '@tensorflow/tfjs';
import type { Tf } from '../tf.js';
import { downloadTidy } from './flat.js';

export interface AdamOptions {
  learningRate: number;
  beta1?: number;
  beta2?: number;
  epsilon?: number;
}

export interface AdamState {
  step: number;
  firstMoments: Float32Array[];
  secondMoments: Float32Array[];
}

/**
 * The update runs on the host over one flat Float32Array: a value network's few thousand parameters make the
 * per-op dispatch of ~14 tensor ops per variable cost far more than the arithmetic, so one gradient read, one
 * loop and one write per variable replace them.
 */
export class Adam {
  private step = 0;
  private readonly firstMoments: Float32Array;
  private readonly secondMoments: Float32Array;
  private readonly beta1: number;
  private readonly beta2: number;
  private readonly epsilon: number;
  /** Offset of each variable in the flat vectors. */
  private readonly offsets: number[];

  constructor(
    private readonly tf: Tf,
    private readonly variables: tfType.Variable[],
    private readonly options: AdamOptions,
  ) {
    this.beta1 = options.beta1 ?? 0.9;
    this.beta2 = options.beta2 ?? 0.999;
    this.epsilon = options.epsilon ?? 1e-8;
    this.offsets = [];
    let size = 0;
    for (const v of variables) {
      this.offsets.push(size);
      size += v.size;
    }
    this.firstMoments = new Float32Array(size);
    this.secondMoments = new Float32Array(size);
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
    const { firstMoments: m, secondMoments: v, beta1, beta2, epsilon } = this;
    this.step += 1;
    const stepSize = this.options.learningRate / (1 - beta1 ** this.step);
    const correction2 = 1 - beta2 ** this.step;
    for (let i = 0; i < gradient.length; i++) {
      const g = gradient[i];
      m[i] = beta1 * m[i] + (1 - beta1) * g;
      v[i] = beta2 * v[i] + (1 - beta2) * g * g;
      params[i] -= (stepSize * m[i]) / (Math.sqrt(v[i] / correction2) + epsilon);
    }
  }

  state(): AdamState {
    const split = (flat: Float32Array) =>
      this.variables.map((x, k) => flat.slice(this.offsets[k], this.offsets[k] + x.size));
    return { step: this.step, firstMoments: split(this.firstMoments), secondMoments: split(this.secondMoments) };
  }

  setState(state: AdamState): void {
    this.step = state.step;
    this.variables.forEach((_, k) => {
      this.firstMoments.set(state.firstMoments[k], this.offsets[k]);
      this.secondMoments.set(state.secondMoments[k], this.offsets[k]);
    });
  }
}
