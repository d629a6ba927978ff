/**
 * The JSON record of one training run, written by both sides of `pnpm bench:vs-sb3` (ours-run.ts and
 * sb3_trpo.py), and the results file that collects them, so tables and plots can be rebuilt without rerunning.
 * Wall and CPU seconds count training only: the checkpoint evaluations are timed apart and left out.
 */

export type Implementation = 'vinegym' | 'sb3-contrib';

/** A deterministic evaluation of the policy after `steps` env steps of training. */
export interface Evaluation {
  steps: number;
  wall_s: number;
  cpu_s: number;
  returns: number[];
  lengths: number[];
}

/** One point of the learning curve per policy update: the mean return of the last 10 training episodes. */
export interface CurvePoint {
  steps: number;
  wall_s: number;
  cpu_s?: number;
  /** null until an episode has finished. */
  episode_return_mean: number | null;
  /** vinegym only: per-update diagnostics (KL, entropy, explained variance, line-search steps, ...). */
  diagnostics?: Record<string, number>;
}

export interface RunRecord {
  impl: Implementation;
  env: string;
  seed: number;
  env_steps: number;
  wall_s: number;
  cpu_s: number;
  eval_wall_s: number;
  /** What was run: our resolved TrainConfig, or sb3-contrib's hyperparameters. */
  settings: Record<string, unknown>;
  versions: Record<string, string>;
  curve: CurvePoint[];
  evaluations: Evaluation[];
  /** Added by the driver. */
  label?: string;
  /** `uptime`'s 1-minute load averages before and after the run, added by the driver. */
  load?: { before: number; after: number };
  finished_at?: string;
}

export interface ResultsFile {
  env: string;
  steps: number;
  checkpoints: number[];
  evalEpisodes: number;
  machine: { cpus: number; node: string; platform: string };
  runs: RunRecord[];
}
