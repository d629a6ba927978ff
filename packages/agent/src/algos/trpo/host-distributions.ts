/**
 * The action distributions' quantities that TRPO's objective and constraint need, on plain arrays of many rows
 * (float64 arithmetic): the tensor functions of policies/distributions.ts, with the gradients their autodiff gives
 * written out, for the host path of the update (host-problem.ts).
 *
 *   Gaussian (mean μ = network output, log σ shared):  z = (a − μ)/σ
 *     log π = Σ_d −½z² − log σ − ½ log 2π      ∂/∂μ = z/σ,  ∂/∂log σ = z² − 1
 *     H = Σ_d log σ + ½(1 + log 2π)            ∂/∂log σ = 1
 *     KL(0 ‖ 1) = Σ_d log σ₁/σ₀ + (σ₀² + (μ₀ − μ₁)²)/(2σ₁²) − ½
 *     Fisher metric: 1/σ² on μ, 2 on log σ
 *   Categorical (logits, p = softmax):
 *     log π = logit_a − logsumexp                ∂/∂logit_j = [j = a] − p_j
 *     H = −Σ p log p                            ∂/∂logit_j = −p_j (log p_j + H)
 *     KL(0 ‖ 1) = Σ p₀ (log p₀ − log p₁)
 *     Fisher metric: diag(p) − p pᵀ
 */
import type { DistKind } from '../../policies/distributions.js';

const HALF_LOG_TWO_PI = 0.5 * Math.log(2 * Math.PI);

/** Distributions of `rows` states: the network's outputs (rows × dim) and, for a Gaussian, the shared log σ. */
export interface RowDistributions {
  kind: DistKind;
  rows: number;
  dim: number;
  outputs: Float32Array;
  /** Gaussian only (empty for categorical). */
  logStd: Float64Array;
}

/** log-softmax of one row of logits into `out`. */
function logSoftmaxRow(logits: Float32Array, row: number, dim: number, out: Float64Array): void {
  let max = -Infinity;
  for (let j = 0; j < dim; j++) max = Math.max(max, logits[row * dim + j]);
  let total = 0;
  for (let j = 0; j < dim; j++) total += Math.exp(logits[row * dim + j] - max);
  const shift = max + Math.log(total);
  for (let j = 0; j < dim; j++) out[j] = logits[row * dim + j] - shift;
}

/** log π(a|s) per row. */
export function logProbs(d: RowDistributions, actions: ArrayLike<number>): Float64Array {
  const result = new Float64Array(d.rows);
  const logP = new Float64Array(d.dim);
  for (let r = 0; r < d.rows; r++) {
    if (d.kind === 'gaussian') {
      let sum = 0;
      for (let j = 0; j < d.dim; j++) {
        const z = (actions[r * d.dim + j] - d.outputs[r * d.dim + j]) * Math.exp(-d.logStd[j]);
        sum -= 0.5 * z * z + d.logStd[j] + HALF_LOG_TWO_PI;
      }
      result[r] = sum;
    } else {
      logSoftmaxRow(d.outputs, r, d.dim, logP);
      result[r] = logP[actions[r]];
    }
  }
  return result;
}

/** Adds Σ_r coefficient_r · ∇ log π(a_r|s_r) to the gradients with respect to the outputs and log σ. */
export function addLogProbGradient(
  d: RowDistributions,
  actions: ArrayLike<number>,
  coefficient: Float64Array,
  outputGradient: Float64Array,
  logStdGradient: Float64Array,
): void {
  const logP = new Float64Array(d.dim);
  for (let r = 0; r < d.rows; r++) {
    const c = coefficient[r];
    if (d.kind === 'gaussian') {
      for (let j = 0; j < d.dim; j++) {
        const inverseStd = Math.exp(-d.logStd[j]);
        const z = (actions[r * d.dim + j] - d.outputs[r * d.dim + j]) * inverseStd;
        outputGradient[r * d.dim + j] += c * z * inverseStd;
        logStdGradient[j] += c * (z * z - 1);
      }
    } else {
      logSoftmaxRow(d.outputs, r, d.dim, logP);
      for (let j = 0; j < d.dim; j++)
        outputGradient[r * d.dim + j] += c * ((j === actions[r] ? 1 : 0) - Math.exp(logP[j]));
    }
  }
}

