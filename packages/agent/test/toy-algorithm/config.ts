/** The `hillClimb` section of the toy algorithm. */
import * as v from 'valibot';
import { field, positive, positiveInteger } from '../../src/config/fields.js';

export const HILL_CLIMB_SECTION = v.strictObject({
  noiseStd: field(positive(), 0.05, 'standard deviation of the perturbation of every parameter'),
  episodes: field(positiveInteger(), 4, 'episodes that score a candidate'),
});

export type HillClimbConfig = v.InferOutput<typeof HILL_CLIMB_SECTION>;
