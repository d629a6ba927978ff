/**
 * The two action distributions of the paper's policies (Appendix A): a diagonal Gaussian for continuous control
 * and a categorical (softmax) distribution for Atari. Each comes in two forms:
 *  - tensor functions (logProb, kl, entropy) that the TRPO objective and constraint differentiate, written
 *    only with ops whose second derivatives tfjs gets right (see math/autodiff.ts);
 *  - plain-array functions used once per env step (sampling from caller-supplied noise, log-probabilities) and
 *    the analytic Fisher metric, which tests use to check Fisher-vector products.
 */
import type * as tfType from '@tensorflow/tfjs';
import { stopGradient } from '../math/autodiff.js';
import type { Tf } from '../tf.js';

export type DistKind = 'gaussian' | 'categorical';

/** Per-sample parameters, each [batch, actionDim]; logStd is broadcast over the batch by the policy. */
export interface GaussianParams {
  kind: 'gaussian';
  mean: tfType.Tensor2D;
  logStd: tfType.Tensor2D;
}

/** Unnormalized log-probabilities, [batch, numActions]. */
export interface CategoricalParams {
  kind: 'categorical';
  logits: tfType.Tensor2D;
}

export type DistParams = GaussianParams | CategoricalParams;

/** The same parameters as row-major plain arrays (batch × actionDim / numActions). */
export type PlainDistParams =
  | { kind: 'gaussian'; mean: Float32Array; logStd: Float32Array; actionDim: number }
  | { kind: 'categorical'; logits: Float32Array; numActions: number };

const HALF_LOG_TWO_PI = 0.5 * Math.log(2 * Math.PI);

/** log softmax = logits − logsumexp(logits), shifted by a constant max for stability (avoids tf.logSoftmax, see autodiff.ts). */
function logSoftmax(tf: Tf, logits: tfType.Tensor2D): tfType.Tensor2D {
  const shifted = tf.sub(logits, tf.max(stopGradient(tf, logits), -1, true));
  return tf.sub(shifted, tf.log(tf.sum(tf.exp(shifted), -1, true)));
}

/** log π(a|s) per sample: [batch]. Gaussian actions are float [batch, dim]; categorical actions int32 [batch]. */
export function logProb(tf: Tf, params: DistParams, actions: tfType.Tensor): tfType.Tensor1D {
  return tf.tidy(() => {
    if (params.kind === 'gaussian') {
      const { mean, logStd } = params;
      const z = tf.mul(tf.sub(actions, mean), tf.exp(tf.neg(logStd)));
      const perDim = tf.sub(tf.neg(tf.add(tf.mul(0.5, tf.square(z)), logStd)), HALF_LOG_TWO_PI);
      return tf.sum(perDim, -1) as tfType.Tensor1D;
    }
    const logProbs = logSoftmax(tf, params.logits);
    const oneHot = tf.oneHot(tf.cast(actions, 'int32'), params.logits.shape[1]);
    return tf.sum(tf.mul(oneHot, logProbs), -1) as tfType.Tensor1D;
  });
}

/** D_KL(old ‖ new) per sample: [batch]. */
export function kl(tf: Tf, oldParams: DistParams, newParams: DistParams): tfType.Tensor1D {
  return tf.tidy(() => {
    if (oldParams.kind === 'gaussian' && newParams.kind === 'gaussian') {
      // log σ₁/σ₀ + (σ₀² + (μ₀ − μ₁)²) / (2σ₁²) − ½, summed over dimensions.
      const oldVar = tf.exp(tf.mul(2, oldParams.logStd));
      const newVar = tf.exp(tf.mul(2, newParams.logStd));
      const meanGap = tf.square(tf.sub(oldParams.mean, newParams.mean));
      const perDim = tf.add(
        tf.sub(newParams.logStd, oldParams.logStd),
        tf.div(tf.add(oldVar, meanGap), tf.mul(2, newVar)),
      );
      return tf.sub(tf.sum(perDim, -1), 0.5 * oldParams.mean.shape[1]) as tfType.Tensor1D;
    }
    if (oldParams.kind === 'categorical' && newParams.kind === 'categorical') {
      const oldLogProbs = logSoftmax(tf, oldParams.logits);
      const newLogProbs = logSoftmax(tf, newParams.logits);
      return tf.sum(tf.mul(tf.exp(oldLogProbs), tf.sub(oldLogProbs, newLogProbs)), -1) as tfType.Tensor1D;
    }
    throw new TypeError(`KL between ${oldParams.kind} and ${newParams.kind} distributions`);
  });
}

