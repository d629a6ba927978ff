/**
 * Fisher-vector products A v without forming A (paper Appendix D).
 *
 * A is the Hessian of the mean KL divergence D̄_KL(θ_old, θ) at θ = θ_old, which equals the averaged Fisher
 * information matrix (eq. 25). Two ways to the same product:
 *  - the paper's recipe for any policy: differentiate the KL, dot the gradient with v, differentiate again;
 *    θ_old enters only through the old distribution parameters, computed before any tape records, so they are
 *    constants to both differentiations;
 *  - for policies with a forward-mode derivative (`Policy.linearize`, all built-in policies; required for
 *    the CNN, since tfjs cannot differentiate conv2d twice): Jᵀ M J v;
 *  - the same Jᵀ M J v from a `PolicyJacobian` (fully connected policies), which computes what does not depend on
 *    v once per batch, so that each of the products of a conjugate-gradient solve is a few tensor ops.
 */
import type * as tfType from '@tensorflow/tfjs';
import { enableSecondOrderGradients } from '../../math/autodiff.js';
import type { Tf } from '../../tf.js';
import { downloadTidy, flatGradTensor, flattenTensors, unflatten } from '../../math/flat.js';
import { fisherMetricProduct, paramsDot, type DistParams } from '../../policies/distributions.js';
import type { Policy, PolicyJacobian } from '../../policies/policy.js';
import { klDivisorOf, type KlReduction } from './kl-reduction.js';
import { meanKl } from './objectives.js';

/**
 * (A + damping·I) v for the policy at its current parameters, averaged over the observations `obs`
 * ([batch, ...obsShape]; pass a subsample to make this cheaper, paper §6). A is the Hessian of the mean KL as
 * `reduction` reduces it over action dimensions: with mean (sb3-contrib's), a Gaussian's A is the paper's / d.
 */
export function fisherVectorProduct(
  tf: Tf,
  policy: Policy,
  obs: tfType.Tensor,
  v: Float64Array,
  damping: number,
  reduction: KlReduction = 'sum',
): Float64Array {
  const product = policy.linearize
    ? gaussNewtonProduct(tf, policy, obs, v, reduction)
    : klHessianProduct(tf, policy, obs, v, reduction);
  return Float64Array.from(product, (av, i) => av + damping * v[i]);
}

/** A v without damping on the rows `obs`, A the Hessian of the mean KL reduced as `reduction` says. */
type RowsProduct = (
  tf: Tf,
  policy: Policy,
  obs: tfType.Tensor,
  v: Float64Array,
  reduction: KlReduction,
) => Float32Array;

/** The paper's recipe: A v = ∇θ( ∇θ D̄_KL(θ_old, θ) · v ), two nested differentiations. */
const klHessianProduct: RowsProduct = (tf, policy, obs, v, reduction) => {
  enableSecondOrderGradients(tf);
  return downloadTidy(tf, () => {
    const oldParams = policy.distributionParams(obs);
    const vector = tf.tensor1d(Float32Array.from(v));
    const klGradient = () =>
      flatGradTensor(tf, () => meanKl(tf, oldParams, policy.distributionParams(obs), reduction), policy.variables);
    const gradientVectorProduct = () => tf.sum(tf.mul(klGradient(), vector)) as tfType.Scalar;
    return flatGradTensor(tf, gradientVectorProduct, policy.variables);
  });
};

/**
 * The same matrix in its Gauss–Newton form, A = (1/N) Σ_n J_nᵀ M_n J_n (eq. 25 with J the Jacobian of the
 * distribution parameters): J v by the policy's forward-mode derivative, M by the distribution's analytic metric,
 * Jᵀ(·) by one first-order gradient. Fewer ops than differentiating twice, and no second-order tape.
 */
const gaussNewtonProduct: RowsProduct = (tf, policy, obs, v, reduction) =>
  downloadTidy(tf, () => {
    const { params, tangent } = policy.linearize!(obs, unflatten(tf, v, policy.variables));
    const weights = averagedMetricProduct(tf, params, tangent, reduction);
    return flatGradTensor(tf, () => paramsDot(tf, policy.distributionParams(obs), weights), policy.variables);
  });

/**
 * (1/N) M_n t_n per row: the weights whose Jᵀ(·) completes (1/N) Σ_n J_nᵀ M_n J_n v; divided by d as well when
 * the KL is averaged over a Gaussian's d action dimensions (kl-reduction.ts).
 */
function averagedMetricProduct(tf: Tf, params: DistParams, tangent: DistParams, reduction: KlReduction): DistParams {
  const product = fisherMetricProduct(tf, params, tangent);
  const n = (product.kind === 'gaussian' ? product.mean : product.logits).shape[0] * klDivisorOf(reduction, params);
  return product.kind === 'gaussian'
    ? { kind: 'gaussian', mean: tf.div(product.mean, n), logStd: tf.div(product.logStd, n) }
    : { kind: 'categorical', logits: tf.div(product.logits, n) };
}

/**
 * A v without damping from a policy's Jacobian on the Fisher rows (Policy.jacobian): Jᵀ (M (J v)) / N, and / d
 * with `reduction` mean on a Gaussian.
 */
export function jacobianFisherProduct(
  tf: Tf,
  policy: Policy,
  jacobian: PolicyJacobian,
  v: Float64Array,
  reduction: KlReduction = 'sum',
): Float64Array {
  const product = downloadTidy(tf, () => {
    const tangent = jacobian.jacobianProduct(unflatten(tf, v, policy.variables));
    const weights = averagedMetricProduct(tf, jacobian.params, tangent, reduction);
    return flattenTensors(tf, jacobian.transposeProduct(weights));
  });
  return Float64Array.from(product);
}

/** Batches up to this many rows are used whole for Fisher-vector products: subsampling only pays on large ones. */
export const FISHER_MIN_ROWS = 1000;

/**
 * Rows used for Fisher-vector products out of `n`: an evenly strided `fraction` of the batch, at least
 * FISHER_MIN_ROWS; null when that is the whole batch.
 */
export function fisherRowIndices(n: number, fraction: number): Int32Array | null {
  const count = Math.max(Math.min(n, FISHER_MIN_ROWS), Math.round(n * fraction));
  if (count >= n) return null;
  return Int32Array.from({ length: count }, (_, i) => Math.floor((i * n) / count));
}

/** Rows of `obs` used for Fisher-vector products (fisherRowIndices). */
export function fisherSubsample(tf: Tf, obs: tfType.Tensor, fraction: number): tfType.Tensor {
  const rows = fisherRowIndices(obs.shape[0], fraction);
  if (!rows) return tf.clone(obs);
  return tf.tidy(() => tf.gather(obs, tf.tensor1d(rows, 'int32')));
}
