/**
 * One policy update of TRPO (paper §5, Appendix D), or of the natural policy gradient (same direction, no line
 * search):
 *   1. g = ∇θ L(θ) at θ_old                               (surrogate gradient = policy gradient)
 *   2. s ≈ A⁻¹ g by conjugate gradient                      (A: averaged Fisher matrix, via A·v products)
 *   3. β = sqrt(2δ / sᵀAs)                                  (largest step allowed by the quadratic KL model)
 *   4. TRPO: backtrack from θ_old + β·s until L improves and the exact mean KL ≤ δ; NPG: take θ_old + β·s.
 */
import type * as tfType from '@tensorflow/tfjs';
import type { Tf } from '../tf.js';
import { conjugateGradient } from '../math/conjugate-gradient.js';
import { flatGrad, getFlatParams, setFlatParams } from '../math/flat.js';
import { disposeDistParams, logProb, type DistParams } from '../policies/distributions.js';
import type { Policy } from '../policies/policy.js';
import type { TrpoConfig } from './config.js';
import { fisherSubsample, fisherVectorProduct } from './fisher.js';
import { backtrackingLineSearch, maxStepScale, type LineSearchTrial } from './line-search.js';
import { meanEntropy, meanKl, surrogateObjective, type SurrogateInputs } from './objectives.js';

export interface TrpoBatch {
  /** Row-major observations, batch × obsSize. */
  obs: Float32Array;
  /** Gaussian: batch × actionDim floats; categorical: one action index per row. */
  actions: Float32Array | Int32Array;
  advantages: Float32Array;
  /** log q(a|s) of the distribution that sampled the actions; defaults to π_θold, i.e. the policy as it is now. */
  oldLogProbs?: Float32Array;
  /** Per-sample weights of the averages (e.g. for vine rollout sets). */
  weights?: Float32Array;
  /** Vine with self-normalized importance sampling: the rollout-set state of each sample (0 .. N−1). */
  stateIndex?: Int32Array;
  /**
   * States on which the KL constraint (and so the Fisher matrix) is estimated, row-major; default `obs`. The
   * constraint is an expectation over the state distribution, so the vine sampler passes every trunk state,
   * not only its small rollout set: a Fisher matrix from a few states leaves most directions unconstrained.
   */
  klObs?: Float32Array;
}

export interface TrpoUpdateStats {
  /** Objective (surrogate + entropy bonus) at θ_old and at the new θ. */
  surrogateBefore: number;
  surrogateAfter: number;
  /** Exact mean KL D̄_KL(θ_old, θ_new). */
  kl: number;
  /** Mean entropy of π_θold on the batch. */
  entropy: number;
  /** Line-search trials evaluated (0 for NPG). */
  lineSearchSteps: number;
  /** Whether θ changed. */
  accepted: boolean;
  timings: { forwardMs: number; gradientMs: number; cgMs: number; lineSearchMs: number };
}

/** (A − mean) / std over the batch, in float64. */
export function standardize(values: Float32Array): Float32Array {
  const n = values.length;
  const mean = values.reduce((a, b) => a + b, 0) / n;
  const variance = values.reduce((a, b) => a + (b - mean) ** 2, 0) / n;
  const scale = 1 / (Math.sqrt(variance) + 1e-8);
  return values.map((v) => (v - mean) * scale);
}

function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += a[i] * b[i];
  return sum;
}

