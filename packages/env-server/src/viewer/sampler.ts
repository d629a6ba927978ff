/**
 * Sampling a watched env for the viewer without slowing the session: at most one sample per env and mode in
 * flight, shared by every viewer that asks meanwhile, and a sample younger than `minIntervalMs` is handed out
 * again instead of taking a new one. So however many viewers poll, and however fast, the session answers at most
 * 1000 / minIntervalMs samples per second per watched env; a viewer that is slower simply skips frames (nothing
 * is queued for it).
 */
import type { MaybePromise } from '../env-session.js';

/** Default minimum age of a new sample: a 60 Hz display's frame. */
export const DEFAULT_SAMPLE_INTERVAL_MS = 1000 / 60;
/** Entries kept before stale ones (sessions closed or no longer watched) are dropped. */
const MAX_ENTRIES = 256;

interface Sample<T> {
  takenAt: number;
  value: Promise<T>;
  settled: boolean;
}

export class FrameSampler<T> {
  /** Samples taken from sessions so far (not counting those handed out again). */
  taken = 0;
  private readonly samples = new Map<string, Sample<T>>();

  constructor(
    readonly minIntervalMs = DEFAULT_SAMPLE_INTERVAL_MS,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** The sample under `key`: the one in flight, a fresh enough one, or a new one from `take`. */
  sample(key: string, take: () => MaybePromise<T>): Promise<T> {
    const now = this.now();
    const last = this.samples.get(key);
    if (last !== undefined && (!last.settled || now - last.takenAt < this.minIntervalMs)) return last.value;
    if (this.samples.size >= MAX_ENTRIES) this.dropStale(now);
    this.taken++;
    let value: Promise<T>;
    try {
      value = Promise.resolve(take());
    } catch (error) {
      value = Promise.reject(error);
    }
    const entry: Sample<T> = { takenAt: now, value, settled: false };
    const settle = () => {
      entry.settled = true;
      entry.takenAt = this.now();
    };
    value.then(settle, settle);
    this.samples.set(key, entry);
    return value;
  }

  private dropStale(now: number): void {
    for (const [key, entry] of this.samples) {
      if (entry.settled && now - entry.takenAt >= this.minIntervalMs) this.samples.delete(key);
    }
  }
}
