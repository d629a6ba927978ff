/**
 * Reward-weighted regression as the paper ran it (§6.1, footnote 5): sample trajectories from the stochastic
 * policy, keep the top 10% by return, and refit the policy by maximizing the log-likelihood of all actions taken
 * along them with L-BFGS:
 *
 *   w_τ = 1 if R(τ) is among the top ⌈ρ N⌉ returns, else 0                       eliteTrajectoryWeights
 *   w_τ = exp((R(τ) − max R) / (T · std R))          (weighted variant)           exponentialTrajectoryWeights
 *   θ ← argmax_θ  Σ_τ w_τ Σ_t log π_θ(a_t | s_t) / Σ_τ w_τ |τ|                    refitByMaximumLikelihood
 *
 * The maximization starts from the current θ and runs a fixed number of L-BFGS iterations.
 */
import type * as tfType from '@tensorflow/tfjs';
import { lbfgsMinimize, type LbfgsResult } from '../../math/lbfgs.js';
import { flattenTensors, getFlatParams, setFlatParams } from '../../math/flat.js';
import { disposeDistParams, logProb, type DistParams } from '../../policies/distributions.js';
import { batchTensors, type Policy } from '../../policies/policy.js';
import type { Tf } from '../../tf.js';
import { meanEntropy, meanKl } from '../trpo/objectives.js';
import type { RwrConfig } from './config.js';

/** 1 for the ⌈ρ N⌉ highest returns, 0 for the others (ties: earlier trajectories first). */
export function eliteTrajectoryWeights(returns: readonly number[], eliteFraction: number): Float64Array {
  const count = Math.max(1, Math.ceil(eliteFraction * returns.length));
  const order = returns.map((r, i) => ({ r, i })).sort((a, b) => b.r - a.r || a.i - b.i);
  const weights = new Float64Array(returns.length);
  for (const { i } of order.slice(0, count)) weights[i] = 1;
  return weights;
}

/** exp((R − max R) / (T · std R)); all ones when every return is the same. */
export function exponentialTrajectoryWeights(returns: readonly number[], temperature: number): Float64Array {
  const max = Math.max(...returns);
  const mean = returns.reduce((a, b) => a + b, 0) / returns.length;
  const std = Math.sqrt(returns.reduce((a, b) => a + (b - mean) ** 2, 0) / returns.length);
  if (std === 0) return new Float64Array(returns.length).fill(1);
  return Float64Array.from(returns, (r) => Math.exp((r - max) / (temperature * std)));
}

export function trajectoryWeights(
  returns: readonly number[],
  config: Pick<RwrConfig, 'weighting' | 'eliteFraction' | 'temperature'>,
): Float64Array {
  return config.weighting === 'elite'
    ? eliteTrajectoryWeights(returns, config.eliteFraction)
    : exponentialTrajectoryWeights(returns, config.temperature);
}

/** The state–action pairs the refit imitates, with one weight per pair (its trajectory's weight). */
export interface WeightedActions {
  /** Row-major normalized observations, n × obsSize. */
  obs: Float32Array;
  /** Gaussian: n × actionDim; categorical: n indices. */
  actions: Float32Array | Int32Array;
  weights: Float32Array;
}

export interface RefitStats {
  /** Weighted mean log π(a|s) of the imitated actions before and after the refit. */
  logLikelihoodBefore: number;
  logLikelihoodAfter: number;
  /** Mean KL(π_old ‖ π_new) over the imitated states. */
  kl: number;
  /** Mean entropy of π_new on those states. */
  entropy: number;
  lbfgs: Pick<LbfgsResult, 'iterations' | 'evaluations' | 'reason'>;
}

/** ℓ(θ) = Σ w log π_θ(a|s) / Σ w, as a differentiable scalar. */
export function weightedLogLikelihood(
  tf: Tf,
  params: DistParams,
  actions: tfType.Tensor,
  weights: tfType.Tensor1D,
): tfType.Scalar {
  return tf.tidy(() => tf.div(tf.sum(tf.mul(logProb(tf, params, actions), weights)), tf.sum(weights)) as tfType.Scalar);
}

/** Maximizes ℓ(θ) with L-BFGS from the current θ and leaves the result in the policy. */
export function refitByMaximumLikelihood(
  tf: Tf,
  policy: Policy,
  data: WeightedActions,
  options: Pick<RwrConfig, 'lbfgsIterations' | 'lbfgsMemory'>,
): RefitStats {
  const n = data.weights.length;
  const { obs, actions } = batchTensors(tf, policy, data.obs, data.actions, n);
  const weights = tf.tensor1d(data.weights);
  const oldParams = policy.distributionParams(obs);
  const logLikelihood = () => weightedLogLikelihood(tf, policy.distributionParams(obs), actions, weights);
  // f(θ) = −ℓ(θ) and its gradient, in float64 for L-BFGS (the network itself computes in float32).
  const negativeLogLikelihood = (theta: Float64Array) => {
    setFlatParams(tf, policy.variables, theta);
    const { value, grads } = tf.variableGrads(() => tf.neg(logLikelihood()) as tfType.Scalar, policy.variables);
    const flat = flattenTensors(
      tf,
      policy.variables.map((v) => grads[v.name]),
    );
    const result = { value: value.dataSync()[0], gradient: Float64Array.from(flat.dataSync()) };
    tf.dispose([value, flat, ...Object.values(grads)]);
    return result;
  };
  try {
    const logLikelihoodBefore = tf.tidy(() => logLikelihood().dataSync()[0]);
    const result = lbfgsMinimize(negativeLogLikelihood, getFlatParams(policy.variables), {
      maxIterations: options.lbfgsIterations,
      memory: options.lbfgsMemory,
      gradientTolerance: 1e-6,
      relativeValueTolerance: 1e-9,
    });
    setFlatParams(tf, policy.variables, result.x);
    const after = tf.tidy(() => {
      const params = policy.distributionParams(obs);
      return {
        logLikelihood: weightedLogLikelihood(tf, params, actions, weights).dataSync()[0],
        kl: meanKl(tf, oldParams, params).dataSync()[0],
        entropy: meanEntropy(tf, params).dataSync()[0],
      };
    });
    return {
      logLikelihoodBefore,
      logLikelihoodAfter: after.logLikelihood,
      kl: after.kl,
      entropy: after.entropy,
      lbfgs: { iterations: result.iterations, evaluations: result.evaluations, reason: result.reason },
    };
  } finally {
    disposeDistParams(oldParams);
    tf.dispose([obs, actions, weights]);
  }
}
