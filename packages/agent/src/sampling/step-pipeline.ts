/**
 * Requests in flight, one lane per vector env: a sampler sends a lane's step and takes its answer only when that
 * lane's turn comes again, so it can act for the other lanes while the step travels (latency hiding). Requests
 * sent ahead of a lane's step (a vine's restores) need no round trip of their own: a server answers the requests
 * of a connection in order, so they are done before the step is, and `take` surfaces their failures too.
 * A request that fails while another lane is awaited is held, not reported as unhandled; `settle` waits until
 * nothing is in flight (after an error, so that a restarted batch has no stale requests behind it).
 */
export class StepPipeline<T> {
  private readonly lanes: { step: Promise<T> | null; ahead: Promise<unknown>[] }[];

  constructor(lanes: number) {
    this.lanes = Array.from({ length: lanes }, () => ({ step: null, ahead: [] }));
  }

  /** Whether lane k has a step in flight. */
  busy(k: number): boolean {
    return this.lanes[k].step !== null;
  }

  /** A request of lane k whose answer is only checked, at lane k's next `take`. */
  sendAhead(k: number, request: Promise<unknown>): void {
    this.lanes[k].ahead.push(held(request));
  }

  send(k: number, step: Promise<T>): void {
    if (this.lanes[k].step !== null) throw new Error(`lane ${k} already has a step in flight`);
    this.lanes[k].step = held(step);
  }

  /** Lane k's step answer (after its requests sent ahead, which must all have succeeded). */
  async take(k: number): Promise<T> {
    const lane = this.lanes[k];
    const { step, ahead } = lane;
    if (step === null) throw new Error(`lane ${k} has no step in flight`);
    lane.step = null;
    lane.ahead = [];
    await Promise.all(ahead);
    return step;
  }

  /** Waits for every request still in flight, whatever its outcome, and forgets them. */
  async settle(): Promise<void> {
    const all = this.lanes.flatMap((lane) => [...lane.ahead, ...(lane.step ? [lane.step] : [])]);
    for (const lane of this.lanes) {
      lane.step = null;
      lane.ahead = [];
    }
    await Promise.allSettled(all);
  }
}

/** Marks a promise as handled (its rejection is still seen by whoever awaits it later). */
function held<P extends Promise<unknown>>(promise: P): P {
  promise.catch(() => undefined);
  return promise;
}
