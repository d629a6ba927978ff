/**
 * Autoreset, the outermost wrapper of every session env, in the three modes of PROTOCOL.md (make.autoreset_mode):
 *
 * - `next_step`: Gymnasium 1.x's Autoreset wrapper (and its vector envs' default). The step after an episode
 *   ends ignores its action and only resets the env: it returns the first observation of the next episode, reward
 *   0, terminated and truncated false, and the reset's info; `stepOnlyReset` says so.
 * - `same_step`: Gymnasium's AutoresetMode.SAME_STEP of the vector envs. The step that ends an episode also
 *   resets: it returns the reset's observation and info with the ending step's reward and flags, and keeps the
 *   ending step's own observation and info in `final`.
 * - `disabled`: nothing is reset; the session refuses steps of an ended env (checkSteppable).
 *
 * What the session needs besides the step's result (`stepOnlyReset`, `final`) are fields of the wrapper, so an
 * ordinary step passes the inner env's result through without building another object. Resets here pass no
 * seed: the env keeps its RNG (Gymnasium semantics).
 */
import { ndarray } from '@vinegym/protocol';
import type { AutoresetMode, BoxSpace, NDArray, SpaceValue, TypedArray } from '@vinegym/protocol';
import type { Env, ResetOutput, StepOutcome, StepOutput } from '../env.js';
import { Wrapper } from './wrapper.js';

export class Autoreset extends Wrapper {
  /** Gymnasium's `autoreset` attribute: the last step ended the episode, so in next_step mode the next one resets. */
  episodeEnded = false;
  /** The last step only reset the env (next_step mode): its action was ignored. */
  stepOnlyReset = false;
  /** same_step mode, when the last step ended the episode: that step's own observation and info. Else null. */
  final: ResetOutput | null = null;

  constructor(
    env: Env,
    readonly mode: AutoresetMode,
  ) {
    super(env);
  }

  override reset(seed?: number, options?: Record<string, unknown>): ResetOutput {
    this.episodeEnded = false;
    this.stepOnlyReset = false;
    this.final = null;
    return this.env.reset(seed, options);
  }

  // step and stepInto keep only the ordinary step inline; the resets are methods of their own, so this layer is
  // small enough for V8 (which inlines by bytecode size) to inline it into the session's step loop.
  override step(action: SpaceValue): StepOutput {
    if (this.episodeEnded && this.mode === 'next_step') return this.resetStep(null);
    this.stepOnlyReset = false;
    this.final = null;
    const out = this.env.step(action);
    if (out.terminated || out.truncated) return this.episodeEnd(out, null) as StepOutput;
    return out;
  }

  override stepInto(action: SpaceValue, into: TypedArray): StepOutcome {
    if (this.episodeEnded && this.mode === 'next_step') return this.resetStep(into);
    this.stepOnlyReset = false;
    this.final = null;
    const out = this.env.stepInto!(action, into);
    if (out.terminated || out.truncated) return this.episodeEnd(out, into);
    return out;
  }

  /** next_step mode, the step after an episode ended: only a reset (the observation into `into` if given). */
  private resetStep(into: TypedArray | null): StepOutput {
    const { observation, info } = this.env.reset(undefined, undefined);
    this.episodeEnded = false;
    this.stepOnlyReset = true;
    this.final = null;
    if (into !== null) into.set((observation as NDArray).data as never);
    return { observation, reward: 0, terminated: false, truncated: false, info };
  }

  /**
   * A step that ended an episode. same_step mode resets now: the result takes the reset's observation (written
   * into `into` if given, after the ending one leaves it as a copy) and info. Other modes return `out`.
   */
  private episodeEnd(out: StepOutcome, into: TypedArray | null): StepOutcome {
    if (this.mode !== 'same_step') {
      this.episodeEnded = true;
      return out;
    }
    let observation: SpaceValue;
    if (into === null) {
      observation = (out as StepOutput).observation;
    } else {
      const space = this.observationSpace as BoxSpace;
      observation = ndarray(space.dtype, space.shape, into.slice() as NDArray['data']);
    }
    this.final = { observation, info: out.info };
    const next = this.env.reset(undefined, undefined);
    if (into !== null) into.set((next.observation as NDArray).data as never);
    const result: StepOutput = {
      observation: next.observation,
      reward: out.reward,
      terminated: out.terminated,
      truncated: out.truncated,
      info: next.info,
    };
    return result;
  }
}
