/**
 * A vector session whose envs live on worker threads: the envs are cut into contiguous slices, one per worker,
 * and each worker runs an ordinary VectorSession over its slice (so time limits, autoreset, seeding and the
 * snapshot envelope are the in-process code itself). This class checks requests exactly as VectorSession does
 * (session-checks.ts) before any worker moves, fans each call out to the slices that hold the envs concerned,
 * and joins their answers in env order. The main thread only cuts and joins batches: a step moves the slices'
 * rows through shared memory (step-buffers.ts), other calls are messages.
 *
 * Calls are queued, so overlapping callers see them one at a time, in order. An ENV_ERROR from any slice, or a
 * worker thread that dies, makes the whole session unusable, as an env error does in-process; other sessions
 * have their own workers and are not affected.
 */
import { batchSpace, createBatch, VinegymError } from '@vinegym/protocol';
import type {
  AutoresetMode,
  RenderMode,
  RenderResult,
  ResetResult,
  Space,
  SpaceValue,
  StepResult,
} from '@vinegym/protocol';
import type { EnvDefinition, EnvKwargs } from '../env.js';
import type { EnvSession } from '../env-session.js';
import {
  checkActions,
  checkIndex,
  checkIndexList,
  checkRenderable,
  checkRenderMode,
  checkSessionArguments,
  checkSteppable,
  resetSeeds,
  statusAfterStep,
  type SessionResetOptions,
} from '../session-checks.js';
import { decodeSnapshot, type EnvStatus } from '../snapshot.js';
import { concatBatches } from './batch-slices.js';
import { RUNNING_FROM_SOURCES, SliceWorker } from './slice-worker.js';
import { sourceWorkerUrl } from './source-bundle.js';
import { createStepResult } from './step-buffers.js';
import type { EnvOrigin, SliceSpec } from './worker-messages.js';

export interface ParallelSessionOptions {
  definition: EnvDefinition;
  /** How a worker gets the definition (see envOrigin in session-factory.ts). */
  origin: EnvOrigin;
  /** Kwargs already validated and completed with defaults. */
  kwargs: EnvKwargs;
  numEnvs: number;
  /** Default 'next_step'. */
  autoresetMode?: AutoresetMode;
  /** Default null: no seeding. */
  seed?: number | null;
  /** Default false: Box actions may lie outside the bounds (see VectorSessionOptions.strictActions). */
  strictActions?: boolean;
  /** Worker threads to spread the envs over; capped at numEnvs. A positive integer. */
  workers: number;
  /**
   * Deadline of every call on a worker after make, in ms (0: none): a worker that has not answered by then is
   * stopped and the session fails with ENV_ERROR. Starting the threads and building the envs get
   * THREAD_START_ALLOWANCE_MS more. Default 0.
   */
  callTimeoutMs?: number;
}

/** Extra time make's worker calls get over callTimeoutMs: a thread loads its env code (seconds from sources). */
export const THREAD_START_ALLOWANCE_MS = 60_000;

/** One worker and the envs [start, start + count) it holds. */
interface Slice {
  worker: SliceWorker;
  start: number;
  count: number;
}

export class ParallelSession implements EnvSession {
  readonly envId: string;
  readonly numEnvs: number;
  readonly autoresetMode: AutoresetMode;
  readonly strictActions: boolean;
  readonly maxEpisodeSteps: number | null;
  readonly singleObservationSpace: Space;
  readonly singleActionSpace: Space;
  readonly observationSpace: Space;
  readonly actionSpace: Space;
  readonly snapshotSupported: boolean;
  readonly renderSupported: boolean;
  readonly renderModes: readonly RenderMode[];

  /** Mirror of the slices' env statuses, for checking a step before any worker moves. */
  private readonly status: EnvStatus[];
  private brokenReason: string | null = null;
  /** The last queued call; the next one starts when it has settled. */
  private tail: Promise<unknown> = Promise.resolve();
  /** The observation batch transient steps write into, made at the first one. */
  private reusedObservations: SpaceValue | null = null;

  private constructor(
    options: Required<Omit<ParallelSessionOptions, 'origin' | 'kwargs' | 'workers' | 'callTimeoutMs'>>,
    spec: SliceSpec,
    private readonly slices: Slice[],
  ) {
    this.envId = options.definition.id;
    this.numEnvs = options.numEnvs;
    this.autoresetMode = options.autoresetMode;
    this.strictActions = options.strictActions;
    this.maxEpisodeSteps = spec.maxEpisodeSteps;
    this.singleObservationSpace = spec.singleObservationSpace;
    this.singleActionSpace = spec.singleActionSpace;
    this.observationSpace = batchSpace(spec.singleObservationSpace, options.numEnvs);
    this.actionSpace = batchSpace(spec.singleActionSpace, options.numEnvs);
    this.snapshotSupported = spec.snapshotSupported;
    this.renderSupported = spec.renderSupported;
    this.renderModes = spec.renderModes;
    this.status = new Array<EnvStatus>(options.numEnvs).fill('needs_reset');
  }

