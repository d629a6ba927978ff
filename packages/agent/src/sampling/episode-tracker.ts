/** Running return and length of each env's current episode; collects those that finish. */
export class EpisodeTracker {
  private readonly returns: Float64Array;
  private readonly lengths: Uint32Array;
  /** Finished episodes since the last drain: return, length, and the step of the batch and the env it ended in. */
  private finished: { return: number; length: number; step: number; env: number }[] = [];
  /** `record` calls since the last drain: one per env per step, in env order, so call c is step c / numEnvs. */
  private calls = 0;

  constructor(private readonly numEnvs: number) {
    this.returns = new Float64Array(numEnvs);
    this.lengths = new Uint32Array(numEnvs);
  }

  record(env: number, reward: number, done: boolean): void {
    this.returns[env] += reward;
    this.lengths[env] += 1;
    if (done) {
      this.finished.push({
        return: this.returns[env],
        length: this.lengths[env],
        step: Math.floor(this.calls / this.numEnvs),
        env,
      });
      this.returns[env] = 0;
      this.lengths[env] = 0;
    }
    this.calls++;
  }

  /** Forgets finished episodes (called when a batch is handed out). */
  drain(): { return: number; length: number; step: number; env: number }[] {
    this.calls = 0;
    return this.finished.splice(0);
  }
}

/**
 * The episodes finished in a batch across vector envs, in the order they ended (by step, then by env slot over all
 * vector envs): the same list however the slots are split into vector envs (servers, pipeline groups).
 * `offsets[k]`: the index of vector env k's first slot.
 */
export function drainEpisodes(
  trackers: EpisodeTracker[],
  offsets: number[],
): { episodeReturns: number[]; episodeLengths: number[] } {
  const all = trackers
    .flatMap((tracker, k) => tracker.drain().map((episode) => ({ ...episode, slot: offsets[k] + episode.env })))
    .sort((a, b) => a.step - b.step || a.slot - b.slot);
  return { episodeReturns: all.map((e) => e.return), episodeLengths: all.map((e) => e.length) };
}
