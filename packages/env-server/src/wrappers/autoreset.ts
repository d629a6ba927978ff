/**
 * Autoreset, the outermost wrapper of every session env, in the three modes of PROTOCOL.md (make.autoreset_mode):
 *
 * - `next_step`: Gymnasium 1.x's Autoreset wrapper (and its vector envs' default). The step after an episode
 *   ends ignores its action and only resets the env: it returns the first observation of the next episode, reward
 *   0, terminated and truncated false, the reset's info, and `autoreset` true.
 * - `same_step`: Gymnasium's AutoresetMode.SAME_STEP of the vector envs. The step that ends an episode also
 *   resets: it returns the reset's observation and info with the ending step's reward and flags, and the ending
 *   step's own observation and info as `final`.
 * - `disabled`: nothing is reset; the session refuses steps of an ended env (checkSteppable).
 *
 * Resets here pass no seed: the env keeps its RNG (Gymnasium semantics).
 */
import type { AutoresetMode, SpaceValue } from '@vinegym/protocol';
import type { Env, ResetOutput, StepOutput } from '../env.js';
import { Wrapper } from './wrapper.js';

export interface AutoresetStepOutput extends StepOutput {
  /** This step only reset the env (next_step mode): its action was ignored. */
  autoreset: boolean;
  /** same_step mode, when the episode ended in this step: its last observation and info. Else null. */
  final: ResetOutput | null;
}

export class Autoreset extends Wrapper {
  /** Gymnasium's `autoreset` attribute: the last step ended the episode, so in next_step mode the next one resets. */
  episodeEnded = false;

  constructor(
    env: Env,
    readonly mode: AutoresetMode,
  ) {
    super(env);
  }

  override reset(seed?: number, options?: Record<string, unknown>): ResetOutput {
    this.episodeEnded = false;
    return this.env.reset(seed, options);
  }

  override step(action: SpaceValue): AutoresetStepOutput {
    if (this.mode === 'next_step' && this.episodeEnded) {
      const { observation, info } = this.env.reset(undefined, undefined);
      this.episodeEnded = false;
      return { observation, reward: 0, terminated: false, truncated: false, info, autoreset: true, final: null };
    }
    const { observation, reward, terminated, truncated, info } = this.env.step(action);
    const ended = terminated || truncated;
    if (ended && this.mode === 'same_step') {
      const next = this.env.reset(undefined, undefined);
      const final = { observation, info };
      return { observation: next.observation, reward, terminated, truncated, info: next.info, autoreset: false, final };
    }
    this.episodeEnded = ended;
    return { observation, reward, terminated, truncated, info, autoreset: false, final: null };
  }
}
