/**
 * Hyperparameters of the paper's comparison methods (§6.1): the cross-entropy method, reward-weighted regression
 * and vanilla policy gradient. TrainConfig holds one of each (`cem`, `rwr`, `vpg`); only the one of `algo` is used.
 *
 * The paper gives no numbers for CEM or RWR beyond footnote 5 (RWR keeps the top 10% of trajectories and refits
 * with L-BFGS) and footnote 6 (CEM used fewer hidden units). The CEM defaults follow noisy CEM as in Szita &
 * Lőrincz (2006) and rllab's CEM (extra variance decaying linearly to zero).
 */

export interface CemConfig {
  /** Candidates θ_i drawn per iteration. */
  populationSize: number;
  /** Fraction of the population whose mean and std become the next search distribution. */
  eliteFraction: number;
  /** σ₀: initial standard deviation of every coordinate around the policy's initial weights. */
  initialStd: number;
  /** Z₀: standard deviation of the extra noise added to the sampling distribution (Szita & Lőrincz). */
  extraStd: number;
  /** The extra variance decays linearly from Z₀² to 0 over this many iterations. */
  extraDecayIterations: number;
  /** Episodes averaged into each candidate's score. */
  episodesPerCandidate: number;
  /**
   * Evaluate candidates with the policy's mean / most probable action instead of sampling from it. Default false:
   * the paper optimizes the stochastic policy as it is, so CEM scores the policy that is deployed.
   */
  deterministicEvaluation: boolean;
}

export interface RwrConfig {
  /** Trajectories sampled from the stochastic policy per iteration. */
  episodesPerIteration: number;
  /**
   * 'elite': the paper's variant (footnote 5) — weight 1 for the top `eliteFraction` of trajectories, 0 otherwise.
   * 'exponential': every trajectory weighted by exp((R − max R) / (temperature · std R)).
   */
  weighting: 'elite' | 'exponential';
  /** Paper: 0.1 (the top 10%). */
  eliteFraction: number;
  /** Only for 'exponential': the temperature, in units of the batch's return standard deviation. */
  temperature: number;
  /** L-BFGS iterations of each refit (the refit starts from the current θ). */
  lbfgsIterations: number;
  /** L-BFGS memory m. */
  lbfgsMemory: number;
}

export interface VpgConfig {
  /** α in θ ← θ + α ∇θ L(θ): a plain gradient-ascent step on the same surrogate and advantages as TRPO. */
  learningRate: number;
}

export const DEFAULT_CEM_CONFIG: Readonly<CemConfig> = Object.freeze({
  populationSize: 40,
  eliteFraction: 0.2,
  initialStd: 0.5,
  extraStd: 0.5,
  extraDecayIterations: 20,
  episodesPerCandidate: 1,
  deterministicEvaluation: false,
});

export const DEFAULT_RWR_CONFIG: Readonly<RwrConfig> = Object.freeze({
  episodesPerIteration: 50,
  weighting: 'elite' as const,
  eliteFraction: 0.1,
  temperature: 1,
  lbfgsIterations: 20,
  lbfgsMemory: 10,
});

export const DEFAULT_VPG_CONFIG: Readonly<VpgConfig> = Object.freeze({
  learningRate: 0.05,
});

const positiveInteger = (name: string, v: number) => {
  if (!Number.isInteger(v) || v <= 0) throw new RangeError(`${name} must be a positive integer, got ${v}`);
};
const fraction = (name: string, v: number) => {
  if (!(v > 0 && v <= 1)) throw new RangeError(`${name} must be in (0, 1], got ${v}`);
};

export function cemConfig(overrides: Partial<CemConfig> = {}): CemConfig {
  const config = { ...DEFAULT_CEM_CONFIG, ...overrides };
  positiveInteger('cem.populationSize', config.populationSize);
  positiveInteger('cem.episodesPerCandidate', config.episodesPerCandidate);
  positiveInteger('cem.extraDecayIterations', config.extraDecayIterations);
  fraction('cem.eliteFraction', config.eliteFraction);
  if (!(config.initialStd > 0)) throw new RangeError(`cem.initialStd must be positive, got ${config.initialStd}`);
  if (!(config.extraStd >= 0)) throw new RangeError(`cem.extraStd must be non-negative, got ${config.extraStd}`);
  return config;
}

export function rwrConfig(overrides: Partial<RwrConfig> = {}): RwrConfig {
  const config = { ...DEFAULT_RWR_CONFIG, ...overrides };
  positiveInteger('rwr.episodesPerIteration', config.episodesPerIteration);
  positiveInteger('rwr.lbfgsIterations', config.lbfgsIterations);
  positiveInteger('rwr.lbfgsMemory', config.lbfgsMemory);
  fraction('rwr.eliteFraction', config.eliteFraction);
  if (!['elite', 'exponential'].includes(config.weighting)) throw new RangeError(`unknown rwr.weighting ${config.weighting}`);
  if (!(config.temperature > 0)) throw new RangeError(`rwr.temperature must be positive, got ${config.temperature}`);
  return config;
}

export function vpgConfig(overrides: Partial<VpgConfig> = {}): VpgConfig {
  const config = { ...DEFAULT_VPG_CONFIG, ...overrides };
  if (!(config.learningRate > 0)) throw new RangeError(`vpg.learningRate must be positive, got ${config.learningRate}`);
  return config;
}
