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
 *
 * L, the KL and their derivatives come from a `TrpoProblem` (problem.ts): tensor ops, or typed arrays for fully
 * connected policies (`trpo.implementation: host`). The KL is the paper's, or with `trpo.klReduction` mean
 * sb3-contrib's average over a Gaussian's action dimensions (kl-reduction.ts); δ is a bound on that KL.
 */
import type { PolicyGradientBatch } from '../../estimation/advantages.js';
import { getFlatParams, setFlatParams } from '../../math/flat.js';
import type { Policy } from '../../policies/policy.js';
import type { Tf } from '../../tf.js';
import type { TrpoConfig } from './config.js';
import { conjugateGradient } from './conjugate-gradient.js';
import { hostProblem } from './host-problem.js';
import { backtrackingLineSearch, maxStepScale } from './line-search.js';
import type { TrpoProblem } from './problem.js';
import { tensorProblem } from './tensor-problem.js';

export interface TrpoUpdateStats {
  /** Objective (surrogate + entropy bonus) at θ_old and at the new θ. */
  surrogateBefore: number;
  surrogateAfter: number;
  /** Exact mean KL D̄_KL(θ_old, θ_new), reduced over action dimensions as `trpo.klReduction` says. */
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
  const thetaOld = getFlatParams(policy.variables);
  const problem =
    config.implementation === 'host' && policy.hostNetwork
      ? hostProblem(policy.hostNetwork, policy.kind, thetaOld, batch, config)
      : tensorProblem(tf, policy, batch, config);
  try {
    const { surrogateBefore, entropy } = problem;
    timings.forwardMs = lap();

    const gradient = problem.gradient();
    timings.gradientMs = lap();

    const { fullStep, stepScale } = naturalDirection(problem, gradient, config);
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
        ? naturalStep(problem, thetaOld, fullStep)
        : lineSearchStep(problem, thetaOld, fullStep, gradient, surrogateBefore, config);
    setFlatParams(tf, policy.variables, step.params);
    timings.lineSearchMs = lap();
    return { ...unchanged, ...step.stats };
  } finally {
    problem.dispose();
  }
}

/** Steps 2 and 3: s ≈ A⁻¹g by CG on Fisher-vector products, and the full step βs with β = sqrt(2δ / sᵀAs). */
function naturalDirection(problem: TrpoProblem, gradient: Float64Array, config: TrpoConfig) {
  const fisherTimes = (v: Float64Array) => {
    const product = problem.fisherProduct(v);
    for (let i = 0; i < product.length; i++) product[i] += config.cgDamping * v[i];
    return product;
  };
  const { x: direction } = conjugateGradient(fisherTimes, gradient, {
    iterations: config.cgIterations,
    residualTolerance: config.cgResidualTolerance,
  });
  const stepScale = maxStepScale(direction, fisherTimes(direction), config.maxKl);
  return { fullStep: direction.map((s) => stepScale * s), stepScale };
}

/** Step 4 (TRPO): the first θ_old + r^k·βs that improves L enough and keeps the exact mean KL ≤ δ, or θ_old. */
function lineSearchStep(
  problem: TrpoProblem,
  thetaOld: Float32Array,
  fullStep: Float64Array,
  gradient: Float64Array,
  surrogateBefore: number,
  config: TrpoConfig,
) {
  const result = backtrackingLineSearch((params) => problem.evaluate(params), thetaOld, fullStep, {
    surrogateBefore,
    expectedImprovement: dot(gradient, fullStep),
    maxKl: config.maxKl,
    backtracks: config.lineSearchBacktracks,
    backtrackRatio: config.backtrackRatio,
    acceptRatio: config.acceptRatio,
  });
  return {
    params: result.params,
    stats: {
      surrogateAfter: result.surrogate,
      kl: result.kl,
      lineSearchSteps: result.steps,
      accepted: result.accepted,
    },
  };
}

/** Step 4 (NPG): the full natural step θ_old + βs, whatever it does to L and the KL. */
function naturalStep(problem: TrpoProblem, thetaOld: Float32Array, fullStep: Float64Array) {
  const params = thetaOld.map((theta, i) => theta + fullStep[i]);
  const after = problem.evaluate(params);
  return { params, stats: { surrogateAfter: after.surrogate, kl: after.kl, accepted: true } };
}

function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += a[i] * b[i];
  return sum;
}
