/**
 * One policy update of TRPO (arXiv 1502.05477, §5 step 3 and Appendix D), or of the natural policy gradient
 * (the same direction and step size, no line search), on a batch built as §4 describes:
 *
 *   1. g = ∇θ L(θ)|θ_old                 surrogateGradient   L: the sample average of eq. 29 (objectives.ts)
 *   2. s ≈ A⁻¹g by conjugate gradient    naturalDirection    A: the averaged Fisher matrix of eq. 25, used only
 *                                                            through products A·v (fisher.ts)
 *   3. β = sqrt(2δ / sᵀAs)               maxStepScale        the largest step the quadratic KL model allows
 *   4. TRPO: backtrack from θ_old + βs until L improves and the exact mean KL ≤ δ   lineSearchStep
 *      NPG:  θ_old + βs                                                              naturalStep
 */
import type * as tfType from '@tensorflow/tfjs';
import type { PolicyGradientBatch } from '../../estimation/advantages.js';
import { flatGrad, getFlatParams, setFlatParams } from '../../math/flat.js';
import { disposeDistParams, logProb, type DistParams } from '../../policies/distributions.js';
import type { Policy } from '../../policies/policy.js';
import type { Tf } from '../../tf.js';
import type { TrpoConfig } from './config.js';
import { conjugateGradient } from './conjugate-gradient.js';
import { fisherSubsample, fisherVectorProduct } from './fisher.js';
import { backtrackingLineSearch, maxStepScale, type LineSearchTrial } from './line-search.js';
import { meanEntropy, meanKl, surrogateObjective, type SurrogateInputs } from './objectives.js';

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

export interface TrpoUpdateOptions {
  /** false: NPG's full natural step βs instead of the line search. Default true. */
  lineSearch?: boolean;
}

/** The batch as tensors, and the objective and constraint of eq. 29 on them. */
interface Problem {
  obs: tfType.Tensor;
  inputs: SurrogateInputs;
  /** θ_old's distributions on the batch and on the constraint's states: constants, computed before any tape records. */
  oldParams: DistParams;
  oldKlParams: DistParams;
  /** Rows the Fisher-vector products average over. */
  fisherObs: tfType.Tensor;
  objective(params: DistParams): tfType.Scalar;
  /** L and the exact mean KL at the policy's current θ. */
  evaluate(): LineSearchTrial;
  dispose(): void;
}

export function trpoUpdate(
  tf: Tf,
  policy: Policy,
  batch: PolicyGradientBatch,
  config: TrpoConfig,
  options: TrpoUpdateOptions = {},
): TrpoUpdateStats {
  const timings = { forwardMs: 0, gradientMs: 0, cgMs: 0, lineSearchMs: 0 };
  let clock = performance.now();
  const lap = () => {
    const now = performance.now();
    const elapsed = now - clock;
    clock = now;
    return elapsed;
  };
  const problem = sampleEstimate(tf, policy, batch, config);
  try {
    const thetaOld = getFlatParams(policy.variables);
    const surrogateBefore = tf.tidy(() => problem.objective(problem.oldParams).dataSync()[0]);
    const entropy = tf.tidy(() => meanEntropy(tf, problem.oldKlParams).dataSync()[0]);
    timings.forwardMs = lap();

    const gradient = surrogateGradient(tf, policy, problem);
    timings.gradientMs = lap();

    const { fullStep, stepScale } = naturalDirection(tf, policy, problem, gradient, config);
    timings.cgMs = lap();

    const unchanged = {
      surrogateBefore,
      surrogateAfter: surrogateBefore,
      kl: 0,
      entropy,
      lineSearchSteps: 0,
      accepted: false,
      timings,
    };
    if (stepScale === 0) return unchanged;
    const step =
      options.lineSearch === false
        ? naturalStep(tf, policy, problem, thetaOld, fullStep)
        : lineSearchStep(tf, policy, problem, thetaOld, fullStep, gradient, surrogateBefore, config);
    timings.lineSearchMs = lap();
    return { ...unchanged, ...step };
  } finally {
    problem.dispose();
  }
}

