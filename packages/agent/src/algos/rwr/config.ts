/**
 * The `rwr` section: reward-weighted regression as the paper ran it (§6.1, footnote 5: keep the top 10% of
 * trajectories, refit with L-BFGS).
 */
import * as v from 'valibot';
import { choice, field, fraction, positive, positiveInteger } from '../../config/fields.js';

export const RWR_SECTION = v.strictObject({
  episodesPerIteration: field(positiveInteger(), 50, 'trajectories sampled from the stochastic policy per iteration'),
  weighting: field(
    choice(['elite', 'exponential'] as const),
    'elite',
    "elite: the paper's variant, weight 1 for the top eliteFraction of trajectories, 0 otherwise; exponential: " +
      'every trajectory weighted by exp((R − max R) / (temperature · std R))',
  ),
  eliteFraction: field(fraction(), 0.1, 'paper: 0.1 (the top 10%)'),
  temperature: field(
    positive(),
    1,
    "only for exponential: the temperature, in units of the batch's return standard deviation",
  ),
  lbfgsIterations: field(
    positiveInteger(),
    20,
    'L-BFGS iterations of each refit (the refit starts from the current θ)',
  ),
  lbfgsMemory: field(positiveInteger(), 10, 'L-BFGS memory m'),
});

export type RwrConfig = v.InferOutput<typeof RWR_SECTION>;
