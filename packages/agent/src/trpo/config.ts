/**
 * TRPO hyperparameters. Defaults follow the paper where it gives a value (δ = 0.01, γ = 0.99, 10 CG
 * iterations, Tables 2–3 and Appendix D) and common practice elsewhere (CG damping 0.1 and λ = 0.97 from
 * modular_rl / GAE paper, a 10-step halving line search).
 */

export interface TrpoConfig {
  /** 'trpo': line search on the exact KL and surrogate (paper §5); 'npg': take the full natural step β·s. */
  algo: 'trpo' | 'npg';
  /** Trust region radius δ on the mean KL divergence D̄_KL(θ_old, θ). */
  maxKl: number;
  /** Conjugate-gradient iterations for s ≈ A⁻¹g (truncated Newton step, Appendix D). */
  cgIterations: number;
  /** CG stops early when the squared residual norm falls below this. */
  cgResidualTolerance: number;
  /** λ_damp in (A + λ_damp I) v: keeps CG stable where the sampled Fisher matrix is near-singular. */
  cgDamping: number;
  /**
   * Fraction of the batch used for Fisher-vector products (evenly strided rows; batches up to 1000 rows, such as
   * vine rollout sets, are used whole). The paper uses all of it; 0.2 makes CG ~5x cheaper on large batches, and
   * on CartPole-v1 reached 475 as soon as the full batch did.
   */
  fisherSubsample: number;
  /** Number of line-search trials θ_old + β·s·r^k, k = 0..n−1. */
  lineSearchBacktracks: number;
  /** r: the factor by which each trial shrinks the step. */
  backtrackRatio: number;
  /** Accept a trial only if actual improvement ≥ acceptRatio × the improvement predicted by the linear model. 0: any improvement. */
  acceptRatio: number;
  /** Discount γ. */
  gamma: number;
  /** GAE λ. */
  gaeLambda: number;
  /** Standardize advantages to mean 0, std 1 over the batch before the update. */
  normalizeAdvantages: boolean;
  /** Weight of the mean entropy bonus added to the surrogate (0 in the paper). */
  entropyCoefficient: number;
  /**
   * Value function: epochs of Adam regression per batch. 3 epochs at step size 2e-3 reach CartPole's 475 as
   * fast as 5 at 1e-3 (32k–44k steps, 5 seeds) and do as well on Hopper at 200k steps, in 60% of the fit time.
   */
  vfIterations: number;
  /**
   * Value function: Adam step size (see vfIterations). Tuned on vector observations; for Atari frames use ~2.5e-4:
   * at 2e-3 the CNN value function's output stayed constant on Pong (docs/results-pong.md).
   */
  vfLearningRate: number;
  /** Value function: minibatch size (256: 64 took 4x the time for no better baseline; 512 fit it too little). */
  vfMinibatchSize: number;
  /** Value function: 'adam' (vfIterations epochs of minibatches) or 'lbfgs' (vfIterations L-BFGS iterations, whole batch). */
  vfOptimizer: 'adam' | 'lbfgs';
}

export const DEFAULT_TRPO_CONFIG: Readonly<TrpoConfig> = Object.freeze({
  algo: 'trpo',
  maxKl: 0.01,
  cgIterations: 10,
  cgResidualTolerance: 1e-10,
  cgDamping: 0.1,
  fisherSubsample: 0.2,
  lineSearchBacktracks: 10,
  backtrackRatio: 0.5,
  acceptRatio: 0.1,
  gamma: 0.99,
  gaeLambda: 0.97,
  normalizeAdvantages: true,
  entropyCoefficient: 0,
  vfIterations: 3,
  vfLearningRate: 2e-3,
  vfMinibatchSize: 256,
  vfOptimizer: 'adam',
});

export function trpoConfig(overrides: Partial<TrpoConfig> = {}): TrpoConfig {
  const config = { ...DEFAULT_TRPO_CONFIG, ...overrides };
  if (!(config.maxKl > 0)) throw new RangeError(`maxKl must be positive, got ${config.maxKl}`);
  if (!(config.fisherSubsample > 0 && config.fisherSubsample <= 1)) throw new RangeError(`fisherSubsample must be in (0, 1], got ${config.fisherSubsample}`);
  if (!(config.backtrackRatio > 0 && config.backtrackRatio < 1)) throw new RangeError(`backtrackRatio must be in (0, 1), got ${config.backtrackRatio}`);
  return config;
}
