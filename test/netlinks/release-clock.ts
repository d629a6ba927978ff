/**
 * Wakes the delay proxy at release times with sub-millisecond precision and without a busy wait. Node's timers
 * have a granularity of 1 ms and fire up to a tick late, which would add ~1 ms to every direction of a 1 ms
 * delay; waiting the last stretch with setImmediate is on time but spins a core while data is in flight (the CPU
 * a real link does not take from the agent). Here a worker thread sleeps in Atomics.wait, whose timeout is kept to
 * the microsecond, until the earliest deadline, then posts a message, which wakes the main thread's event loop at
 * once. CPU is spent per release, not per microsecond of waiting.
 */
import { Worker } from 'node:worker_threads';

/**
 * The sleeper, plain JavaScript so that it runs the same under node, tsx and vitest. control[0] is the generation
 * (bumped by the main thread whenever the deadline changes; -1 stops), deadline[0] the deadline on the
 * process.hrtime clock, ms (Infinity: none).
 */
const SLEEPER = `
const { workerData, parentPort } = require('node:worker_threads');
const control = new Int32Array(workerData.control);
const deadline = new Float64Array(workerData.deadline);
const now = () => Number(process.hrtime.bigint()) / 1e6;
for (;;) {
  const generation = Atomics.load(control, 0);
  if (generation < 0) break;
  const at = deadline[0];
  const left = at - now();
  if (at === Infinity) Atomics.wait(control, 0, generation);
  else if (left > 0) Atomics.wait(control, 0, generation, left);
  else {
    parentPort.postMessage(generation);
    Atomics.wait(control, 0, generation);
  }
}
`;

const hrNow = () => Number(process.hrtime.bigint()) / 1e6;

export class ReleaseClock {
  private readonly worker: Worker;
  private readonly control = new Int32Array(new SharedArrayBuffer(4));
  private readonly deadline = new Float64Array(new SharedArrayBuffer(8)).fill(Infinity);
  /** Pending wake-ups: callback → when (performance.now clock, ms). */
  private readonly pending = new Map<() => void, number>();
  /** Wake-ups the worker delivered (for the harness's report of what the proxy cost). */
  ticks = 0;
  private closed = false;
  /** The deadline the worker sleeps towards (performance.now clock), to skip re-arming for a later one. */
  private armedAt = Infinity;

  constructor() {
    this.worker = new Worker(SLEEPER, {
      eval: true,
      workerData: { control: this.control.buffer, deadline: this.deadline.buffer },
    });
    this.worker.on('message', () => this.tick());
    // The clock alone never keeps a process alive; the sockets it serves do.
    this.worker.unref();
  }

  /** Calls `callback` once at or after `at` (performance.now clock, ms); a later call for it replaces the earlier. */
  wakeAt(at: number, callback: () => void): void {
    if (this.closed) throw new Error('the release clock is closed');
    const replaced = this.pending.has(callback);
    this.pending.set(callback, at);
    if (replaced || at < this.armedAt) this.arm();
  }

  /** Stops the worker; pending wake-ups are dropped. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.pending.clear();
    Atomics.store(this.control, 0, -1);
    Atomics.notify(this.control, 0);
    await this.worker.terminate();
  }

  private tick(): void {
    this.ticks++;
    const now = performance.now();
    const due = [...this.pending].filter(([, at]) => at <= now).map(([callback]) => callback);
    for (const callback of due) this.pending.delete(callback);
    for (const callback of due) callback();
    this.arm();
  }

  /** Points the worker at the earliest pending deadline (or none), converted to the clock both threads share. */
  private arm(): void {
    if (this.closed) return;
    let earliest = Infinity;
    for (const at of this.pending.values()) earliest = Math.min(earliest, at);
    this.armedAt = earliest;
    this.deadline[0] = earliest === Infinity ? Infinity : hrNow() + (earliest - performance.now());
    // Only this thread writes the generation; it wraps before reaching -1, the stop value.
    Atomics.store(this.control, 0, (Atomics.load(this.control, 0) + 1) & 0x3fffffff);
    Atomics.notify(this.control, 0);
  }
}
