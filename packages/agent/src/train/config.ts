/**
 * Everything that defines a training run, in one typed config with documented defaults. A run directory stores
 * the resolved config, so `--resume` continues with exactly the same settings.
 */
import { DEFAULT_TRPO_CONFIG, trpoConfig, type TrpoConfig } from '../trpo/config.js';
import {
  cemConfig,
  DEFAULT_CEM_CONFIG,
  DEFAULT_RWR_CONFIG,
  DEFAULT_VPG_CONFIG,
  rwrConfig,
  vpgConfig,
  type CemConfig,
  type RwrConfig,
  type VpgConfig,
} from '../algos/config.js';
import type { Activation } from '../policies/layers.js';

export type SamplerKind = 'single-path' | 'vine';

/**
 * trpo / npg / vpg: policy-gradient methods on the samples of `sampler` (TRPO step, natural step without line
 * search, plain gradient step); cem / rwr: the paper's episodic baselines (cross-entropy method, reward-weighted
 * regression), which sample whole episodes and ignore `sampler`.
 */
export type Algorithm = 'trpo' | 'npg' | 'vpg' | 'cem' | 'rwr';
export const ALGORITHMS: readonly Algorithm[] = ['trpo', 'npg', 'vpg', 'cem', 'rwr'];

export interface VineConfig {
  /** N: states in the rollout set per iteration. Paper: 500 (swimmer) / 2500 (hopper, walker). */
  rolloutSetSize: number;
  /**
   * Actions tried per state. For discrete action spaces 'all' tries every action once (q uniform), which makes
   * the per-state sum over actions exact; a number K samples K actions from q = π_θold (paper default: 4).
   * 'auto': 'all' for discrete action spaces, 4 for continuous ones.
   */
  actionsPerState: number | 'all' | 'auto';
  /** Length of each Q-estimation rollout, first action included. Paper: 50 (swimmer) / 100 (hopper, walker). */
  rolloutLength: number;
  /** Steps of the trunk trajectories that the rollout set is drawn from, per iteration, over all env slots. */
  trunkSteps: number;
  /**
   * Variance reduction across a state's K actions (§4.2): subtract the state's mean Q̂ ('mean-baseline'), or
   * normalize each state's importance weights π/q to sum to one ('self-normalized').
   */
  estimator: 'mean-baseline' | 'self-normalized';
  /**
   * States the KL constraint (and the Fisher matrix) is estimated on: the rollout set, as the paper's sample
   * average of eq. 29 does, or every trunk state. With a small rollout set the Fisher matrix has low rank and
   * leaves most directions unconstrained; 'trunk' constrains them all (on CartPole it also learns more slowly).
   */
  klStates: 'rollout-set' | 'trunk';
  /**
   * Value of a rollout cut at rolloutLength (or by the time limit): 'none' counts only the rewards seen, as the
   * paper does; 'value-function' adds γ^length · V(s_cut), with V fitted to the trunk's GAE(γ, λ) returns, so
   * short rollouts still see the long-run consequences of an action.
   */
  rolloutBootstrap: 'none' | 'value-function';
}

export interface TrainConfig {
  envId: string;
  envKwargs: Record<string, number | boolean | string | null>;
  /** Env slots per vector env (per server). */
  numEnvs: number;
  /** ws:// URLs of servers; empty = the embedded in-process server. */
  servers: string[];
  /** Seeds env resets, policy initialization and action noise. */
  seed: number;
  algo: Algorithm;
  sampler: SamplerKind;
  /** Name of the run's curve in plots (default: algo and sampler). */
  label?: string;
  /** Stop after this many iterations ... */
  iterations: number | null;
  /** ... or after this many env steps (whichever comes first; at least one must be set). */
  totalSteps: number | null;
  /** Single path: env steps per iteration (rounded up to a multiple of the env slots). */
  stepsPerIteration: number;
  /** Single path: 'gae' uses the value baseline with GAE(γ, λ); 'monte-carlo' is the paper's discounted Q. */
  advantage: 'gae' | 'monte-carlo';
  normalizeObservations: boolean;
  policy: { hiddenSizes: number[]; activation: Activation };
  trpo: TrpoConfig;
  vine: VineConfig;
  cem: CemConfig;
  rwr: RwrConfig;
  vpg: VpgConfig;
  /** Save a checkpoint every this many iterations (and at the end). */
  checkpointEvery: number;
}

