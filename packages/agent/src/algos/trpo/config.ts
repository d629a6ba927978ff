/**
 * The `trpo` section: the constrained step of TRPO (and NPG, which takes the same step without the line search).
 * Defaults follow the paper where it gives a value (δ = 0.01, 10 CG iterations: §6 and Appendix D of arXiv
 * 1502.05477) and common practice elsewhere (CG damping 0.1 from modular_rl, a 10-step halving line search).
 * Discounting, GAE and the value function are shared with the other policy-gradient methods: sections
 * `advantage` and `valueFunction`.
 */
import * as v from 'valibot';
import { choice, field, fraction, nonNegative, positive, positiveInteger } from '../../config/fields.js';
import { KL_REDUCTIONS } from './kl-reduction.js';

export const TRPO_SECTION = v.strictObject({
  maxKl: field(positive(), 0.01, 'trust region radius δ on the mean KL divergence D̄_KL(θ_old, θ) (§3, eq. 23)'),
  klReduction: field(
    choice(KL_REDUCTIONS),
    'sum',
    "how a Gaussian policy's KL is reduced over its d action dimensions before the average over states: sum (the " +
      'KL of the joint action distribution, as the paper) or mean (the sum / d, as sb3-contrib). The trust region, ' +
      'the Fisher-vector products (so cgDamping is relative to A / d) and the reported train/kl all use it; with ' +
      "mean, maxKl and cgDamping mean what sb3-contrib's target_kl and cg_damping mean. A categorical policy has " +
      'one KL per state: the same either way',
  ),
  cgIterations: field(
    positiveInteger(),
    10,
    'conjugate-gradient iterations for s ≈ A⁻¹g (truncated Newton step, Appendix D)',
  ),
  cgResidualTolerance: field(nonNegative(), 1e-10, 'CG stops early when the squared residual norm falls below this'),
  cgDamping: field(
    nonNegative(),
    0.1,
    'λ in (A + λI)v: keeps CG stable where the sampled Fisher matrix is near-singular',
  ),
  fisherSubsample: field(
    fraction(),
    0.2,
    'fraction of the batch used for Fisher-vector products (evenly strided rows; batches up to 1000 rows, such as vine ' +
      'rollout sets, are used whole). The paper uses all of it; 0.2 makes CG ~5x cheaper on large batches',
  ),
  lineSearchBacktracks: field(positiveInteger(), 10, 'line-search trials θ_old + β·s·r^k, k = 0..n−1 (Appendix D)'),
  backtrackRatio: field(
    v.pipe(v.number(), v.gtValue(0), v.ltValue(1)),
    0.5,
    'r: the factor by which each trial shrinks the step',
  ),
  acceptRatio: field(
    nonNegative(),
    0.1,
    'accept a trial only if its improvement is at least this times the linearly predicted one (0: any improvement)',
  ),
  implementation: field(
    choice(['jacobian', 'autodiff', 'host'] as const),
    'jacobian',
    'how the step is computed (the same mathematics, different float rounding and speed): jacobian: tensor ops, ' +
      'Fisher-vector products from per-row Jacobians of the distribution parameters computed once per batch ' +
      '(fully connected policies; others fall back to autodiff); autodiff: each Fisher-vector product by forward ' +
      'mode and a gradient through the network (Policy.linearize), or by differentiating the KL twice; host: ' +
      'gradient, Fisher-vector products and line search on typed arrays (fully connected policies)',
  ),
  entropyCoefficient: field(v.number(), 0, 'weight of the mean entropy bonus added to the surrogate (0 in the paper)'),
});

export type TrpoConfig = v.InferOutput<typeof TRPO_SECTION>;