  /** Starts the workers and creates every slice's envs; fails (and stops the workers) if any slice fails. */
  static async create(options: ParallelSessionOptions): Promise<ParallelSession> {
    const { definition, numEnvs } = options;
    const autoresetMode = options.autoresetMode ?? 'next_step';
    const seed = options.seed ?? null;
    const strictActions = options.strictActions ?? false;
    checkSessionArguments(numEnvs, autoresetMode, seed);
    if (!Number.isSafeInteger(options.workers) || options.workers < 1) {
      throw new RangeError(`workers must be a positive integer, got ${options.workers}`);
    }
    let session: ParallelSession | null = null;
    const callMs = options.callTimeoutMs ?? 0;
    const deadlines = { callMs, initMs: callMs === 0 ? 0 : callMs + THREAD_START_ALLOWANCE_MS };
    const script = RUNNING_FROM_SOURCES && options.origin.kind === 'builtin' ? await sourceWorkerUrl() : null;
    const slices = sliceRanges(numEnvs, Math.min(options.workers, numEnvs)).map(({ start, count }, k) => ({
      start,
      count,
      worker: new SliceWorker(
        `${definition.id} worker ${k} (envs ${start}..${start + count - 1})`,
        (error) => session?.breakWith(error),
        deadlines,
        script,
      ),
    }));
    try {
      const specs = await Promise.all(
        slices.map(({ worker, start, count }) =>
          worker.init({
            envId: definition.id,
            origin: options.origin,
            kwargs: options.kwargs,
            autoresetMode,
            strictActions,
            numEnvs: count,
            seed: seed === null ? null : seed + start,
            indexOffset: start,
          }),
        ),
      );
      session = new ParallelSession({ definition, numEnvs, autoresetMode, seed, strictActions }, specs[0], slices);
      return session;
    } catch (error) {
      for (const slice of slices) slice.worker.terminate();
      throw error;
    }
  }

  get broken(): boolean {
    return this.brokenReason !== null;
  }

  reset(request: SessionResetOptions = {}): Promise<ResetResult> {
    return this.queue(async () => {
      this.assertHealthy();
      const indices = request.env_indices ?? Array.from({ length: this.numEnvs }, (_, i) => i);
      checkIndexList(indices, this.numEnvs);
      const seeds = resetSeeds(request, indices);
      const options = request.options;
      // Indices are increasing, so the slices' answers in slice order are in the request's order.
      const parts = await this.fanOut(async ({ worker, start, count }) => {
        const mine = indices.flatMap((i, k) => (i >= start && i < start + count ? [k] : []));
        if (mine.length === 0) return null;
        const local = { env_indices: mine.map((k) => indices[k] - start), seeds: mine.map((k) => seeds[k]) };
        return worker.call({ op: 'reset', request: options === undefined ? local : { ...local, options } });
      });
      const answered = parts.filter((part): part is ResetResult => part !== null);
      for (const i of indices) this.status[i] = 'running';
      return {
        env_indices: indices.slice(),
        observations: concatBatches(answered.map((part) => part.observations)),
        infos: answered.flatMap((part) => part.infos),
      };
    });
  }

  /** `transient`: see EnvSession.step; the observations then land in one batch reused by every such step. */
  step(actions: SpaceValue, transient = false): Promise<StepResult> {
    return this.queue(async () => {
      this.assertHealthy();
      checkSteppable(this.status, this.autoresetMode);
      checkActions(this.singleActionSpace, actions, this.numEnvs, 0, this.strictActions);
      let result: StepResult | null = null;
      // Each slice fills its own rows of the result once it has answered.
      const stepped = this.fanOut(({ worker, start }) => worker.step(actions, start, () => result!));
      // Every slice's request is out now: the result (a fresh observation batch, about 100 KB per Atari env) is made
      // while the threads step instead of before they start.
      const observations = transient
        ? (this.reusedObservations ??= createBatch(this.singleObservationSpace, this.numEnvs))
        : undefined;
      result = createStepResult(
        this.singleObservationSpace,
        this.numEnvs,
        this.autoresetMode === 'same_step',
        observations,
      );
      await stepped;
      const terminated = result.terminated.data;
      const truncated = result.truncated.data;
      for (let i = 0; i < this.numEnvs; i++) {
        this.status[i] = statusAfterStep(this.autoresetMode, terminated[i] === 1 || truncated[i] === 1);
      }
      return result;
    });
  }

