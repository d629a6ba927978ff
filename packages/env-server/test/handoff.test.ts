/**
 * The request/answer handoff between the main thread and a worker thread (src/parallel/handoff.ts), against a real
 * thread (fixtures/handoff-echo-worker.ts). A thread can be descheduled between storing a sequence number and
 * notifying, so a notify can land after the other side has already handled what it announced: these tests play
 * such late wake-ups on purpose and check that nothing is handled twice or answered out of turn.
 */
import type { Worker } from 'node:worker_threads';
import { receiveMessageOnPort } from 'node:worker_threads';
import { afterEach, describe, expect, it } from 'vitest';
import { CONTROL, MainHandoff, REQUEST_KINDS, WorkerHandoff } from '../src/parallel/handoff.js';
import { startModuleThread } from '../src/parallel/slice-worker.js';

const ECHO = new URL('./fixtures/handoff-echo-worker.ts', import.meta.url);
const threads: Worker[] = [];
afterEach(async () => {
  await Promise.all(threads.splice(0).map((thread) => thread.terminate()));
});

function echoThread(): MainHandoff {
  const handoff = new MainHandoff();
  const { workerEnd } = handoff;
  threads.push(startModuleThread(ECHO, { workerData: workerEnd, transferList: [workerEnd.port] }));
  return handoff;
}

async function exchange(handoff: MainHandoff, kind: 1 | 2, message?: unknown): Promise<unknown> {
  handoff.request(kind, message);
  return (await handoff.answer())?.message;
}

/**
 * Notifies `slot` of the control word until a thread waiting on it is woken: the notify of a store whose waiter
 * had already seen the new value and gone back to waiting. Bounded: fails after 5 s with nobody waiting.
 */
async function lateWakeUp(handoff: MainHandoff, slot: number): Promise<void> {
  const control = new Int32Array(handoff.workerEnd.control);
  const until = performance.now() + 5_000;
  while (Atomics.notify(control, slot) === 0) {
    if (performance.now() > until) throw new Error('no thread waited on the control word within 5 s');
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
}

describe('handoff', () => {
  it('answers each request once, in order, with its own message', async () => {
    const handoff = echoThread();
    for (let n = 1; n <= 200; n++) {
      const kind = n % 3 === 0 ? REQUEST_KINDS.step : REQUEST_KINDS.message;
      const message = kind === REQUEST_KINDS.message ? { n } : undefined;
      expect(await exchange(handoff, kind, message)).toEqual({ handled: n, kind, message });
    }
  });

  for (const [name, kind, message] of [
    ['message', REQUEST_KINDS.message, { n: 1 }],
    ['step', REQUEST_KINDS.step, undefined],
  ] as const) {
    it(`a late wake-up after a ${name} request was answered does not make the worker handle it again`, async () => {
      const handoff = echoThread();
      expect(await exchange(handoff, kind, message)).toEqual({ handled: 1, kind, message });
      await lateWakeUp(handoff, CONTROL.requestSequence);
      // Give a worker that took the wake-up for a request the time to handle it (and answer it) again.
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(await exchange(handoff, REQUEST_KINDS.message, { n: 2 })).toEqual({
        handled: 2,
        kind: REQUEST_KINDS.message,
        message: { n: 2 },
      });
    });
  }

  it('a late wake-up while the main thread waits does not end its wait before the answer', async () => {
    const handoff = echoThread();
    await exchange(handoff, REQUEST_KINDS.message, { n: 1 });
    handoff.request(REQUEST_KINDS.message, { sleepMs: 300 });
    const answer = handoff.answer();
    await lateWakeUp(handoff, CONTROL.answerSequence);
    expect((await answer)?.message).toEqual({ handled: 2, kind: REQUEST_KINDS.message, message: { sleepMs: 300 } });
  });

  it('a message request whose message is not the one announced throws instead of taking another', () => {
    const handoff = new MainHandoff();
    const worker = new WorkerHandoff(handoff.workerEnd);
    handoff.request(REQUEST_KINDS.message, { n: 1 });
    // Both ends in one thread: take request 1's message away before the worker end looks for it.
    expect(receiveMessageOnPort(handoff.workerEnd.port)).toBeDefined();
    expect(() => worker.next()).toThrow('handoff out of step: request 1 has a message, but none is queued');
    handoff.interrupt();
  });
});
