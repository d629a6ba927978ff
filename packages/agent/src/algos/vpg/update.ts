/**
 * Vanilla policy gradient, the first-order limiting case of the paper's §8 discussion: the same surrogate
 * L(θ) = Ê[π_θ(a|s)/q(a|s) · Â] and the same advantages as TRPO, but a plain gradient-ascent step
 *
 *   θ_new = θ_old + α ∇θ L(θ)|θ_old
 *
 * instead of the natural-gradient step constrained to D̄_KL ≤ δ.
 */
import type { PolicyGradientBatch } from '../../estimation/advantages.js';
import { flatGrad, getFlatParams, setFlatParams } from '../../math/flat.js';
import { disposeDistParams, logProb } from '../../policies/distributions.js';
import { batchTensors, type Policy } from '../../policies/policy.js';
import type { Tf } from '../../tf.js';
import { meanEntropy, meanKl, surrogateObjective, type SurrogateInputs } from '../trpo/objectives.js';
import type { VpgConfig } from './config.js';

export interface VpgUpdateStats {
  /** L at θ_old and at θ_new. */
  surrogateBefore: number;
  surrogateAfter: number;
  /** Mean KL D̄_KL(θ_old, θ_new) on the batch: how far the fixed step size moved the policy. */
  kl: number;
  /** Mean entropy of π_θold on the batch. */
  entropy: number;
  timings: { forwardMs: number; gradientMs: number; stepMs: number };
}

export function vanillaPolicyGradientUpdate(
  tf: Tf,
  policy: Policy,
  batch: PolicyGradientBatch,
  config: VpgConfig,
): VpgUpdateStats {
  const started = performance.now();
  const n = batch.advantages.length;
  const { obs, actions } = batchTensors(tf, policy, batch.obs, batch.actions, n);
  const oldParams = policy.distributionParams(obs);
  const inputs: SurrogateInputs = {
    actions,
    advantages: tf.tensor1d(batch.advantages),
    oldLogProbs: batch.oldLogProbs ? tf.tensor1d(batch.oldLogProbs) : logProb(tf, oldParams, actions),
    weights: batch.weights ? tf.tensor1d(batch.weights) : undefined,
  };
  const surrogate = () => tf.tidy(() => surrogateObjective(tf, policy.distributionParams(obs), inputs).dataSync()[0]);
  try {
    const surrogateBefore = surrogate();
    const entropy = tf.tidy(() => meanEntropy(tf, oldParams).dataSync()[0]);
    const forwardMs = performance.now() - started;
    const gradient = flatGrad(
      tf,
      () => surrogateObjective(tf, policy.distributionParams(obs), inputs),
      policy.variables,
    );
    const gradientMs = performance.now() - started - forwardMs;
    const theta = getFlatParams(policy.variables);
    setFlatParams(tf, policy.variables, policyGradientStep(theta, gradient, config.learningRate));
    const surrogateAfter = surrogate();
    const kl = tf.tidy(() => meanKl(tf, oldParams, policy.distributionParams(obs)).dataSync()[0]);
    return {
      surrogateBefore,
      surrogateAfter,
      kl,
      entropy,
      timings: { forwardMs, gradientMs, stepMs: performance.now() - started - forwardMs - gradientMs },
    };
  } finally {
    disposeDistParams(oldParams);
    tf.dispose([obs, actions, inputs.advantages, inputs.oldLogProbs]);
    inputs.weights?.dispose();
  }
}

/** θ + α g. */
export function policyGradientStep(
  theta: ArrayLike<number>,
  gradient: ArrayLike<number>,
  learningRate: number,
): Float64Array {
  return Float64Array.from({ length: theta.length }, (_, i) => theta[i] + learningRate * gradient[i]);
}
