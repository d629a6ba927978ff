/**
 * Fisher-vector products A v without forming A (paper Appendix D).
 *
 * A is the Hessian of the mean KL divergence D̄_KL(θ_old, θ) at θ = θ_old, which equals the averaged Fisher
 * information matrix (eq. 25). Following the paper's recipe: differentiate the KL to get ∇θ D̄_KL, dot it with v
 * ("gradient-vector product"), and differentiate again: A v = ∇θ( ∇θ D̄_KL(θ_old, θ) · v ). θ_old enters only
 * through the old distribution parameters, computed before any gradient tape is recording, so they are
 * constants to both differentiations.
 */
import type * as tfType from '@tensorflow/tfjs';
import { enableSecondOrderGradients } from '../math/autodiff.js';
import type { Tf } from '../tf.js';
import { downloadTidy, flatGradTensor } from '../math/flat.js';
import type { Policy } from '../policies/policy.js';
import { meanKl } from './objectives.js';

/**
 * (A + damping·I) v for the policy at its current parameters, averaged over the observations `obs`
 * ([batch, ...obsShape]; pass a subsample to make this cheaper, paper §6).
 */
export function fisherVectorProduct(tf: Tf, policy: Policy, obs: tfType.Tensor, v: Float64Array, damping: number): Float64Array {
  enableSecondOrderGradients(tf);
  const product = downloadTidy(tf, () => {
    const oldParams = policy.distributionParams(obs);
    const vector = tf.tensor1d(Float32Array.from(v));
    const klGradient = () => flatGradTensor(tf, () => meanKl(tf, oldParams, policy.distributionParams(obs)), policy.variables);
    const gradientVectorProduct = () => tf.sum(tf.mul(klGradient(), vector)) as tfType.Scalar;
    return flatGradTensor(tf, gradientVectorProduct, policy.variables);
  });
  return Float64Array.from(product, (av, i) => av + damping * v[i]);
}

/** Batches up to this many rows are used whole for Fisher-vector products: subsampling only pays on large ones. */
export const FISHER_MIN_ROWS = 1000;

/** Rows of `obs` used for Fisher-vector products: an evenly strided `fraction` of the batch, at least FISHER_MIN_ROWS. */
export function fisherSubsample(tf: Tf, obs: tfType.Tensor, fraction: number): tfType.Tensor {
  const n = obs.shape[0];
  const count = Math.max(Math.min(n, FISHER_MIN_ROWS), Math.round(n * fraction));
  if (count >= n) return tf.clone(obs);
  return tf.tidy(() => tf.gather(obs, tf.tensor1d(Int32Array.from({ length: count }, (_, i) => Math.floor((i * n) / count)), 'int32')));
}