/** Entropy per sample: [batch]. */
export function entropy(tf: Tf, params: DistParams): tfType.Tensor1D {
  return tf.tidy(() => {
    if (params.kind === 'gaussian') {
      return tf.add(tf.sum(params.logStd, -1), params.logStd.shape[1] * (HALF_LOG_TWO_PI + 0.5)) as tfType.Tensor1D;
    }
    const logProbs = logSoftmax(tf, params.logits);
    return tf.neg(tf.sum(tf.mul(tf.exp(logProbs), logProbs), -1)) as tfType.Tensor1D;
  });
}

/**
 * M·t per sample, M the Fisher metric of the distribution in its own parameters (the Hessian of D_KL(p ‖ ·) at
 * p): categorical logits diag(p) − p pᵀ; Gaussian 1/σ² for the mean and 2 for log σ, per dimension.
 */
export function fisherMetricProduct(tf: Tf, params: DistParams, tangent: DistParams): DistParams {
  return tf.tidy(() => {
    if (params.kind === 'gaussian' && tangent.kind === 'gaussian') {
      const mean = tf.mul(tangent.mean, tf.exp(tf.mul(-2, params.logStd))) as tfType.Tensor2D;
      return { kind: 'gaussian' as const, mean, logStd: tf.mul(2, tangent.logStd) as tfType.Tensor2D };
    }
    if (params.kind === 'categorical' && tangent.kind === 'categorical') {
      const p = tf.softmax(params.logits);
      const pt = tf.mul(p, tangent.logits);
      return { kind: 'categorical' as const, logits: tf.sub(pt, tf.mul(p, tf.sum(pt, -1, true))) as tfType.Tensor2D };
    }
    throw new TypeError(`Fisher metric of ${params.kind} parameters along a ${tangent.kind} tangent`);
  });
}

/** Σ over samples and coordinates of params ⊙ weights: its gradient in θ is Jᵀ·weights. */
export function paramsDot(tf: Tf, params: DistParams, weights: DistParams): tfType.Scalar {
  return tf.tidy(() => {
    if (params.kind === 'gaussian' && weights.kind === 'gaussian') {
      return tf.add(
        tf.sum(tf.mul(params.mean, weights.mean)),
        tf.sum(tf.mul(params.logStd, weights.logStd)),
      ) as tfType.Scalar;
    }
    if (params.kind === 'categorical' && weights.kind === 'categorical')
      return tf.sum(tf.mul(params.logits, weights.logits)) as tfType.Scalar;
    throw new TypeError(`dot of ${params.kind} parameters with ${weights.kind} weights`);
  });
}

export function disposeDistParams(params: DistParams): void {
  if (params.kind === 'gaussian') {
    params.mean.dispose();
    params.logStd.dispose();
  } else {
    params.logits.dispose();
  }
}

/** Downloads the parameters of a batch of distributions. */
export function toPlainDistParams(params: DistParams): PlainDistParams {
  if (params.kind === 'gaussian') {
    return {
      kind: 'gaussian',
      mean: params.mean.dataSync() as Float32Array,
      logStd: params.logStd.dataSync() as Float32Array,
      actionDim: params.mean.shape[1],
    };
  }
  return { kind: 'categorical', logits: params.logits.dataSync() as Float32Array, numActions: params.logits.shape[1] };
}

