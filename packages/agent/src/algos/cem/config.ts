/**
 * The `cem` section: the cross-entropy method, the paper's derivative-free baseline (§6.1). The paper gives no
 * numbers beyond footnote 6 (CEM used fewer hidden units); the defaults follow noisy CEM as in Szita & Lőrincz
 * (2006) and rllab's CEM (extra variance decaying linearly to zero).
 */
import * as v from 'valibot';
import { field, fraction, nonNegative, positive, positiveInteger } from '../../config/fields.js';

export const CEM_SECTION = v.strictObject({
  populationSize: field(positiveInteger(), 40, 'candidates θ_i drawn per iteration'),
  eliteFraction: field(
    fraction(),
    0.2,
    'fraction of the population whose mean and std become the next search distribution',
  ),
  initialStd: field(
    positive(),
    0.5,
    "σ₀: initial standard deviation of every coordinate around the policy's initial weights",
  ),
  extraStd: field(
    nonNegative(),
    0.5,
    'Z₀: standard deviation of the extra noise added to the sampling distribution (Szita & Lőrincz)',
  ),
  extraDecayIterations: field(
    positiveInteger(),
    20,
    'the extra variance decays linearly from Z₀² to 0 over this many iterations',
  ),
  episodesPerCandidate: field(positiveInteger(), 1, "episodes averaged into each candidate's score"),
  deterministicEvaluation: field(
    v.boolean(),
    false,
    "score candidates with the policy's mean / most probable action instead of sampling from it (default: the " +
      'stochastic policy, as deployed)',
  ),
});

export type CemConfig = v.InferOutput<typeof CEM_SECTION>;