/** Mean entropy over the rows. */
export function meanEntropy(d: RowDistributions): number {
  if (d.kind === 'gaussian') {
    let sum = 0;
    for (let j = 0; j < d.dim; j++) sum += d.logStd[j] + HALF_LOG_TWO_PI + 0.5;
    return sum;
  }
  const logP = new Float64Array(d.dim);
  let total = 0;
  for (let r = 0; r < d.rows; r++) {
    logSoftmaxRow(d.outputs, r, d.dim, logP);
    for (let j = 0; j < d.dim; j++) total -= Math.exp(logP[j]) * logP[j];
  }
  return total / d.rows;
}

/** Adds coefficient · ∇ (mean entropy) to the gradients with respect to the outputs and log σ. */
export function addMeanEntropyGradient(
  d: RowDistributions,
  coefficient: number,
  outputGradient: Float64Array,
  logStdGradient: Float64Array,
): void {
  if (d.kind === 'gaussian') {
    for (let j = 0; j < d.dim; j++) logStdGradient[j] += coefficient;
    return;
  }
  const logP = new Float64Array(d.dim);
  const perRow = coefficient / d.rows;
  for (let r = 0; r < d.rows; r++) {
    logSoftmaxRow(d.outputs, r, d.dim, logP);
    let entropy = 0;
    for (let j = 0; j < d.dim; j++) entropy -= Math.exp(logP[j]) * logP[j];
    for (let j = 0; j < d.dim; j++) outputGradient[r * d.dim + j] -= perRow * Math.exp(logP[j]) * (logP[j] + entropy);
  }
}

/** D̄_KL(old ‖ new): the KL divergence averaged over the rows. */
export function meanKl(old: RowDistributions, next: RowDistributions): number {
  let total = 0;
  if (old.kind === 'gaussian') {
    for (let j = 0; j < old.dim; j++) {
      const oldVariance = Math.exp(2 * old.logStd[j]);
      const twiceNewVariance = 2 * Math.exp(2 * next.logStd[j]);
      let gaps = 0;
      for (let r = 0; r < old.rows; r++) {
        const gap = old.outputs[r * old.dim + j] - next.outputs[r * old.dim + j];
        gaps += gap * gap;
      }
      total +=
        old.rows * (next.logStd[j] - old.logStd[j] + oldVariance / twiceNewVariance - 0.5) + gaps / twiceNewVariance;
    }
    return total / old.rows;
  }
  const oldLogP = new Float64Array(old.dim);
  const newLogP = new Float64Array(old.dim);
  for (let r = 0; r < old.rows; r++) {
    logSoftmaxRow(old.outputs, r, old.dim, oldLogP);
    logSoftmaxRow(next.outputs, r, old.dim, newLogP);
    for (let j = 0; j < old.dim; j++) total += Math.exp(oldLogP[j]) * (oldLogP[j] - newLogP[j]);
  }
  return total / old.rows;
}

/** M t per row in place, M the Fisher metric on the network outputs (the mean's 1/σ², or diag(p) − p pᵀ). */
export function applyOutputMetric(d: RowDistributions, tangent: Float64Array): void {
  if (d.kind === 'gaussian') {
    const precision = Float64Array.from(d.logStd, (s) => Math.exp(-2 * s));
    for (let i = 0; i < d.rows * d.dim; i++) tangent[i] *= precision[i % d.dim];
    return;
  }
  const logP = new Float64Array(d.dim);
  for (let r = 0; r < d.rows; r++) {
    logSoftmaxRow(d.outputs, r, d.dim, logP);
    let pt = 0;
    for (let j = 0; j < d.dim; j++) pt += Math.exp(logP[j]) * tangent[r * d.dim + j];
    for (let j = 0; j < d.dim; j++) tangent[r * d.dim + j] = Math.exp(logP[j]) * (tangent[r * d.dim + j] - pt);
  }
}

/** The Fisher metric on log σ (Gaussian): 2 per dimension, the same for every state. */
export const LOG_STD_METRIC = 2;
