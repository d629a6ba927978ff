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

  /**
   * `lockstep`: rounds wait for every lane's answer before any lane acts again, and for the requests sent ahead
   * before any step: the order before latency hiding, with the same results (kept to compare against).
   */
  constructor(
    lanes: number,
    private readonly lockstep = false,
  ) {
    this.lanes = Array.from({ length: lanes }, () => ({ step: null, ahead: [] }));
  }

  /**
   * One round over the lanes in order: `receive` each busy lane's step answer, `prepare` requests to send ahead of
   * its next step, `send` that step (or not). Pipelined, lane by lane, so the other lanes' steps travel while one
   * is handled; in lockstep, each phase for all lanes before the next.
   */
  async round(handlers: {
    receive(k: number, result: T): void;
    prepare?(k: number): void;
    send(k: number): void;
  }): Promise<void> {
    const order = [...this.lanes.keys()];
    if (!this.lockstep) {
      for (const k of order) {
        if (this.busy(k)) handlers.receive(k, await this.take(k));
        handlers.prepare?.(k);
        handlers.send(k);
      }
      return;
    }
    for (const k of order) if (this.busy(k)) handlers.receive(k, await this.take(k));
    for (const k of order) handlers.prepare?.(k);
    await Promise.all(this.lanes.flatMap((lane) => lane.ahead.splice(0)));
    for (const k of order) handlers.send(k);
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
