/**
 * TensorBoard scalar logging without TensorFlow: writes `events.out.tfevents.<unix seconds>.<hostname>` files
 * (TFRecord-framed Event protobufs, see tfrecord.ts and tensorboard-event.ts) that `tensorboard --logdir` reads.
 * The API mirrors tfjs-node's summaryFileWriter: scalar(tag, value, step), then flush().
 */
import { appendFile, mkdir, open, readFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { decodeEvent, encodeEvent, type TensorBoardEvent } from './tensorboard-event.js';
import { decodeTfRecords, encodeTfRecord } from './tfrecord.js';

export const EVENT_FILE_VERSION = 'brain.Event:2';

export interface TensorBoardWriterOptions {
  /** Host name in the file name. Default: os.hostname(). */
  hostname?: string;
  /**
   * Step of the checkpoint a resumed run continues from. When set, the new file starts with a SessionLog START
   * event at that step, which makes TensorBoard drop the old files' events past it. Default: none (a fresh run).
   */
  resumedFromStep?: number;
  /** Clock in milliseconds since the epoch, for file names and event wall times. Default: Date.now. */
  now?: () => number;
}

export class TensorBoardWriter {
  private pending: Uint8Array[] = [];
  private writing: Promise<void> = Promise.resolve();

  private constructor(
    /** Path of the event file being written. */
    readonly file: string,
    private readonly now: () => number,
  ) {}

  /**
   * Creates `logdir` if needed and a new event file in it, starting with the file-version event (then, for a resumed
   * run, the SessionLog START event; see `resumedFromStep`). If a file of the same name exists (two writers in one
   * second), a `.1`, `.2`, … suffix keeps them apart.
   */
  static async create(logdir: string, options: TensorBoardWriterOptions = {}): Promise<TensorBoardWriter> {
    const now = options.now ?? Date.now;
    await mkdir(logdir, { recursive: true });
    const base = join(logdir, `events.out.tfevents.${Math.floor(now() / 1000)}.${options.hostname ?? hostname()}`);
    const versionEvent = { wallTime: now() / 1000, step: 0, fileVersion: EVENT_FILE_VERSION, scalars: [] };
    const records = [encodeTfRecord(encodeEvent(versionEvent))];
    if (options.resumedFromStep !== undefined) {
      const resumeEvent = { wallTime: now() / 1000, step: options.resumedFromStep, sessionStart: true, scalars: [] };
      records.push(encodeTfRecord(encodeEvent(resumeEvent)));
    }
    for (let suffix = 0; ; suffix++) {
      const file = suffix === 0 ? base : `${base}.${suffix}`;
      try {
        const handle = await open(file, 'wx');
        await handle.writeFile(concat(records));
        await handle.close();
        return new TensorBoardWriter(file, now);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      }
    }
  }

  /** Queues one scalar; it reaches the file on the next flush(). */
  scalar(tag: string, value: number, step: number): void {
    this.scalars(step, { [tag]: value });
  }

  /** Queues several scalars of one step as a single event (e.g. a whole metrics row). */
  scalars(step: number, values: Readonly<Record<string, number>>): void {
    const scalars = Object.entries(values).map(([tag, value]) => ({ tag, value }));
    this.pending.push(encodeTfRecord(encodeEvent({ wallTime: this.now() / 1000, step, scalars })));
  }

  /** Appends the queued events to the file. Concurrent flushes are written in call order. */
  flush(): Promise<void> {
    const batch = this.pending;
    this.pending = [];
    this.writing = this.writing.then(() => (batch.length > 0 ? appendFile(this.file, concat(batch)) : undefined));
    return this.writing;
  }
}

/** Reads back every event of an event file, checking the TFRecord CRCs. */
export async function readTensorBoardEvents(file: string): Promise<TensorBoardEvent[]> {
  return decodeTfRecords(await readFile(file)).map(decodeEvent);
}

function concat(chunks: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(chunks.reduce((total, chunk) => total + chunk.length, 0));
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.length;
  }
  return out;
}
