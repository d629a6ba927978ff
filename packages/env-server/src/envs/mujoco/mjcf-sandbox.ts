/**
 * Compiles MJCF that came from a client (mujoco/custom-v0's `xml`, or an `xml_path` file) before any env is built
 * from it, in a disposable worker thread with a time budget, a memory budget and a cap on the compiled model's size.
 *
 * Why a thread of its own, and a fresh one each time: a small document can take a minute of CPU (`<replicate>`) or
 * gigabytes to compile, so the compile must be stoppable (Worker.terminate stops WebAssembly too) and its heap
 * bounded (the thread's mujoco-js cannot grow its WebAssembly memory past the budget); and mujoco-js leaks ~90 KB of
 * its heap for every document it rejects, which dies with the thread instead of piling up in the server's heap.
 * A model that passes is then compiled again where its envs live, with no surprise left: same text, same compiler.
 *
 * Outcomes are cached by the document's SHA-256, so making sessions of a model already checked costs nothing.
 */
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { VinegymError } from '@vinegym/protocol';
import type { MjcfReport } from '../../env.js';
import { DEFAULT_LIMITS, type ServerLimits } from '../../limits.js';
import { withDefaults } from '../../options.js';
import { mib } from '../../session-budget.js';
import { MJCF_SANDBOX_SOURCE } from './mjcf-sandbox-worker.js';
import { loadMujocoRuntime, modelEnvBytes } from './runtime.js';

/**
 * The sandbox's budgets: the server limits maxMjcfBytes (document size), mjcfCompileTimeoutMs, maxMjcfCompileBytes
 * (WebAssembly memory of the compile) and maxModelBytes (estimated bytes of one env, see modelEnvBytes), whose
 * defaults are in LIMIT_SPECS (limits.ts); and how many compiles run and wait at once.
 */
export interface MjcfLimits extends Pick<
  ServerLimits,
  'maxMjcfBytes' | 'mjcfCompileTimeoutMs' | 'maxMjcfCompileBytes' | 'maxModelBytes'
> {
  /** Sandboxes compiling at once, server-wide; further checks wait their turn. Default 1. */
  maxConcurrentCompiles: number;
  /** Checks waiting for a sandbox; one more is refused with LIMIT_EXCEEDED. Default 32. */
  maxQueuedCompiles: number;
}

export const DEFAULT_MJCF_LIMITS: Readonly<MjcfLimits> = {
  maxMjcfBytes: DEFAULT_LIMITS.maxMjcfBytes,
  mjcfCompileTimeoutMs: DEFAULT_LIMITS.mjcfCompileTimeoutMs,
  maxMjcfCompileBytes: DEFAULT_LIMITS.maxMjcfCompileBytes,
  maxModelBytes: DEFAULT_LIMITS.maxModelBytes,
  maxConcurrentCompiles: 1,
  maxQueuedCompiles: 32,
};

/** Time a sandbox may take to load mujoco-js before the server, not the document, is blamed (ENV_ERROR). */
const SANDBOX_START_TIMEOUT_MS = 30_000;
/** JavaScript heap of a sandbox thread: mujoco-js's glue needs ~30 MB. */
const SANDBOX_JS_HEAP_MB = 96;
/** Outcomes kept, by document hash. */
const CACHED_OUTCOMES = 64;

/** What a sandbox found: a model's sizes, or why the document was refused. */
type Outcome =
  | { kind: 'compiled'; narena: number; nbuffer: number; modelBytes: number; compileMs: number }
  | { kind: 'rejected'; message: string }
  | { kind: 'overBudget'; limit: string; max: number; message: string };

export class MjcfSandbox {
  readonly limits: Readonly<MjcfLimits>;
  private readonly outcomes = new Map<string, Outcome>();
  private running = 0;
  private readonly waiting: { start: () => void; fail: (error: unknown) => void }[] = [];
  private readonly workers = new Set<Worker>();
  private closed = false;

