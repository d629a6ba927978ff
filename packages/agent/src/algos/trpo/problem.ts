/**
 * The objective and constraint of one TRPO step on a batch (eq. 29 of arXiv 1502.05477, averaged over the batch as
 * §5 step 2 says), as the update (update.ts) uses them: values at any θ, and at θ_old the gradient of the objective
 * and products with the Fisher matrix. Two implementations of the same mathematics: tensor ops for any policy
 * (tensor-problem.ts), and typed arrays for fully connected policies (host-problem.ts), where a tensor op's fixed
 * cost outweighs its arithmetic.
 */
import type { LineSearchTrial } from './line-search.js';

export interface TrpoProblem {
  /** L(θ_old): the surrogate (plus the entropy bonus) at the policy's parameters when the step began. */
  readonly surrogateBefore: number;
  /** Mean entropy of π_θold on the constraint's states. */
  readonly entropy: number;
  /** g = ∇θ L(θ) at θ_old, the policy gradient. */
  gradient(): Float64Array;
  /**
   * A v, A the averaged Fisher matrix at θ_old (eq. 25) on the Fisher rows, without damping: the Hessian of the KL
   * as `trpo.klReduction` reduces it (/ d for a Gaussian under mean).
   */
  fisherProduct(v: Float64Array): Float64Array;
  /** L and the exact mean KL D̄_KL(θ_old, θ) at θ (real forward passes), reduced as `trpo.klReduction` says. */
  evaluate(theta: Float32Array): LineSearchTrial;
  dispose(): void;
}
