import { describe, expect, it } from 'vitest';
import { InOrderQueue } from '../src/in-order-queue.js';

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
    await new Promise((resolve) => setImmediate(resolve));
    expect(log).toEqual(['start 1', 'start 3', 'end 3', 'start 4', 'start 6']);
    expect(idle).toBe(false);
    gates.get(6)!();
    await new Promise((resolve) => setImmediate(resolve));
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
});