  constructor(limits: Partial<MjcfLimits> = {}) {
    this.limits = withDefaults(DEFAULT_MJCF_LIMITS, limits);
    for (const [name, value] of Object.entries(this.limits)) {
      if (!Number.isSafeInteger(value) || value < 1)
        throw new RangeError(`MJCF limit ${name} must be a positive integer, got ${value}`);
    }
  }

  /**
   * Compiles `xml` in a sandbox (or recalls the outcome for the same text) and describes the model; INVALID_KWARGS
   * naming `key` if MuJoCo rejects it or it exceeds a budget. With `quoteErrors` false MuJoCo's message, which can
   * quote the document, is left out.
   */
  async check(xml: string, options: { key: string; quoteErrors: boolean }): Promise<MjcfReport> {
    const { key } = options;
    const bytes = Buffer.byteLength(xml);
    if (bytes > this.limits.maxMjcfBytes) {
      throw new VinegymError(
        'INVALID_KWARGS',
        `${key}: the MJCF document has ${bytes} bytes, more than the server's limit of ${this.limits.maxMjcfBytes}`,
        {
          key,
          limit: 'max_mjcf_bytes',
          max: this.limits.maxMjcfBytes,
        },
      );
    }
    const hash = createHash('sha256').update(xml).digest('base64');
    let outcome = this.outcomes.get(hash);
    if (outcome === undefined) {
      outcome = await this.inTurn(() => this.compile(xml));
      if (this.outcomes.size >= CACHED_OUTCOMES) this.outcomes.delete(this.outcomes.keys().next().value as string);
      this.outcomes.set(hash, outcome);
    }
    return this.report(outcome, options);
  }

  /** Stops every sandbox and fails every waiting check (the server is shutting down). */
  close(): void {
    this.closed = true;
    for (const worker of this.workers) void worker.terminate();
    for (const waiter of this.waiting.splice(0)) waiter.fail(shuttingDown());
  }

  /** The outcome as the client's answer: a report, or the INVALID_KWARGS that explains the refusal. */
  private report(outcome: Outcome, { key, quoteErrors }: { key: string; quoteErrors: boolean }): MjcfReport {
    if (outcome.kind === 'rejected') {
      // MuJoCo's messages are at most 500 characters (its error buffer), and may quote the document.
      const why = quoteErrors ? `: ${outcome.message}` : " (MuJoCo's message is not sent for files on the server)";
      throw new VinegymError('INVALID_KWARGS', `MuJoCo could not compile the model${why}`, { key });
    }
    if (outcome.kind === 'overBudget') {
      throw new VinegymError('INVALID_KWARGS', `${key}: ${outcome.message}`, {
        key,
        limit: outcome.limit,
        max: outcome.max,
      });
    }
    const bytesPerEnv = modelEnvBytes(outcome);
    if (bytesPerEnv > this.limits.maxModelBytes) {
      throw new VinegymError(
        'INVALID_KWARGS',
        `${key}: one env of this model needs ~${mib(bytesPerEnv)} MiB (its arena, <size memory>, and buffers), more than the server's limit of ${mib(this.limits.maxModelBytes)} MiB`,
        { key, limit: 'max_model_bytes', max: this.limits.maxModelBytes },
      );
    }
    return { bytesPerEnv, compileMs: outcome.compileMs };
  }

  /** Runs `task` when fewer than maxConcurrentCompiles run; LIMIT_EXCEEDED when too many already wait. */
  private async inTurn<T>(task: () => Promise<T>): Promise<T> {
    if (this.closed) throw shuttingDown();
    if (this.running >= this.limits.maxConcurrentCompiles) {
      if (this.waiting.length >= this.limits.maxQueuedCompiles) {
        throw new VinegymError(
          'LIMIT_EXCEEDED',
          `the server already has ${this.waiting.length} MJCF documents waiting to be compiled`,
          {
            limit: 'max_queued_mjcf_compiles',
            max: this.limits.maxQueuedCompiles,
          },
        );
      }
      await new Promise<void>((start, fail) => this.waiting.push({ start, fail }));
    }
    this.running++;
    try {
      return await task();
    } finally {
      this.running--;
      this.waiting.shift()?.start();
    }
  }

