import { performance } from 'node:perf_hooks';

/**
 * Longest run of handlers in one go (ms): a read of many expensive requests (renders, say) is handled in slices,
 * with other connections' I/O in between, instead of blocking the event loop for all of them at once.
 */
export const HANDLER_SLICE_MS = 2;

/**
 * Runs handlers of incoming messages one after another in arrival order, where a handler may finish later
 * (return a promise): messages that arrive meanwhile wait, so responses keep request order (PROTOCOL.md §2).
 * A gate (`canRun`) holds messages back as well, without reordering them: the connection closes it while the
 * client does not read its responses, so queued requests wait instead of producing more unwritten responses; call
 * pump() when it may have opened. Handlers run in time slices of `sliceMs` per event-loop turn; the rest waits for
 * the next turn, and `onYield` tells the owner while it does (a connection stops reading its socket meanwhile, so
 * that more of it is not read in the same turn). While handlers finish synchronously and quickly and the gate is
 * open, nothing is queued and no promise is made.
 */
export class InOrderQueue<M> {
  /** Waiting messages; those before `head` have been taken. */
  private waiting: (M | undefined)[] = [];
  private head = 0;
  /** A handler has not finished yet. */
  private running = false;
  /** Callers of idle() waiting for the queue to empty. */
  private idleWaiters: (() => void)[] = [];
  /** When the current slice of handlers began; -1: no slice in this event-loop turn yet. */
  private sliceStart = -1;
  private pumpScheduled = false;
  /** Length of a slice (ms); a connection may change it (smaller before hello). */
  sliceMs = HANDLER_SLICE_MS;

  constructor(
    private readonly handle: (message: M) => Promise<void> | void,
    private readonly canRun: () => boolean = () => true,
    private readonly onYield: (yielding: boolean) => void = () => undefined,
  ) {}

  /** This turn's slice ran out with messages waiting: they go on in a later turn (see `onYield`). */
  get yielding(): boolean {
    return this.pumpScheduled;
  }

  /** Messages waiting (behind an unfinished handler or the closed gate). */
  get backlog(): number {
    return this.waiting.length - this.head;
  }

  /** Resolves when no handler is unfinished and nothing waits (at once if that is so now). */
  idle(): Promise<void> {
    if (!this.running && this.backlog === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  push(message: M): void {
    if (!this.running && this.backlog === 0 && this.canRun() && this.inSlice()) this.run(message);
    else {
      this.waiting.push(message);
      // A full gate must not wait for an event that will not come when nothing runs.
      if (!this.running) this.pump();
    }
  }

  /** Runs waiting messages while nothing is unfinished and the gate is open, for the rest of this turn's slice. */
  pump(): void {
    while (!this.running && this.head < this.waiting.length && this.canRun()) {
      if (!this.inSlice()) {
        this.schedulePump();
        return;
      }
      const message = this.waiting[this.head] as M;
      this.waiting[this.head++] = undefined;
      this.run(message);
    }
    if (this.head === this.waiting.length && this.head > 0) {
      this.waiting = [];
      this.head = 0;
    }
    if (!this.running && this.backlog === 0) for (const wake of this.idleWaiters.splice(0)) wake();
  }

  /** Whether this turn's slice has time left; the first call of a turn starts a slice that ends with the turn. */
  private inSlice(): boolean {
    const now = performance.now();
    if (this.sliceStart < 0) {
      this.sliceStart = now;
      // The slice ends with the turn's check phase, not with the current I/O callback: libuv reads a socket up to
      // 32 times in one poll phase, and a slice per read would let one connection hold the loop for all of them.
      setImmediate(() => (this.sliceStart = -1));
      return true;
    }
    return now - this.sliceStart < this.sliceMs;
  }

  private schedulePump(): void {
    if (this.pumpScheduled) return;
    this.pumpScheduled = true;
    this.onYield(true);
    setImmediate(() => {
      this.pumpScheduled = false;
      this.pump();
      if (!this.pumpScheduled) this.onYield(false);
    });
  }

  /** Drops every waiting message (a connection that is being cut); returns how many. */
  discard(): number {
    const dropped = this.backlog;
    this.waiting = [];
    this.head = 0;
    if (!this.running) for (const wake of this.idleWaiters.splice(0)) wake();
    return dropped;
  }

  private run(message: M): void {
    const pending = this.handle(message);
    if (pending === undefined) return;
    this.running = true;
    // Handlers report their own errors; a rejection here must not stop the queue.
    void pending
      .catch(() => undefined)
      .then(() => {
        this.running = false;
        this.pump();
      });
  }
}
