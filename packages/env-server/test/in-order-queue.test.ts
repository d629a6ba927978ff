import { describe, expect, it } from 'vitest';
import { HANDLER_SLICE_MS, InOrderQueue } from '../src/in-order-queue.js';

/** Event-loop turns until `done` holds (handlers may go on in a later turn when the machine descheduled this one). */
async function turnsUntil(done: () => boolean): Promise<void> {
  for (let turn = 0; turn < 100 && !done(); turn++) await new Promise((resolve) => setImmediate(resolve));
}

describe('InOrderQueue', () => {
  it('runs synchronous handlers at once and holds messages behind an unfinished one, in order', async () => {
    const log: string[] = [];
    const gates = new Map<number, () => void>();
    const queue = new InOrderQueue<number>((n) => {
      log.push(`start ${n}`);
      if (n % 3 !== 0) return; // synchronous
      return new Promise<void>((resolve) => gates.set(n, resolve)).then(() => void log.push(`end ${n}`));
    });
    queue.push(1);
    queue.push(3);
    queue.push(4);
    queue.push(6);
    queue.push(7);
    expect(log).toEqual(['start 1', 'start 3']);
    expect(queue.backlog).toBe(3);
    let idle = false;
    void queue.idle().then(() => (idle = true));
    gates.get(3)!();
    await turnsUntil(() => log.length >= 5);
    expect(log).toEqual(['start 1', 'start 3', 'end 3', 'start 4', 'start 6']);
    expect(idle).toBe(false);
    gates.get(6)!();
    await turnsUntil(() => idle);
    expect(log).toEqual(['start 1', 'start 3', 'end 3', 'start 4', 'start 6', 'end 6', 'start 7']);
    expect(idle).toBe(true);
    expect(queue.backlog).toBe(0);
  });

  it('keeps going after a handler rejects', async () => {
    const seen: number[] = [];
    const queue = new InOrderQueue<number>((n) => {
      seen.push(n);
      if (n === 1) return Promise.reject(new Error('handled elsewhere'));
    });
    queue.push(1);
    queue.push(2);
    await queue.idle();
    expect(seen).toEqual([1, 2]);
  });

  it('runs expensive handlers in slices, leaving the event loop to others in between, in order', async () => {
    const ran: number[] = [];
    const busy = (ms: number) => {
      const until = performance.now() + ms;
      while (performance.now() < until);
    };
    const queue = new InOrderQueue<number>((n) => {
      busy(HANDLER_SLICE_MS / 2);
      ran.push(n);
    });
    for (let n = 0; n < 20; n++) queue.push(n); // one socket read of 20 expensive requests
    const inFirstSlice = ran.length;
    expect(inFirstSlice).toBeGreaterThanOrEqual(1);
    expect(inFirstSlice).toBeLessThanOrEqual(3);
    let otherWork = false;
    setImmediate(() => (otherWork = true)); // another connection's I/O, queued behind the first slice
    await queue.idle();
    expect(otherWork).toBe(true);
    expect(ran).toEqual(Array.from({ length: 20 }, (_, n) => n));
  });

  it('gives a slice to a whole event-loop turn, not to each socket read in it, and says when it yields', async () => {
    const ran: number[] = [];
    const yields: boolean[] = [];
    const queue = new InOrderQueue<number>(
      (n) => {
        const until = performance.now() + HANDLER_SLICE_MS / 2;
        while (performance.now() < until);
        ran.push(n);
      },
      () => true,
      (yielding) => yields.push(yielding),
    );
    // libuv reads one socket up to 32 times in a poll phase; microtasks run between those reads.
    for (let read = 0; read < 10; read++) {
      queue.push(read);
      await Promise.resolve();
    }
    expect(ran.length).toBeLessThanOrEqual(3);
    expect(queue.yielding).toBe(true);
    expect(yields).toEqual([true]);
    await queue.idle();
    await new Promise((resolve) => setImmediate(resolve));
    expect(ran).toEqual(Array.from({ length: 10 }, (_, n) => n));
    expect(queue.yielding).toBe(false);
    expect(yields.at(-1)).toBe(false);
  });

  it('stops at a closed gate and goes on from pump() in order', async () => {
    let open = false;
    const ran: number[] = [];
    const queue = new InOrderQueue<number>(
      (n) => void ran.push(n),
      () => open,
    );
    for (let n = 0; n < 5; n++) queue.push(n);
    expect(ran).toEqual([]);
    expect(queue.backlog).toBe(5);
    open = true;
    queue.pump();
    await queue.idle(); // at once, or over a few turns on a machine busy enough to end the time slice
    expect(ran).toEqual([0, 1, 2, 3, 4]);
    expect(queue.discard()).toBe(0);
  });
});