  snapshot(envIndices: number[]): Promise<Uint8Array[]> {
    return this.queue(async () => {
      this.assertHealthy();
      checkIndexList(envIndices, this.numEnvs, false);
      this.assertSnapshotSupported();
      const out = new Array<Uint8Array>(envIndices.length);
      await this.fanOut(async ({ worker, start, count }) => {
        const mine = envIndices.flatMap((i, k) => (i >= start && i < start + count ? [k] : []));
        if (mine.length === 0) return;
        const snapshots = await worker.call({ op: 'snapshot', envIndices: mine.map((k) => envIndices[k] - start) });
        mine.forEach((k, j) => (out[k] = snapshots[j]));
      });
      return out;
    });
  }

  restore(envIndex: number, snapshot: Uint8Array): Promise<void> {
    return this.queue(async () => {
      this.assertHealthy();
      checkIndex(envIndex, this.numEnvs);
      this.assertSnapshotSupported();
      const { header } = decodeSnapshot(snapshot);
      const { worker, start } = this.sliceOf(envIndex);
      const copy = snapshot.slice();
      await this.guard(worker.call({ op: 'restore', envIndex: envIndex - start, snapshot: copy }, [copy.buffer]));
      this.status[envIndex] = header.status;
    });
  }

  render(envIndex: number, mode: RenderMode = 'rgb_array'): Promise<RenderResult> {
    return this.queue(async () => {
      this.assertHealthy();
      checkIndex(envIndex, this.numEnvs);
      checkRenderMode(this.envId, this.renderModes, mode);
      checkRenderable(this.status[envIndex], envIndex);
      const { worker, start } = this.sliceOf(envIndex);
      return this.guard(worker.call({ op: 'render', envIndex: envIndex - start, mode }));
    });
  }

  /** Stops the workers (which frees their envs). */
  close(): void {
    if (this.brokenReason === null) this.brokenReason = 'session is closed';
    for (const slice of this.slices) slice.worker.terminate();
  }

  /** Runs `call` after every call queued before it. */
  private queue<T>(call: () => Promise<T>): Promise<T> {
    const result = this.tail.then(call);
    this.tail = result.catch(() => undefined);
    return result;
  }

  /** `call` on every slice at once; the first ENV_ERROR breaks the session (after all slices have answered). */
  private async fanOut<T>(call: (slice: Slice) => Promise<T>): Promise<T[]> {
    const settled = await Promise.allSettled(this.slices.map(call));
    const failed = settled.find((outcome): outcome is PromiseRejectedResult => outcome.status === 'rejected');
    if (failed !== undefined) throw this.failure(failed.reason);
    return settled.map((outcome) => (outcome as PromiseFulfilledResult<T>).value);
  }

  private async guard<T>(call: Promise<T>): Promise<T> {
    try {
      return await call;
    } catch (error) {
      throw this.failure(error);
    }
  }

  /** ENV_ERRORs (an env threw, a worker died) break the session; other errors leave it as it was. */
  private failure(error: unknown): unknown {
    if (!(error instanceof VinegymError && error.code === 'ENV_ERROR')) return error;
    this.breakWith(error);
    // Several workers can fail in one step; when one dies the others are terminated, so the caller must hear the
    // first cause rather than a "terminated" that is only its consequence.
    return this.brokenReason === error.message
      ? error
      : new VinegymError('ENV_ERROR', this.brokenReason!, error.details);
  }

  private breakWith(error: VinegymError): void {
    if (this.brokenReason !== null) return;
    this.brokenReason = error.message;
    for (const slice of this.slices) slice.worker.terminate();
  }

  private sliceOf(envIndex: number): Slice {
    return this.slices.find(({ start, count }) => envIndex >= start && envIndex < start + count)!;
  }

  private assertHealthy(): void {
    if (this.brokenReason !== null) {
      throw new VinegymError('ENV_ERROR', `session is unusable: ${this.brokenReason}; close it and make a new one`);
    }
  }

  private assertSnapshotSupported(): void {
    if (!this.snapshotSupported) {
      throw new VinegymError('NOT_SUPPORTED', `env ${this.envId} does not support snapshot/restore`);
    }
  }
}

/** `numEnvs` envs cut into `parts` contiguous ranges whose sizes differ by at most one. */
export function sliceRanges(numEnvs: number, parts: number): { start: number; count: number }[] {
  const base = Math.floor(numEnvs / parts);
  const extra = numEnvs % parts;
  const ranges: { start: number; count: number }[] = [];
  for (let k = 0, start = 0; k < parts; k++) {
    const count = base + (k < extra ? 1 : 0);
    ranges.push({ start, count });
    start += count;
  }
  return ranges;
}
