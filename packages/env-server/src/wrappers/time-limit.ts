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

  // step and stepInto count inline rather than through a shared helper: one call level less on every step keeps
  // V8 inlining the env's own step into the session's loop.
  override step(action: SpaceValue): StepOutput {
    const out = this.env.step(action);
    return ++this.elapsedSteps >= this.maxEpisodeSteps && !out.truncated ? { ...out, truncated: true } : out;
  }

  override stepInto(action: SpaceValue, into: TypedArray): StepOutcome {
    const out = this.env.stepInto!(action, into);
    return ++this.elapsedSteps >= this.maxEpisodeSteps && !out.truncated ? { ...out, truncated: true } : out;
  }
}
