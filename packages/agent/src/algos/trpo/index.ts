/**
 * TRPO, Trust Region Policy Optimization (Schulman et al. 2015, arXiv 1502.05477), and NPG, the natural policy
 * gradient: the same step without the line search. Each iteration runs the practical algorithm of §5:
 *
 *   1. collect states with advantage estimates by the single path or vine procedure    §4.1, §4.2   estimation/advantages.ts
 *   2. average over the samples to build the objective and constraint of eq. 29        §4           update.ts: sampleEstimate
 *   3. solve the constrained problem approximately: conjugate gradient on Fisher-vector
 *      products for the natural direction, then a line search on the exact KL          App. D       update.ts
 *
 * then fits the value baseline and the observation normalizer that the next iteration's estimates use.
 */
import { defineAlgorithm, type AlgorithmContext } from '../algorithm.js';
import type { PolicyGradientBatch } from '../../estimation/advantages.js';
import { PolicyGradientAlgorithm } from '../../estimation/policy-gradient.js';
import { TRPO_SECTION, type TrpoConfig } from './config.js';
import { trpoUpdate, type TrpoUpdateOptions } from './update.js';

function trpoStep(context: AlgorithmContext<TrpoConfig>, options: TrpoUpdateOptions) {
  return (batch: PolicyGradientBatch): Record<string, number> => {
    const stats = trpoUpdate(context.tf, context.policy, batch, context.settings, options);
    return {
      'train/surrogate_before': stats.surrogateBefore,
      'train/surrogate_after': stats.surrogateAfter,
      'train/kl': stats.kl,
      'train/entropy': stats.entropy,
      'train/line_search_steps': stats.lineSearchSteps,
      'train/accepted': stats.accepted ? 1 : 0,
      'time/forward_ms': stats.timings.forwardMs,
      'time/gradient_ms': stats.timings.gradientMs,
      'time/cg_ms': stats.timings.cgMs,
      'time/line_search_ms': stats.timings.lineSearchMs,
    };
  };
}

export const TRPO = defineAlgorithm<TrpoConfig>({
  name: 'trpo',
  summary: 'TRPO: natural-gradient step with a line search on the exact KL (the paper)',
  section: 'trpo',
  schema: TRPO_SECTION,
  usesSampler: true,
  create: (context) => new PolicyGradientAlgorithm(context, trpoStep(context, { lineSearch: true })),
});

export const NPG = defineAlgorithm<TrpoConfig>({
  name: 'npg',
  summary: "natural policy gradient: TRPO's step β·s without the line search (settings: the trpo section)",
  section: 'trpo',
  schema: TRPO_SECTION,
  usesSampler: true,
  create: (context) => new PolicyGradientAlgorithm(context, trpoStep(context, { lineSearch: false })),
});