export const DEFAULT_VINE_CONFIG: Readonly<VineConfig> = Object.freeze({
  rolloutSetSize: 100,
  actionsPerState: 'auto' as const,
  rolloutLength: 50,
  trunkSteps: 1024,
  estimator: 'mean-baseline' as const,
  klStates: 'rollout-set' as const,
  rolloutBootstrap: 'none' as const,
});

export const DEFAULT_TRAIN_CONFIG: Readonly<TrainConfig> = Object.freeze({
  envId: 'CartPole-v1',
  envKwargs: {},
  numEnvs: 16,
  servers: [],
  seed: 0,
  algo: 'trpo',
  sampler: 'single-path',
  iterations: null,
  totalSteps: 100_000,
  stepsPerIteration: 4000,
  advantage: 'gae',
  normalizeObservations: true,
  policy: { hiddenSizes: [64, 64], activation: 'tanh' },
  trpo: DEFAULT_TRPO_CONFIG,
  vine: DEFAULT_VINE_CONFIG,
  cem: DEFAULT_CEM_CONFIG,
  rwr: DEFAULT_RWR_CONFIG,
  vpg: DEFAULT_VPG_CONFIG,
  checkpointEvery: 10,
}) as TrainConfig;

export type TrainConfigOverrides = Partial<Omit<TrainConfig, 'trpo' | 'vine' | 'policy' | 'cem' | 'rwr' | 'vpg'>> & {
  trpo?: Partial<TrpoConfig>;
  vine?: Partial<VineConfig>;
  cem?: Partial<CemConfig>;
  rwr?: Partial<RwrConfig>;
  vpg?: Partial<VpgConfig>;
  policy?: Partial<TrainConfig['policy']>;
};

/** Defaults completed with `overrides` and checked, so a bad value fails before any env is made. */
export function trainConfig(overrides: TrainConfigOverrides = {}): TrainConfig {
  const d = DEFAULT_TRAIN_CONFIG;
  const config: TrainConfig = {
    ...d,
    ...overrides,
    trpo: trpoConfig({ ...overrides.trpo, algo: (overrides.algo ?? d.algo) === 'npg' ? 'npg' : 'trpo' }),
    vine: { ...d.vine, ...overrides.vine },
    cem: cemConfig(overrides.cem),
    rwr: rwrConfig(overrides.rwr),
    vpg: vpgConfig(overrides.vpg),
    policy: { ...d.policy, ...overrides.policy },
  };
  const positiveInt = (name: string, v: number) => {
    if (!Number.isInteger(v) || v <= 0) throw new RangeError(`${name} must be a positive integer, got ${v}`);
  };
  positiveInt('numEnvs', config.numEnvs);
  positiveInt('stepsPerIteration', config.stepsPerIteration);
  positiveInt('checkpointEvery', config.checkpointEvery);
  positiveInt('vine.rolloutSetSize', config.vine.rolloutSetSize);
  positiveInt('vine.rolloutLength', config.vine.rolloutLength);
  positiveInt('vine.trunkSteps', config.vine.trunkSteps);
  if (typeof config.vine.actionsPerState === 'number') positiveInt('vine.actionsPerState', config.vine.actionsPerState);
  else if (!['all', 'auto'].includes(config.vine.actionsPerState)) throw new RangeError(`vine.actionsPerState must be a number, 'all' or 'auto'`);
  if (!['mean-baseline', 'self-normalized'].includes(config.vine.estimator)) throw new RangeError(`unknown vine.estimator ${config.vine.estimator}`);
  if (!['rollout-set', 'trunk'].includes(config.vine.klStates)) throw new RangeError(`unknown vine.klStates ${config.vine.klStates}`);
  if (!['none', 'value-function'].includes(config.vine.rolloutBootstrap)) {
    throw new RangeError(`unknown vine.rolloutBootstrap ${config.vine.rolloutBootstrap} (none, value-function)`);
  }
  if (config.iterations === null && config.totalSteps === null) throw new RangeError('set iterations or totalSteps');
  if (config.iterations !== null) positiveInt('iterations', config.iterations);
  if (config.totalSteps !== null) positiveInt('totalSteps', config.totalSteps);
  if (!ALGORITHMS.includes(config.algo)) throw new RangeError(`unknown algo ${config.algo} (${ALGORITHMS.join(', ')})`);
  if (!['single-path', 'vine'].includes(config.sampler)) throw new RangeError(`unknown sampler ${config.sampler}`);
  if (!['gae', 'monte-carlo'].includes(config.advantage)) throw new RangeError(`unknown advantage ${config.advantage}`);
  return config;
}
