/**
 * What `vinegym compare` runs: the named algorithm variants of the paper's Figure 2 (plus the policy-gradient
 * limiting cases), one run per variant × seed, each a complete `vinegym train` run directory under
 * `<out>/runs/<variant>/seed<k>/`.
 */
import { join } from 'node:path';
import { canonicalKeys, mergeConfigSources } from '../config/keys.js';
import type { TrainConfigOverrides } from '../config/train-config.js';

/** Overrides that make a TrainConfig into each compared method. */
export const VARIANTS: Readonly<Record<string, TrainConfigOverrides>> = Object.freeze({
  'trpo-single-path': { algo: 'trpo', sampler: 'single-path' },
  'trpo-vine': { algo: 'trpo', sampler: 'vine' },
  npg: { algo: 'npg', sampler: 'single-path' },
  vpg: { algo: 'vpg', sampler: 'single-path' },
  rwr: { algo: 'rwr' },
  // Footnote 6: "We reduced the number of hidden units for the cross-entropy method, which improved its performance."
  cem: { algo: 'cem', policy: { hiddenSizes: [16] } },
});

/**
 * Gymnasium's reward_threshold of each env (the return at which it counts as solved); `--threshold` overrides
 * it, and envs without one report no steps-to-threshold unless given one.
 */
export const REWARD_THRESHOLDS: Readonly<Record<string, number>> = Object.freeze({
  'CartPole-v0': 195,
  'CartPole-v1': 475,
  'InvertedPendulum-v5': 950,
  'Swimmer-v5': 360,
  'Hopper-v5': 3800,
  'HalfCheetah-v5': 4800,
  'Ant-v5': 6000,
});

export interface ComparePlan {
  envId: string;
  variants: string[];
  seeds: number;
  /** Env steps per run. */
  budget: number;
  servers: string[];
  out: string;
  /** Applied to every run before the variant's own overrides (e.g. from --config; aliases and old names allowed). */
  base: Readonly<Record<string, unknown>>;
}

export interface PlannedRun {
  variant: string;
  seed: number;
  dir: string;
  overrides: TrainConfigOverrides;
}

/** Every variant × seed, in the order they are started (seed-major, so early results cover every variant). */
export function plannedRuns(plan: ComparePlan): PlannedRun[] {
  for (const variant of plan.variants) {
    if (!(variant in VARIANTS))
      throw new Error(`unknown algorithm '${variant}' (known: ${Object.keys(VARIANTS).join(', ')})`);
  }
  const runs: PlannedRun[] = [];
  const base = canonicalKeys(plan.base);
  for (let seed = 0; seed < plan.seeds; seed++) {
    for (const variant of plan.variants) {
      const preset = VARIANTS[variant];
      const overrides: TrainConfigOverrides = {
        ...mergeConfigSources(base, preset),
        policy: { ...(base.policy as object), ...preset.policy },
        envId: plan.envId,
        seed,
        totalSteps: plan.budget,
        iterations: null,
        servers: plan.servers,
        label: variant,
      };
      runs.push({ variant, seed, dir: join(plan.out, 'runs', variant, `seed${seed}`), overrides });
    }
  }
  return runs;
}
