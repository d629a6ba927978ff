/**
 * Gymnasium's TimeLimit: counts the steps since the last reset and reports `truncated` from the step at which the
 * count reaches `maxEpisodeSteps` (elapsed >= max), whatever the env itself says.
 *
 * The count is session bookkeeping that snapshots carry in their header (snapshot.ts), so the session reads and
 * writes `elapsedSteps` directly rather than through the wrapper's state bytes.
 */
import type { SpaceValue, TypedArray } from '@vinegym/protocol';
import type { Env, ResetOutput, StepOutcome, StepOutput } from '../env.js';
import { Wrapper } from './wrapper.js';

export class TimeLimit extends Wrapper {
  elapsedSteps = 0;

  constructor(
    env: Env,
    readonly maxEpisodeSteps: number,
  ) {
    super(env);
    if (!Number.isSafeInteger(maxEpisodeSteps) || maxEpisodeSteps < 1) {
      throw new RangeError(`TimeLimit: max_episode_steps must be a positive integer, got ${maxEpisodeSteps}`);
    }
  }

  override reset(seed?: number, options?: Record<string, unknown>): ResetOutput {
    this.elapsedSteps = 0;
    return this.env.reset(seed, options);
  }

  override step(action: SpaceValue): StepOutput {
    return this.limit(this.env.step(action));
  }

  override stepInto(action: SpaceValue, out: TypedArray): StepOutcome {
    return this.limit(this.env.stepInto!(action, out));
  }

  /** The env's result, or a copy that says truncated at the step that reaches the limit. */
  private limit<T extends StepOutcome>(out: T): T {
    this.elapsedSteps++;
    return this.elapsedSteps >= this.maxEpisodeSteps && !out.truncated ? { ...out, truncated: true } : out;
  }
}
