/**
 * Fisher-vector products A v without forming A (paper Appendix D).
 *
 * A is the Hessian of the mean KL divergence D̄_KL(θ_old, θ) at θ = θ_old, which equals the averaged Fisher
 * information matrix (eq. 25). Two ways to the same product:
 *  - the paper's recipe for any policy: differentiate the KL, dot the gradient with v, differentiate again;
 *    θ_old enters only through the old distribution parameters, computed before any tape records, so they are
 *    constants to both differentiations;
 *  - for policies with a forward-mode derivative (`Policy.linearize`, all built-in policies; required for
 *    the CNN, since tfjs cannot differentiate conv2d twice): Jᵀ M J v.
 */
import type * as tfType from '@tensorflow/tfjs';
import { enableSecondOrderGradients } from '../../math/autodiff.js';
import type { Tf } from '../../tf.js';
import { downloadTidy, flatGradTensor, unflatten } from '../../math/flat.js';
import { fisherMetricProduct, paramsDot, type DistParams } from '../../policies/distributions.js';
import type { Policy } from '../../policies/policy.js';
import { meanKl } from './objectives.js';

/**
 * (A + damping·I) v for the policy at its current parameters, averaged over the observations `obs`
 * ([batch, ...obsShape]; pass a subsample to make this cheaper, paper §6).
 */
export function fisherVectorProduct(
  tf: Tf,
  policy: Policy,
  obs: tfType.Tensor,
  v: Float64Array,
  damping: number,
): Float64Array {
  const product = policy.linearize ? gaussNewtonProduct(tf, policy, obs, v) : klHessianProduct(tf, policy, obs, v);
  return Float64Array.from(product, (av, i) => av + damping * v[i]);
}

/** The paper's recipe: A v = ∇θ( ∇θ D̄_KL(θ_old, θ) · v ), two nested differentiations. */
function klHessianProduct(tf: Tf, policy: Policy, obs: tfType.Tensor, v: Float64Array): Float32Array {
  enableSecondOrderGradients(tf);
  return downloadTidy(tf, () => {
    const oldParams = policy.distributionParams(obs);
    const vector = tf.tensor1d(Float32Array.from(v));
    const klGradient = () =>
      flatGradTensor(tf, () => meanKl(tf, oldParams, policy.distributionParams(obs)), policy.variables);
    const gradientVectorProduct = () => tf.sum(tf.mul(klGradient(), vector)) as tfType.Scalar;
    return flatGradTensor(tf, gradientVectorProduct, policy.variables);
  });
}

/**
 * The same matrix in its Gauss–Newton form, A = (1/N) Σ_n J_nᵀ M_n J_n (eq. 25 with J the Jacobian of the
 * distribution parameters): J v by the policy's forward-mode derivative, M by the distribution's analytic metric,
 * Jᵀ(·) by one first-order gradient. Fewer ops than differentiating twice, and no second-order tape.
 */
function gaussNewtonProduct(tf: Tf, policy: Policy, obs: tfType.Tensor, v: Float64Array): Float32Array {
  return downloadTidy(tf, () => {
    const { params, tangent } = policy.linearize!(obs, unflatten(tf, v, policy.variables));
    const metricTimesTangent = fisherMetricProduct(tf, params, tangent);
    const n = obs.shape[0];
    const weights: DistParams =
      metricTimesTangent.kind === 'gaussian'
        ? { kind: 'gaussian', mean: tf.div(metricTimesTangent.mean, n), logStd: tf.div(metricTimesTangent.logStd, n) }
        : { kind: 'categorical', logits: tf.div(metricTimesTangent.logits, n) };
    return flatGradTensor(tf, () => paramsDot(tf, policy.distributionParams(obs), weights), policy.variables);
  });
}

/** Batches up to this many rows are used whole for Fisher-vector products: subsampling only pays on large ones. */
export const FISHER_MIN_ROWS = 1000;

/** Rows of `obs` used for Fisher-vector products: an evenly strided `fraction` of the batch, at least FISHER_MIN_ROWS. */
export function fisherSubsample(tf: Tf, obs: tfType.Tensor, fraction: number): tfType.Tensor {
  const n = obs.shape[0];
  const count = Math.max(Math.min(n, FISHER_MIN_ROWS), Math.round(n * fraction));
  if (count >= n) return tf.clone(obs);
  return tf.tidy(() =>
    tf.gather(
      obs,
      tf.tensor1d(
        Int32Array.from({ length: count }, (_, i) => Math.floor((i * n) / count)),
        'int32',
      ),
    ),
  );
}
