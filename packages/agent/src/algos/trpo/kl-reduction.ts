/**
 * How a policy's KL divergence is reduced over the action dimensions before it is averaged over states
 * (`trpo.klReduction`). For a diagonal Gaussian with d dimensions the KL is a sum of d per-dimension KLs:
 *  - sum: the KL of the joint action distribution, the paper's D_KL (eq. 12 onwards);
 *  - mean: that sum / d, sb3-contrib's constraint (torch returns one KL per dimension and sb3-contrib's `.mean()`
 *    averages over them as well as over the batch).
 * The constraint, its Hessian (the Fisher matrix, so A / d with mean) and the reported KL carry the same factor, so
 * δ and the CG damping keep sb3-contrib's meaning with mean. A categorical distribution has one KL per state: the
 * factor is 1 either way.
 */
import type { DistKind, DistParams } from '../../policies/distributions.js';

export const KL_REDUCTIONS = ['sum', 'mean'] as const;
export type KlReduction = (typeof KL_REDUCTIONS)[number];

/** What the per-state KL (summed over action dimensions) is divided by: d for a Gaussian under mean, else 1. */
export function klDivisor(reduction: KlReduction, kind: DistKind, actionDim: number): number {
  return reduction === 'mean' && kind === 'gaussian' ? actionDim : 1;
}

/** klDivisor of a batch of distributions given by their tensor parameters. */
export function klDivisorOf(reduction: KlReduction, params: DistParams): number {
  return params.kind === 'gaussian' ? klDivisor(reduction, params.kind, params.mean.shape[1]) : 1;
}
