/**
 * The sample estimates of the paper's objective and constraint (eq. 29), as differentiable scalars.
 */
import type * as tfType from '@tensorflow/tfjs';
import type { Tf } from '../tf.js';
import { entropy, kl, logProb, type DistParams } from '../policies/distributions.js';

/** What the objective needs from a batch, as tensors. */
export interface SurrogateInputs {
  actions: tfType.Tensor;
  advantages: tfType.Tensor1D;
  /** log q(a|s) of the sampling distribution (π_θold for single path). */
  oldLogProbs: tfType.Tensor1D;
  /** Optional per-sample weights (e.g. vine rollout sets); the average becomes Σ w·x / Σ w. */
  weights?: tfType.Tensor1D;
}

function weightedMean(tf: Tf, values: tfType.Tensor1D, weights: tfType.Tensor1D | undefined): tfType.Scalar {
  return (weights ? tf.div(tf.sum(tf.mul(values, weights)), tf.sum(weights)) : tf.mean(values)) as tfType.Scalar;
}

/**
 * L(θ) = Ê[ π_θ(a|s) / q(a|s) · Â ]: the importance-sampled surrogate whose gradient at θ_old is the policy
 * gradient. Maximized (the paper minimizes costs; we maximize returns).
 */
export function surrogateObjective(tf: Tf, params: DistParams, inputs: SurrogateInputs): tfType.Scalar {
  return tf.tidy(() => {
    const ratio = tf.exp(tf.sub(logProb(tf, params, inputs.actions), inputs.oldLogProbs)) as tfType.Tensor1D;
    return weightedMean(tf, tf.mul(ratio, inputs.advantages) as tfType.Tensor1D, inputs.weights);
  });
}

/** D̄_KL(θ_old, θ) = Ê_s[ D_KL(π_old(·|s) ‖ π_θ(·|s)) ]: the trust-region constraint. */
export function meanKl(tf: Tf, oldParams: DistParams, newParams: DistParams): tfType.Scalar {
  return tf.tidy(() => tf.mean(kl(tf, oldParams, newParams)) as tfType.Scalar);
}

/** Ê_s[ H(π_θ(·|s)) ]: reported, and optionally added to the surrogate as an exploration bonus. */
export function meanEntropy(tf: Tf, params: DistParams): tfType.Scalar {
  return tf.tidy(() => tf.mean(entropy(tf, params)) as tfType.Scalar);
}