/** Softmax of one row of logits, in float64. */
export function softmaxRow(logits: ArrayLike<number>, row: number, numActions: number): Float64Array {
  const probs = new Float64Array(numActions);
  let max = -Infinity;
  for (let k = 0; k < numActions; k++) max = Math.max(max, logits[row * numActions + k]);
  let total = 0;
  for (let k = 0; k < numActions; k++) {
    probs[k] = Math.exp(logits[row * numActions + k] - max);
    total += probs[k];
  }
  for (let k = 0; k < numActions; k++) probs[k] /= total;
  return probs;
}

/** Gaussian sample μ + σ·ε from standard-normal noise ε (one value per action dimension). */
export function sampleGaussian(mean: Float32Array, logStd: Float32Array, normals: ArrayLike<number>): Float32Array {
  return mean.map((m, i) => m + Math.exp(logStd[i]) * normals[i]);
}

/** Categorical sample by inverting the CDF at one uniform u ∈ [0, 1) per row. */
export function sampleCategorical(logits: Float32Array, numActions: number, uniforms: ArrayLike<number>): Int32Array {
  const actions = new Int32Array(logits.length / numActions);
  for (let row = 0; row < actions.length; row++) {
    const probs = softmaxRow(logits, row, numActions);
    let cumulative = 0;
    let action = numActions - 1; // if round-off leaves the CDF just below u
    for (let k = 0; k < numActions; k++) {
      cumulative += probs[k];
      if (uniforms[row] < cumulative) {
        action = k;
        break;
      }
    }
    actions[row] = action;
  }
  return actions;
}

/** log π(a|s) per row from plain parameters (float64 arithmetic, float32 result). */
export function plainLogProb(params: PlainDistParams, actions: ArrayLike<number>): Float32Array {
  if (params.kind === 'gaussian') {
    const { mean, logStd, actionDim } = params;
    const out = new Float32Array(mean.length / actionDim);
    for (let row = 0; row < out.length; row++) {
      let sum = 0;
      for (let j = row * actionDim; j < (row + 1) * actionDim; j++) {
        const z = (actions[j] - mean[j]) * Math.exp(-logStd[j]);
        sum -= 0.5 * z * z + logStd[j] + HALF_LOG_TWO_PI;
      }
      out[row] = sum;
    }
    return out;
  }
  const { logits, numActions } = params;
  const out = new Float32Array(logits.length / numActions);
  for (let row = 0; row < out.length; row++) out[row] = Math.log(softmaxRow(logits, row, numActions)[actions[row]]);
  return out;
}

/**
 * Fisher information metric M of one distribution (row) in its own parameter coordinates, as a dense
 * d×d row-major matrix. The averaged Fisher matrix of the policy is A = mean over states of Jᵀ M J, with J the
 * Jacobian of these coordinates with respect to θ.
 *  - Gaussian, coordinates (μ₁..μ_D, logσ₁..logσ_D): diag(1/σ², 2).
 *  - Categorical, coordinates (logits): diag(p) − p pᵀ.
 */
export function fisherMetric(params: PlainDistParams, row: number): Float64Array {
  if (params.kind === 'gaussian') {
    const d = params.actionDim;
    const metric = new Float64Array(4 * d * d);
    for (let j = 0; j < d; j++) {
      metric[j * 2 * d + j] = Math.exp(-2 * params.logStd[row * d + j]);
      metric[(d + j) * 2 * d + d + j] = 2;
    }
    return metric;
  }
  const k = params.numActions;
  const p = softmaxRow(params.logits, row, k);
  const metric = new Float64Array(k * k);
  for (let i = 0; i < k; i++) for (let j = 0; j < k; j++) metric[i * k + j] = (i === j ? p[i] : 0) - p[i] * p[j];
  return metric;
}