  /** One sandbox thread compiling `xml`. */
  private async compile(xml: string): Promise<Outcome> {
    // The sandbox instantiates the compiled module of this thread's own runtime (loaded at the first use).
    const { wasmModule } = await loadMujocoRuntime();
    if (wasmModule === null)
      throw new VinegymError(
        'ENV_ERROR',
        'the MJCF sandbox is unavailable: the compiled MuJoCo module could not be kept',
      );
    if (this.closed) throw shuttingDown();
    const { mjcfCompileTimeoutMs: compileTimeoutMs, maxMjcfCompileBytes: compileMemoryBytes } = this.limits;
    const worker = new Worker(MJCF_SANDBOX_SOURCE, {
      eval: true,
      name: 'MJCF sandbox',
      workerData: { mujocoUrl: MUJOCO_URL, wasmModule, xml, heapLimitBytes: compileMemoryBytes },
      resourceLimits: { maxOldGenerationSizeMb: SANDBOX_JS_HEAP_MB },
    });
    this.workers.add(worker);
    return new Promise<Outcome>((resolve, reject) => {
      let heapLimitHit = false;
      const overMemory: Outcome = {
        kind: 'overBudget',
        limit: 'max_mjcf_compile_bytes',
        max: compileMemoryBytes,
        message: `compiling the model needs more than the server's ${mib(compileMemoryBytes)} MiB`,
      };
      const finish = (settle: () => void): void => {
        clearTimeout(timer);
        this.workers.delete(worker);
        worker.removeAllListeners();
        worker.on('error', () => undefined);
        void worker.terminate();
        settle();
      };
      let timer = setTimeout(
        () =>
          finish(() =>
            reject(
              new VinegymError(
                'ENV_ERROR',
                `the MJCF sandbox did not start within ${SANDBOX_START_TIMEOUT_MS / 1000} s`,
              ),
            ),
          ),
        SANDBOX_START_TIMEOUT_MS,
      );
      worker.on('message', (message: SandboxMessage) => {
        switch (message.type) {
          case 'heapLimit':
            heapLimitHit = true;
            return;
          case 'loaded':
            clearTimeout(timer);
            timer = setTimeout(
              () =>
                finish(() =>
                  resolve({
                    kind: 'overBudget',
                    limit: 'mjcf_compile_timeout_s',
                    max: compileTimeoutMs / 1000,
                    message: `compiling the model took longer than the server's ${compileTimeoutMs / 1000} s`,
                  }),
                ),
              compileTimeoutMs,
            );
            return;
          case 'compiled':
            return finish(() =>
              resolve({
                kind: 'compiled',
                narena: message.narena,
                nbuffer: message.nbuffer,
                modelBytes: message.modelBytes,
                compileMs: message.compileMs,
              }),
            );
          case 'rejected':
            return finish(() => resolve(heapLimitHit ? overMemory : { kind: 'rejected', message: message.message }));
        }
      });
      worker.on('error', (error: Error & { code?: string }) => {
        // The capped heap can end in an abort rather than an exception; the JavaScript heap has a cap of its own.
        if (heapLimitHit || error.code === 'ERR_WORKER_OUT_OF_MEMORY') finish(() => resolve(overMemory));
        else finish(() => reject(new VinegymError('ENV_ERROR', `the MJCF sandbox failed: ${error.message}`)));
      });
      worker.on('exit', () =>
        finish(() =>
          reject(
            this.closed ? shuttingDown() : new VinegymError('ENV_ERROR', 'the MJCF sandbox exited without an answer'),
          ),
        ),
      );
    });
  }
}

type SandboxMessage =
  | { type: 'heapLimit' }
  | { type: 'loaded' }
  | { type: 'compiled'; narena: number; nbuffer: number; modelBytes: number; compileMs: number }
  | { type: 'rejected'; message: string };

const MUJOCO_URL = pathToFileURL(createRequire(import.meta.url).resolve('mujoco-js')).href;

function shuttingDown(): VinegymError {
  return new VinegymError('ENV_ERROR', 'the server is shutting down');
}