/** Eq. 29 by sample averages: the importance-sampled surrogate (plus an optional entropy bonus) and the mean KL. */
function sampleEstimate(tf: Tf, policy: Policy, batch: PolicyGradientBatch, config: TrpoConfig): Problem {
  const n = batch.advantages.length;
  const obs = tf.tensor(batch.obs, [n, ...policy.obsShape]);
  const actions =
    policy.kind === 'gaussian'
      ? tf.tensor2d(batch.actions, [n, batch.actions.length / n], 'float32')
      : tf.tensor1d(batch.actions, 'int32');
  const klObs = batch.klObs
    ? tf.tensor(batch.klObs, [batch.klObs.length / policy.obsShape.reduce((a, b) => a * b, 1), ...policy.obsShape])
    : obs;
  const oldParams: DistParams = policy.distributionParams(obs);
  const oldKlParams: DistParams = klObs === obs ? oldParams : policy.distributionParams(klObs);
  const inputs: SurrogateInputs = {
    actions,
    advantages: tf.tensor1d(batch.advantages),
    oldLogProbs: batch.oldLogProbs ? tf.tensor1d(batch.oldLogProbs) : logProb(tf, oldParams, actions),
    weights: batch.weights ? tf.tensor1d(batch.weights) : undefined,
    stateGroups: batch.stateIndex
      ? {
          index: tf.tensor1d(batch.stateIndex, 'int32'),
          count: batch.stateIndex.reduce((m, i) => Math.max(m, i), 0) + 1,
        }
      : undefined,
  };
  const fisherObs = fisherSubsample(tf, klObs, config.fisherSubsample);
  const objective = (params: DistParams): tfType.Scalar =>
    tf.tidy(() => {
      const surrogate = surrogateObjective(tf, params, inputs);
      return config.entropyCoefficient === 0
        ? surrogate
        : tf.add(surrogate, tf.mul(config.entropyCoefficient, meanEntropy(tf, params)));
    });
  return {
    obs,
    inputs,
    oldParams,
    oldKlParams,
    fisherObs,
    objective,
    evaluate: () =>
      tf.tidy(() => {
        const params = policy.distributionParams(obs);
        const klParams = klObs === obs ? params : policy.distributionParams(klObs);
        return { surrogate: objective(params).dataSync()[0], kl: meanKl(tf, oldKlParams, klParams).dataSync()[0] };
      }),
    dispose: () => {
      disposeDistParams(oldParams);
      if (klObs !== obs) {
        disposeDistParams(oldKlParams);
        klObs.dispose();
      }
      tf.dispose([obs, actions, inputs.advantages, inputs.oldLogProbs, fisherObs]);
      if (inputs.weights) inputs.weights.dispose();
      if (inputs.stateGroups) inputs.stateGroups.index.dispose();
    },
  };
}

/** Step 1: g = ∇θ L(θ) at θ_old, the policy gradient. */
function surrogateGradient(tf: Tf, policy: Policy, problem: Problem): Float32Array {
  return flatGrad(tf, () => problem.objective(policy.distributionParams(problem.obs)), policy.variables);
}

/** Steps 2 and 3: s ≈ A⁻¹g by CG on Fisher-vector products, and the full step βs with β = sqrt(2δ / sᵀAs). */
function naturalDirection(tf: Tf, policy: Policy, problem: Problem, gradient: Float32Array, config: TrpoConfig) {
  const fisherTimes = (v: Float64Array) => fisherVectorProduct(tf, policy, problem.fisherObs, v, config.cgDamping);
  const { x: direction } = conjugateGradient(fisherTimes, Float64Array.from(gradient), {
    iterations: config.cgIterations,
    residualTolerance: config.cgResidualTolerance,
  });
  const stepScale = maxStepScale(direction, fisherTimes(direction), config.maxKl);
  return { fullStep: direction.map((s) => stepScale * s), stepScale };
}

/** Step 4 (TRPO): the first θ_old + r^k·βs that improves L enough and keeps the exact mean KL ≤ δ, or θ_old. */
function lineSearchStep(
  tf: Tf,
  policy: Policy,
  problem: Problem,
  thetaOld: Float32Array,
  fullStep: Float64Array,
  gradient: Float32Array,
  surrogateBefore: number,
  config: TrpoConfig,
) {
  const result = backtrackingLineSearch(
    (params) => {
      setFlatParams(tf, policy.variables, params);
      return problem.evaluate();
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
  return { surrogateAfter: result.surrogate, kl: result.kl, lineSearchSteps: result.steps, accepted: result.accepted };
}

/** Step 4 (NPG): the full natural step θ_old + βs, whatever it does to L and the KL. */
function naturalStep(tf: Tf, policy: Policy, problem: Problem, thetaOld: Float32Array, fullStep: Float64Array) {
  setFlatParams(
    tf,
    policy.variables,
    thetaOld.map((theta, i) => theta + fullStep[i]),
  );
  const after = problem.evaluate();
  return { surrogateAfter: after.surrogate, kl: after.kl, accepted: true };
}

function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += a[i] * b[i];
  return sum;
}
