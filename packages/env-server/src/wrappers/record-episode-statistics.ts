/**
 * Gymnasium's RecordEpisodeStatistics: counts each episode's return and length, and at the step that ends it
 * (terminated or truncated) adds `info.episode = { r: return, l: length, t: seconds since the episode started,
 * rounded to microseconds }`. A reset starts the counts again. An env whose info already has `episode` is an error,
 * as in Gymnasium.
 */
import type { SpaceValue, TypedArray } from '@vinegym/protocol';
import type { Env, ResetOutput, StepOutcome, StepOutput } from '../env.js';
import { Wrapper } from './wrapper.js';

export const EPISODE_STATISTICS_KEY = 'episode';

export class RecordEpisodeStatistics extends Wrapper {
  episodeReturn = 0;
  episodeLength = 0;
  private episodeStart = performance.now();

  constructor(env: Env) {
    super(env);
  }

  override reset(seed?: number, options?: Record<string, unknown>): ResetOutput {
    const out = this.env.reset(seed, options);
    this.episodeStart = performance.now();
    this.episodeReturn = 0;
    this.episodeLength = 0;
    return out;
  }

  override step(action: SpaceValue): StepOutput {
    return this.record(this.env.step(action));
  }

  override stepInto(action: SpaceValue, out: TypedArray): StepOutcome {
    return this.record(this.env.stepInto!(action, out));
  }

  /** Counts the step; at the end of an episode, a copy of the result with info.episode. */
  private record<T extends StepOutcome>(out: T): T {
    this.episodeReturn += out.reward;
    this.episodeLength += 1;
    if (!(out.terminated || out.truncated)) return out;
    if (Object.hasOwn(out.info, EPISODE_STATISTICS_KEY)) {
      throw new Error(`RecordEpisodeStatistics: the env's info already has '${EPISODE_STATISTICS_KEY}'`);
    }
    const seconds = Math.round((performance.now() - this.episodeStart) * 1000) / 1e6;
    const episode = { r: this.episodeReturn, l: this.episodeLength, t: seconds };
    this.episodeStart = performance.now();
    return { ...out, info: { ...out.info, [EPISODE_STATISTICS_KEY]: episode } };
  }

  protected override get hasState(): boolean {
    return true;
  }

  /** Return, length and the seconds the episode has run so far (its clock resumes from there on restore). */
  protected override ownState(): Uint8Array {
    const state = new Float64Array([
      this.episodeReturn,
      this.episodeLength,
      (performance.now() - this.episodeStart) / 1000,
    ]);
    return new Uint8Array(state.buffer);
  }

  protected override loadOwnState(bytes: Uint8Array): void {
    if (bytes.byteLength !== 24) throw new Error('RecordEpisodeStatistics: wrong state size');
    const state = new Float64Array(bytes.slice().buffer);
    this.episodeReturn = state[0];
    this.episodeLength = state[1];
    this.episodeStart = performance.now() - state[2] * 1000;
  }
}
