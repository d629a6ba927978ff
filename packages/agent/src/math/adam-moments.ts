/**
 * Adam's update (Kingma & Ba 2015) on host arrays: the step count and both moment estimates over one flat
 * parameter vector. No tensors, so a worker thread can run it (value-fit-worker.ts); `Adam` (adam.ts) wraps it for
 * tfjs variables.
 *
 *   m ← β₁m + (1 − β₁)g,  v ← β₂v + (1 − β₂)g²,  θ ← θ − α/(1 − β₁ᵗ) · m / (sqrt(v/(1 − β₂ᵗ)) + ε)
 */

export interface AdamHyperparameters {
  learningRate: number;
  /** Default 0.9. */
  beta1?: number;
  /** Default 0.999. */
  beta2?: number;
  /** Default 1e-8. */
  epsilon?: number;
}

export class AdamMoments {
  readonly learningRate: number;
  readonly beta1: number;
  readonly beta2: number;
  readonly epsilon: number;

  /** `first` and `second` are used in place (not copied): they are the state. */
  constructor(
    options: AdamHyperparameters,
    readonly first: Float32Array,
    readonly second: Float32Array,
    public step = 0,
  ) {
    if (first.length !== second.length) throw new RangeError('Adam moments of different sizes');
    this.learningRate = options.learningRate;
    this.beta1 = options.beta1 ?? 0.9;
    this.beta2 = options.beta2 ?? 0.999;
    this.epsilon = options.epsilon ?? 1e-8;
  }

  /** Fresh moments (all zero, step 0) for `size` parameters. */
  static zero(options: AdamHyperparameters, size: number): AdamMoments {
    return new AdamMoments(options, new Float32Array(size), new Float32Array(size));
  }

  /** One step: `params` moves against `gradient`, in place. */
  update(params: Float32Array, gradient: Float32Array): void {
    const { first: m, second: v, beta1, beta2, epsilon } = this;
    this.step += 1;
    const stepSize = this.learningRate / (1 - beta1 ** this.step);
    const correction2 = 1 - beta2 ** this.step;
    for (let i = 0; i < gradient.length; i++) {
      const g = gradient[i];
      m[i] = beta1 * m[i] + (1 - beta1) * g;
      v[i] = beta2 * v[i] + (1 - beta2) * g * g;
      params[i] -= (stepSize * m[i]) / (Math.sqrt(v[i] / correction2) + epsilon);
    }
  }
}
