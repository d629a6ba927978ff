/**
 * What the viewer shows next to a watched session: batch steps taken, and per env the current episode's return
 * and length and the last finished episode's return. Kept by the service from step results it already has, so
 * a session costs one pass over num_envs rewards per step whether or not anyone watches.
 */
import type { StepResult } from '@vinegym/protocol';

export interface EnvActivity {
  /** Return of the episode in progress. */
  episode_return: number;
  /** Steps of the episode in progress. */
  episode_length: number;
  /** Episodes finished since the session was made. */
  episodes: number;
  /** Return of the last finished episode, or null before the first one ends. */
  last_return: number | null;
}

export class SessionActivity {
  /** Batch steps (each steps every env once). */
  steps = 0;
  readonly createdAt = Date.now();
  private readonly returns: Float64Array;
  private readonly lengths: Float64Array;
  private readonly episodes: Float64Array;
  private readonly lastReturns: Float64Array;

  constructor(readonly numEnvs: number) {
    this.returns = new Float64Array(numEnvs);
    this.lengths = new Float64Array(numEnvs);
    this.episodes = new Float64Array(numEnvs);
    this.lastReturns = new Float64Array(numEnvs).fill(NaN);
  }

  recordReset(envIndices: readonly number[]): void {
    for (const i of envIndices) {
      this.returns[i] = 0;
      this.lengths[i] = 0;
    }
  }

  /**
   * One batch step. An env autoreset in this step (next_step mode) starts a new episode with this step's zero
   * reward; an env whose episode ended closes it (in same_step mode the next step is already the new episode's).
   */
  recordStep(result: StepResult): void {
    this.steps++;
    const rewards = result.rewards.data;
    const terminated = result.terminated.data;
    const truncated = result.truncated.data;
    const autoreset = result.autoreset.data;
    for (let i = 0; i < this.numEnvs; i++) {
      if (autoreset[i] === 1) {
        this.returns[i] = 0;
        this.lengths[i] = 0;
        continue;
      }
      this.returns[i] += rewards[i];
      this.lengths[i]++;
      if (terminated[i] === 1 || truncated[i] === 1) {
        this.lastReturns[i] = this.returns[i];
        this.episodes[i]++;
        this.returns[i] = 0;
        this.lengths[i] = 0;
      }
    }
  }

  env(index: number): EnvActivity {
    const last = this.lastReturns[index];
    return {
      episode_return: this.returns[index],
      episode_length: this.lengths[index],
      episodes: this.episodes[index],
      last_return: Number.isNaN(last) ? null : last,
    };
  }
}
