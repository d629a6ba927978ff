/**
 * The request/answer handoff between the main thread and one slice worker: an Int32Array control word in a
 * SharedArrayBuffer, waited on with Atomics, plus a MessageChannel read synchronously (receiveMessageOnPort) for
 * the calls that carry more than typed arrays. A step carries no message at all: its data is in the shared step
 * buffers (step-buffers.ts), and waking the other thread is one Atomics.notify, with no structured clone.
 *
 * One request is out at a time. The main thread writes the request's data (or posts its message), then bumps the
 * request sequence number and notifies; the worker, blocked in Atomics.wait, wakes, answers (posting a message
 * first if the answer has one), stores the sequence number as the answer and notifies. The main thread waits with
 * Atomics.waitAsync, so its event loop keeps running.
 *
 * A wake-up says only "look again", never "there is a new request": a thread can be descheduled between its store
 * and its notify, and by the time that notify lands the other side may have handled the request, answered it and
 * gone back to waiting for the next one. So both sides wait in a loop until the sequence number they wait on has
 * moved. (The worker used to take every wake-up as a new request; under load it handled a request twice: a step
 * stepped its envs twice, a message request found its message already taken.)
 *
 * postMessage queues the message on the receiving port before it returns, so a message posted before the sequence
 * number that announces it is receivable as soon as that number is. Each message carries its request's sequence
 * number anyway, and a receiver that does not find the one it expects throws instead of using another.
 */
import { MessageChannel, receiveMessageOnPort, type MessagePort, type TransferListItem } from 'node:worker_threads';

/** Slots of the control word (exported for tests that play a late wake-up). */
export const CONTROL = { requestSequence: 0, answerSequence: 1, requestKind: 2, answerHasMessage: 3 } as const;
const CONTROL_SLOTS = 4;

/** Atomics.waitAsync (Node 16+, ES2024), which the ES2022 lib this project compiles against does not declare. */
const waitAsync = (
  Atomics as unknown as {
    waitAsync(
      array: Int32Array,
      index: number,
      value: number,
    ): { async: false; value: string } | { async: true; value: Promise<string> };
  }
).waitAsync;

/** What a request carries: nothing but the step buffers, or a message. */
export const REQUEST_KINDS = { step: 1, message: 2 } as const;
export type RequestKind = (typeof REQUEST_KINDS)[keyof typeof REQUEST_KINDS];

/** The worker's end, passed to it as workerData (the port must be in the transfer list). */
export interface WorkerHandoffEnd {
  control: SharedArrayBuffer;
  port: MessagePort;
}

/** A message as it crosses the port: with the sequence number of the request it belongs to. */
interface Envelope {
  sequence: number;
  body: unknown;
}

/** The main thread's end. */
export class MainHandoff {
  private readonly control = new Int32Array(new SharedArrayBuffer(CONTROL_SLOTS * Int32Array.BYTES_PER_ELEMENT));
  private readonly channel = new MessageChannel();
  private sequence = 0;
  private interrupted = false;

  /** The worker's end; give it to exactly one worker. */
  readonly workerEnd: WorkerHandoffEnd = {
    control: this.control.buffer as SharedArrayBuffer,
    port: this.channel.port2,
  };

  /** Starts a request; `message` (if any) goes through the port with `transfer` moved, not copied. */
  request(kind: RequestKind, message?: unknown, transfer: readonly TransferListItem[] = []): void {
    const sequence = (this.sequence + 1) | 0;
    if (message !== undefined) post(this.channel.port1, sequence, message, transfer);
    this.sequence = sequence;
    Atomics.store(this.control, CONTROL.requestKind, kind);
    Atomics.store(this.control, CONTROL.requestSequence, sequence);
    Atomics.notify(this.control, CONTROL.requestSequence);
  }

  /**
   * Waits for the answer to the last request: `{ message }` (undefined when the answer has none), or null if
   * `interrupt` was called first. Throws if the answer's message is missing or belongs to another request.
   */
  async answer(): Promise<{ message: unknown } | null> {
    for (;;) {
      const answered = Atomics.load(this.control, CONTROL.answerSequence);
      if (answered === this.sequence) break;
      if (this.interrupted) return null;
      const wait = waitAsync(this.control, CONTROL.answerSequence, answered);
      if (wait.async) await wait.value;
    }
    if (Atomics.load(this.control, CONTROL.answerHasMessage) === 0) return { message: undefined };
    return { message: take(this.channel.port1, this.sequence, 'answer') };
  }

  /** Makes every pending and later `answer` return null (the worker is gone), and frees the channel. */
  interrupt(): void {
    this.interrupted = true;
    Atomics.notify(this.control, CONTROL.answerSequence);
    this.channel.port1.close();
  }
}

/** The worker's end. */
export class WorkerHandoff {
  private readonly control: Int32Array;
  private readonly port: MessagePort;
  private seen = 0;

  constructor(end: WorkerHandoffEnd) {
    this.control = new Int32Array(end.control);
    this.port = end.port;
  }

  /**
   * Blocks the thread until the next request; returns its kind and message. Throws if a message request's message
   * is missing or belongs to another request.
   */
  next(): { kind: RequestKind; message: unknown } {
    let sequence: number;
    while ((sequence = Atomics.load(this.control, CONTROL.requestSequence)) === this.seen) {
      Atomics.wait(this.control, CONTROL.requestSequence, this.seen);
    }
    this.seen = sequence;
    const kind = Atomics.load(this.control, CONTROL.requestKind) as RequestKind;
    return { kind, message: kind === REQUEST_KINDS.message ? take(this.port, sequence, 'request') : undefined };
  }

  /** Answers the current request, with `message` (if any) posted first. */
  answer(message?: unknown, transfer: readonly TransferListItem[] = []): void {
    if (message !== undefined) post(this.port, this.seen, message, transfer);
    Atomics.store(this.control, CONTROL.answerHasMessage, message === undefined ? 0 : 1);
    Atomics.store(this.control, CONTROL.answerSequence, this.seen);
    Atomics.notify(this.control, CONTROL.answerSequence);
  }
}

function post(port: MessagePort, sequence: number, body: unknown, transfer: readonly TransferListItem[]): void {
  port.postMessage({ sequence, body } satisfies Envelope, transfer);
}

/** The body of the message `sequence`'s request or answer posted, which must be the next one on `port`. */
function take(port: MessagePort, sequence: number, what: 'request' | 'answer'): unknown {
  const envelope = receiveMessageOnPort(port)?.message as Envelope | undefined;
  if (envelope?.sequence !== sequence) {
    const found = envelope === undefined ? 'none is queued' : `the next one is ${what} ${envelope.sequence}'s`;
    throw new Error(`handoff out of step: ${what} ${sequence} has a message, but ${found}`);
  }
  return envelope.body;
}
