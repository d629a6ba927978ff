/**
 * Adam (Kingma & Ba 2015) with its whole state — step count and both moment estimates — readable and writable,
 * so a checkpointed run resumes with exactly the optimizer it had (tfjs's own Adam does not restore its bias
 * correction powers).
 */
import type * as tfType from '@tensorflow/tfjs';
import type { Tf } from '../tf.js';

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

export class Adam {
  private step = 0;
  private readonly firstMoments: tfType.Variable[];
  private readonly secondMoments: tfType.Variable[];
  private readonly beta1: number;
  private readonly beta2: number;
  private readonly epsilon: number;

  constructor(
    private readonly tf: Tf,
    private readonly variables: tfType.Variable[],
    private readonly options: AdamOptions,
  ) {
    this.beta1 = options.beta1 ?? 0.9;
    this.beta2 = options.beta2 ?? 0.999;
    this.epsilon = options.epsilon ?? 1e-8;
    this.firstMoments = variables.map((v) => tf.variable(tf.zerosLike(v), false));
    this.secondMoments = variables.map((v) => tf.variable(tf.zerosLike(v), false));
  }

  /** One step downhill on `loss` with respect to the variables. */
  minimize(loss: () => tfType.Scalar): void {
    const tf = this.tf;
    this.step += 1;
    const correction1 = 1 - this.beta1 ** this.step;
    const correction2 = 1 - this.beta2 ** this.step;
    tf.tidy(() => {
      const { grads } = tf.variableGrads(loss, this.variables);
      this.variables.forEach((variable, i) => {
        const g = grads[variable.name];
        const m = tf.add(tf.mul(this.beta1, this.firstMoments[i]), tf.mul(1 - this.beta1, g));
        const v = tf.add(tf.mul(this.beta2, this.secondMoments[i]), tf.mul(1 - this.beta2, tf.square(g)));
        this.firstMoments[i].assign(m);
        this.secondMoments[i].assign(v);
        const update = tf.div(tf.div(m, correction1), tf.add(tf.sqrt(tf.div(v, correction2)), this.epsilon));
        variable.assign(tf.sub(variable, tf.mul(this.options.learningRate, update)));
      });
    });
  }

  state(): AdamState {
    const copy = (v: tfType.Variable) => Float32Array.from(v.dataSync() as Float32Array);
    return { step: this.step, firstMoments: this.firstMoments.map(copy), secondMoments: this.secondMoments.map(copy) };
  }

  setState(state: AdamState): void {
    const tf = this.tf;
    this.step = state.step;
    this.firstMoments.forEach((m, i) => tf.tidy(() => m.assign(tf.tensor(state.firstMoments[i], m.shape))));
    this.secondMoments.forEach((v, i) => tf.tidy(() => v.assign(tf.tensor(state.secondMoments[i], v.shape))));
  }

  dispose(): void {
    this.tf.dispose([...this.firstMoments, ...this.secondMoments]);
  }
}
