/** The `vpg` section: vanilla policy gradient, the first-order limiting case of the paper's §8 discussion. */
import * as v from 'valibot';
import { field, positive } from '../../config/fields.js';

export const VPG_SECTION = v.strictObject({
  learningRate: field(
    positive(),
    0.05,
    'α in θ ← θ + α∇θL(θ): a plain gradient-ascent step on the same surrogate and advantages as TRPO',
  ),
});

export type VpgConfig = v.InferOutput<typeof VPG_SECTION>;
