/**
 * Runs handlers of incoming messages one after another in arrival order, where a handler may finish later
 * (return a promise): messages that arrive meanwhile wait, so responses keep request order (PROTOCOL.md §2).
 * While every handler finishes synchronously, nothing is queued and no promise is made.
 */
export class InOrderQueue<M> {
  /** Messages waiting for an unfinished handler; null when none is running. */
  private waiting: M[] | null = null;
  /** Callers of idle() waiting for the queue to empty. */
  private idleWaiters: (() => void)[] = [];

  constructor(private readonly handle: (message: M) => Promise<void> | void) {}

  /** Messages waiting behind an unfinished handler. */
  get backlog(): number {
    return this.waiting?.length ?? 0;
  }

  /** Resolves when no handler is unfinished and nothing waits (at once if that is so now). */
  idle(): Promise<void> {
    if (this.waiting === null) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  push(message: M): void {
    if (this.waiting !== null) this.waiting.push(message);
    else this.run(message);
  }

  private run(message: M): void {
    const pending = this.handle(message);
    if (pending === undefined) return;
    this.waiting = [];
    // Handlers report their own errors; a rejection here must not stop the queue.
    void pending.catch(() => undefined).then(() => this.drain());
  }

  private drain(): void {
    const queued = this.waiting ?? [];
    this.waiting = null;
    for (let k = 0; k < queued.length; k++) {
      this.run(queued[k]);
      if (this.waiting !== null) {
        // That handler is unfinished too: the rest waits behind it, in order.
        (this.waiting as M[]).push(...queued.slice(k + 1));
        return;
      }
    }
    for (const wake of this.idleWaiters.splice(0)) wake();
  }
}