export function trpoUpdate(tf: Tf, policy: Policy, batch: TrpoBatch, config: TrpoConfig): TrpoUpdateStats {
  const timings = { forwardMs: 0, gradientMs: 0, cgMs: 0, lineSearchMs: 0 };
  let clock = performance.now();
  const lap = () => {
    const now = performance.now();
    const elapsed = now - clock;
    clock = now;
    return elapsed;
  };

  const n = batch.advantages.length;
  const advantages = config.normalizeAdvantages ? standardize(batch.advantages) : batch.advantages;
  const obs = tf.tensor(batch.obs, [n, ...policy.obsShape]);
  const actions =
    policy.kind === 'gaussian' ? tf.tensor2d(batch.actions, [n, batch.actions.length / n], 'float32') : tf.tensor1d(batch.actions, 'int32');
  const klObs = batch.klObs ? tf.tensor(batch.klObs, [batch.klObs.length / policy.obsShape.reduce((a, b) => a * b, 1), ...policy.obsShape]) : obs;
  // θ_old's distributions: computed outside any gradient tape, so they are constants below.
  const oldParams: DistParams = policy.distributionParams(obs);
  const oldKlParams: DistParams = klObs === obs ? oldParams : policy.distributionParams(klObs);
  const inputs: SurrogateInputs = {
    actions,
    advantages: tf.tensor1d(advantages),
    oldLogProbs: batch.oldLogProbs ? tf.tensor1d(batch.oldLogProbs) : logProb(tf, oldParams, actions),
    weights: batch.weights ? tf.tensor1d(batch.weights) : undefined,
    stateGroups: batch.stateIndex
      ? { index: tf.tensor1d(batch.stateIndex, 'int32'), count: batch.stateIndex.reduce((m, i) => Math.max(m, i), 0) + 1 }
      : undefined,
  };
  const fisherObs = fisherSubsample(tf, klObs, config.fisherSubsample);

  const objective = (params: DistParams): tfType.Scalar =>
    tf.tidy(() => {
      const surrogate = surrogateObjective(tf, params, inputs);
      return config.entropyCoefficient === 0 ? surrogate : tf.add(surrogate, tf.mul(config.entropyCoefficient, meanEntropy(tf, params)));
    });
  const evaluateCurrent = (): LineSearchTrial =>
    tf.tidy(() => {
      const params = policy.distributionParams(obs);
      const klParams = klObs === obs ? params : policy.distributionParams(klObs);
      return { surrogate: objective(params).dataSync()[0], kl: meanKl(tf, oldKlParams, klParams).dataSync()[0] };
    });

  try {
    const thetaOld = getFlatParams(policy.variables);
    const surrogateBefore = tf.tidy(() => objective(oldParams).dataSync()[0]);
    const entropy = tf.tidy(() => meanEntropy(tf, oldKlParams).dataSync()[0]);
    timings.forwardMs = lap();

    const gradient = flatGrad(tf, () => objective(policy.distributionParams(obs)), policy.variables);
    timings.gradientMs = lap();

    const fisherTimes = (v: Float64Array) => fisherVectorProduct(tf, policy, fisherObs, v, config.cgDamping);
    const { x: direction } = conjugateGradient(fisherTimes, Float64Array.from(gradient), {
      iterations: config.cgIterations,
      residualTolerance: config.cgResidualTolerance,
    });
    const stepScale = maxStepScale(direction, fisherTimes(direction), config.maxKl);
    const fullStep = direction.map((s) => stepScale * s);
    timings.cgMs = lap();

    const unchanged = { surrogateBefore, surrogateAfter: surrogateBefore, kl: 0, entropy, lineSearchSteps: 0, accepted: false, timings };
    if (stepScale === 0) return unchanged;

    if (config.algo === 'npg') {
      setFlatParams(tf, policy.variables, thetaOld.map((theta, i) => theta + fullStep[i]));
      const after = evaluateCurrent();
      timings.lineSearchMs = lap();
      return { ...unchanged, surrogateAfter: after.surrogate, kl: after.kl, accepted: true };
    }

    const result = backtrackingLineSearch(
      (params) => {
        setFlatParams(tf, policy.variables, params);
        return evaluateCurrent();
      },
      thetaOld,
      fullStep,
      {
        surrogateBefore,
        expectedImprovement: dot(gradient, fullStep),
        maxKl: config.maxKl,
        backtracks: config.lineSearchBacktracks,
        backtrackRatio: config.backtrackRatio,
        acceptRatio: config.acceptRatio,
      },
    );
    setFlatParams(tf, policy.variables, result.params);
    timings.lineSearchMs = lap();
    return { ...unchanged, surrogateAfter: result.surrogate, kl: result.kl, lineSearchSteps: result.steps, accepted: result.accepted };
  } finally {
    disposeDistParams(oldParams);
    if (klObs !== obs) {
      disposeDistParams(oldKlParams);
      klObs.dispose();
    }
    tf.dispose([obs, actions, inputs.advantages, inputs.oldLogProbs, fisherObs]);
    if (inputs.weights) inputs.weights.dispose();
    if (inputs.stateGroups) inputs.stateGroups.index.dispose();
  }
}
