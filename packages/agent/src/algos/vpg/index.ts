/**
 * VPG: the policy-gradient loop of TRPO (same sampling, advantages and value function) with a plain gradient
 * step on the surrogate instead of the constrained natural step; the first-order limiting case of §8.
 */
import { defineAlgorithm } from '../algorithm.js';
import { PolicyGradientAlgorithm } from '../../estimation/policy-gradient.js';
import { VPG_SECTION, type VpgConfig } from './config.js';
import { vanillaPolicyGradientUpdate } from './update.js';

export const VPG = defineAlgorithm<VpgConfig>({
  name: 'vpg',
  summary: 'vanilla policy gradient: a plain gradient step on the same surrogate and advantages',
  section: 'vpg',
  schema: VPG_SECTION,
  usesSampler: true,
  create: (context) =>
    new PolicyGradientAlgorithm(context, (batch) => {
      const stats = vanillaPolicyGradientUpdate(context.tf, context.policy, batch, context.settings);
      return {
        'train/surrogate_before': stats.surrogateBefore,
        'train/surrogate_after': stats.surrogateAfter,
        'train/kl': stats.kl,
        'train/entropy': stats.entropy,
        'time/forward_ms': stats.timings.forwardMs,
        'time/gradient_ms': stats.timings.gradientMs,
        'time/step_ms': stats.timings.stepMs,
      };
    }),
});
