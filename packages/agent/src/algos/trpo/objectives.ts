/**
 * The sample estimates of the paper's objective and constraint (eq. 29 of arXiv 1502.05477, averaged over a
 * batch as §5 step 2 says), as differentiable scalars.
 */
import type * as tfType from '@tensorflow/tfjs';
import type { Tf } from '../../tf.js';
import { entropy, kl, logProb, type DistParams } from '../../policies/distributions.js';
import { klDivisorOf, type KlReduction } from './kl-reduction.js';

/** What the objective needs from a batch, as tensors. */
export interface SurrogateInputs {
  actions: tfType.Tensor;
  advantages: tfType.Tensor1D;
  /** log q(a|s) of the sampling distribution (π_θold for single path). */
  oldLogProbs: tfType.Tensor1D;
  /** Optional per-sample weights (e.g. vine rollout sets); the average becomes Σ w·x / Σ w. */
  weights?: tfType.Tensor1D;
  /**
   * Vine, self-normalized importance sampling (paper §4.2): the state index of each sample and the number of
   * states. The surrogate then averages, over states, Σ_k r_k·Â_k / Σ_k r_k instead of averaging r·Â over samples.
   */
  stateGroups?: { index: tfType.Tensor1D; count: number };
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
    const weighted = tf.mul(ratio, inputs.advantages) as tfType.Tensor1D;
    if (!inputs.stateGroups) return weightedMean(tf, weighted, inputs.weights);
    return selfNormalizedMean(tf, weighted, ratio, inputs.stateGroups);
  });
}

/** (1/N) Σ_n [Σ_{k∈n} r_k·Â_k / Σ_{k∈n} r_k]: each state's importance weights normalized to sum to one. */
function selfNormalizedMean(
  tf: Tf,
  weighted: tfType.Tensor1D,
  ratio: tfType.Tensor1D,
  groups: { index: tfType.Tensor1D; count: number },
): tfType.Scalar {
  const numerators = tf.unsortedSegmentSum(weighted, groups.index, groups.count);
  const denominators = tf.unsortedSegmentSum(ratio, groups.index, groups.count);
  return tf.mean(tf.div(numerators, denominators)) as tfType.Scalar;
}

/**
 * D̄_KL(θ_old, θ) = Ê_s[ D_KL(π_old(·|s) ‖ π_θ(·|s)) ]: the trust-region constraint, with a Gaussian's KL summed
 * over its action dimensions (the paper) or averaged over them (`reduction` mean, sb3-contrib's: kl-reduction.ts).
 */
export function meanKl(
  tf: Tf,
  oldParams: DistParams,
  newParams: DistParams,
  reduction: KlReduction = 'sum',
): tfType.Scalar {
  return tf.tidy(() => {
    const summed = tf.mean(kl(tf, oldParams, newParams)) as tfType.Scalar;
    const divisor = klDivisorOf(reduction, oldParams);
    return divisor === 1 ? summed : (tf.div(summed, divisor) as tfType.Scalar);
  });
}

/** Ê_s[ H(π_θ(·|s)) ]: reported, and optionally added to the surrogate as an exploration bonus. */
export function meanEntropy(tf: Tf, params: DistParams): tfType.Scalar {
  return tf.tidy(() => tf.mean(entropy(tf, params)) as tfType.Scalar);
}
