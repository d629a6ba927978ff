/**
 * The request/answer handoff between the main thread and one slice worker: an Int32Array control word in a
 * SharedArrayBuffer, waited on with Atomics, plus a MessageChannel read synchronously (receiveMessageOnPort) for
 * the calls that carry more than typed arrays. A step carries no message at all: its data is in the shared step
 * buffers (step-buffers.ts), and waking the other thread is one Atomics.notify, with no structured clone.
 *
 * One request is out at a time. The main thread writes the request's data (or posts its message), then bumps the
 * request sequence number and notifies; the worker, blocked in Atomics.wait, wakes, answers (posting a message
 * first if the answer has one), stores the sequence number as the answer and notifies. The main thread waits with
 * Atomics.waitAsync, so its event loop keeps running. A message is posted before the sequence number that
 * announces it is stored, so the receiver always finds it queued.
 */
import { MessageChannel, receiveMessageOnPort, type MessagePort, type TransferListItem } from 'node:worker_threads';

/** Slots of the control word. */
const REQUEST_SEQUENCE = 0;
const ANSWER_SEQUENCE = 1;
const REQUEST_KIND = 2;
const ANSWER_HAS_MESSAGE = 3;
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
    if (message !== undefined) this.channel.port1.postMessage(message, transfer);
    this.sequence = (this.sequence + 1) | 0;
    Atomics.store(this.control, REQUEST_KIND, kind);
    Atomics.store(this.control, REQUEST_SEQUENCE, this.sequence);
    Atomics.notify(this.control, REQUEST_SEQUENCE);
  }

  /**
   * Waits for the answer to the last request: `{ message }` (undefined when the answer has none), or null if
   * `interrupt` was called first.
   */
  async answer(): Promise<{ message: unknown } | null> {
    for (;;) {
      const answered = Atomics.load(this.control, ANSWER_SEQUENCE);
      if (answered === this.sequence) break;
      if (this.interrupted) return null;
      const wait = waitAsync(this.control, ANSWER_SEQUENCE, answered);
      if (wait.async) await wait.value;
    }
    if (Atomics.load(this.control, ANSWER_HAS_MESSAGE) === 0) return { message: undefined };
    return { message: receiveMessageOnPort(this.channel.port1)?.message };
  }

  /** Makes every pending and later `answer` return null (the worker is gone), and frees the channel. */
  interrupt(): void {
    this.interrupted = true;
    Atomics.notify(this.control, ANSWER_SEQUENCE);
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

  /** Blocks the thread until the next request; returns its kind and message. */
  next(): { kind: RequestKind; message: unknown } {
    Atomics.wait(this.control, REQUEST_SEQUENCE, this.seen);
    this.seen = Atomics.load(this.control, REQUEST_SEQUENCE);
    const kind = Atomics.load(this.control, REQUEST_KIND) as RequestKind;
    return { kind, message: kind === REQUEST_KINDS.message ? receiveMessageOnPort(this.port)?.message : undefined };
  }

  /** Answers the current request, with `message` (if any) posted first. */
  answer(message?: unknown, transfer: readonly TransferListItem[] = []): void {
    if (message !== undefined) this.port.postMessage(message, transfer);
    Atomics.store(this.control, ANSWER_HAS_MESSAGE, message === undefined ? 0 : 1);
    Atomics.store(this.control, ANSWER_SEQUENCE, this.seen);
    Atomics.notify(this.control, ANSWER_SEQUENCE);
  }
}
