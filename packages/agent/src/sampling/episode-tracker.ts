/** Running return and length of each env's current episode; collects those that finish. */
export class EpisodeTracker {
  private readonly returns: Float64Array;
  private readonly lengths: Uint32Array;
  readonly finishedReturns: number[] = [];
  readonly finishedLengths: number[] = [];

  constructor(numEnvs: number) {
    this.returns = new Float64Array(numEnvs);
    this.lengths = new Uint32Array(numEnvs);
  }

  record(env: number, reward: number, done: boolean): void {
    this.returns[env] += reward;
    this.lengths[env] += 1;
    if (done) {
      this.finishedReturns.push(this.returns[env]);
      this.finishedLengths.push(this.lengths[env]);
      this.returns[env] = 0;
      this.lengths[env] = 0;
    }
  }

  /** Forgets finished episodes (called when a batch is handed out). */
  drain(): { returns: number[]; lengths: number[] } {
    const out = { returns: this.finishedReturns.splice(0), lengths: this.finishedLengths.splice(0) };
    return out;
  }
}
