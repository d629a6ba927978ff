/**
 * Step size for the natural gradient direction and the paper's line search (§5, Appendix D).
 */

/**
 * β such that the quadratic model of the KL at θ_old + β·s equals δ: ½ (βs)ᵀ A (βs) = δ, i.e.
 * β = sqrt(2δ / sᵀAs). Returns 0 when sᵀAs is not positive (no usable direction).
 */
export function maxStepScale(step: ArrayLike<number>, fisherTimesStep: ArrayLike<number>, maxKl: number): number {
  let sAs = 0;
  for (let i = 0; i < step.length; i++) sAs += step[i] * fisherTimesStep[i];
  return sAs > 0 && Number.isFinite(sAs) ? Math.sqrt((2 * maxKl) / sAs) : 0;
}

export interface LineSearchTrial {
  /** Surrogate objective at the trial parameters (to be maximized). */
  surrogate: number;
  /** Exact mean KL D̄_KL(θ_old, θ_trial), from real forward passes. */
  kl: number;
}

export interface LineSearchOptions {
  surrogateBefore: number;
  /** g · fullStep: the improvement predicted by the linear model for the full step. */
  expectedImprovement: number;
  maxKl: number;
  backtracks: number;
  backtrackRatio: number;
  acceptRatio: number;
}

export interface LineSearchResult {
  /** Accepted parameters, or θ_old itself when no trial was accepted. */
  params: Float32Array;
  accepted: boolean;
  /** Number of trials evaluated. */
  steps: number;
  /** r^k of the accepted trial; 0 when rejected. */
  stepFraction: number;
  surrogate: number;
  kl: number;
}

/**
 * Tries θ_old + r^k · fullStep for k = 0..backtracks−1 and returns the first trial that improves the surrogate
 * (by at least acceptRatio × the linearly predicted improvement) and satisfies the exact KL constraint. If none
 * does, returns θ_old: no update is better than an unsafe one. NaN values never pass either test.
 */
export function backtrackingLineSearch(
  evaluate: (params: Float32Array) => LineSearchTrial,
  oldParams: Float32Array,
  fullStep: ArrayLike<number>,
  { surrogateBefore, expectedImprovement, maxKl, backtracks, backtrackRatio, acceptRatio }: LineSearchOptions,
): LineSearchResult {
  let fraction = 1;
  for (let k = 0; k < backtracks; k++, fraction *= backtrackRatio) {
    const params = oldParams.map((theta, i) => theta + fraction * fullStep[i]);
    const { surrogate, kl } = evaluate(params);
    const improvement = surrogate - surrogateBefore;
    const improvesEnough = improvement > 0 && improvement >= acceptRatio * fraction * expectedImprovement;
    if (improvesEnough && kl <= maxKl)
      return { params, accepted: true, steps: k + 1, stepFraction: fraction, surrogate, kl };
  }
  return { params: oldParams, accepted: false, steps: backtracks, stepFraction: 0, surrogate: surrogateBefore, kl: 0 };
}
