/**
 * The main thread's handle on one slice worker thread: starts it on worker-entry and exchanges requests with it
 * through the handoff (handoff.ts), one at a time: steps through the shared step buffers, other calls as
 * messages. A worker thread that dies (uncaught error, process.exit, out of memory) fails its pending and all
 * later requests with ENV_ERROR and reports it once through `onCrash`. So does one that does not answer within its
 * deadline (an env stuck in a loop, a step of unforeseen cost): it is terminated, which stops JavaScript and
 * WebAssembly alike, so that its session fails instead of hanging and shutdown can complete.
 *
 * The worker runs compiled JavaScript from dist/ when this module is compiled. When it is loaded from the
 * TypeScript sources (tsx, vitest), a built-in env's worker runs a bundle of the sources (source-bundle.ts); a
 * plug-in's starts from a small bootstrap that registers tsx's ESM loader in the worker and then imports
 * worker-entry.ts, with the `source` export condition so @vinegym/* resolve to sources as well. (Node 20 does not
 * apply a parent's `--import tsx` hooks to a worker's own entry module.)
 */
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { Worker, type WorkerOptions } from 'node:worker_threads';
import { VinegymError } from '@vinegym/protocol';
import type { SpaceValue, StepResult } from '@vinegym/protocol';
import { copyRows } from './batch-slices.js';
import { MainHandoff, REQUEST_KINDS, type RequestKind, type WorkerHandoffEnd } from './handoff.js';
import { InfoColumnReader, type InfoColumnExtras } from './info-columns.js';
import { StepBuffers } from './step-buffers.js';
import { compiledMujocoModule } from '../envs/mujoco/runtime.js';
import {
  fromWireFailure,
  type SliceWorkerData,
  type SliceAnswer,
  type SliceCall,
  type SliceInit,
  type SliceResults,
  type SliceSpec,
} from './worker-messages.js';

/** How long a worker may take to answer, in ms; 0: no deadline. */
export interface SliceDeadlines {
  /** init: starting the thread, loading the env code and building the envs. */
  initMs: number;
  /** Every later call (step, reset, snapshot, restore, render). */
  callMs: number;
}

export class SliceWorker {
  private readonly worker: Worker;
  private readonly handoff = new MainHandoff();
  /** The step buffers and the info reader, once init has answered. */
  private stepping: { buffers: StepBuffers; infos: InfoColumnReader } | null = null;
  /** Whether a request is out (one at a time). */
  private busy = false;
  /** Why the thread is gone; null while it runs. */
  private deadReason: string | null = null;
  /** performance.now() by which the request out must be answered (Infinity: none out, or no deadline). */
  private dueAt = Infinity;
  private dueMs = 0;
  /**
   * Checks the deadline of the request out, so that a step pays one clock read rather than a timer of its own; a
   * late thread is stopped within a quarter of its deadline (at most 1 s) after it.
   */
  private readonly watchdog: NodeJS.Timeout | undefined;

  /**
   * `label` names the worker in crash messages; `onCrash` is called once if the thread dies unasked. `script`: the
   * thread's code when running from the sources (see source-bundle.ts); null: worker-entry itself, through tsx's
   * loader when running from the sources.
   */
  constructor(
    private readonly label: string,
    private readonly onCrash: (error: VinegymError) => void = () => undefined,
    private readonly deadlines: SliceDeadlines = { initMs: 0, callMs: 0 },
    script: URL | null = null,
  ) {
    this.worker = startWorker(label, this.handoff.workerEnd, script);
    // An idle worker must not keep the process alive; it is ref'd while a request is out (see exchange()).
    this.worker.unref();
    this.worker.on('error', (error) => this.die(`worker thread crashed: ${error.message}`));
    this.worker.on('exit', (code) => this.die(`worker thread exited with code ${code}`));
    const shortest = Math.min(...[deadlines.initMs, deadlines.callMs].filter((ms) => ms > 0));
    if (Number.isFinite(shortest)) {
      this.watchdog = setInterval(
        () => {
          if (performance.now() > this.dueAt)
            this.stop(`no answer within ${this.dueMs / 1000} s: the thread was stopped`);
        },
        Math.min(1000, Math.max(10, shortest / 4)),
      );
      this.watchdog.unref();
    }
  }

  /** Builds the slice's envs on the thread and attaches its step buffers. */
  async init(init: SliceInit): Promise<SliceSpec> {
    const { spec, memory } = (await this.exchange(
      REQUEST_KINDS.message,
      { op: 'init', init },
      [],
      this.deadlines.initMs,
    )) as SliceResults['init'];
    const buffers = StepBuffers.attach(memory, {
      observationSpace: spec.singleObservationSpace,
      actionSpace: spec.singleActionSpace,
      count: init.numEnvs,
      sameStep: init.autoresetMode === 'same_step',
    });
    this.stepping = { buffers, infos: new InfoColumnReader(memory.infoValues, buffers.infoIds) };
    return spec;
  }

  /** Sends one call other than init and step; `transfer` lists buffers of the call to move instead of copy. */
  async call<K extends SliceCall['op']>(
    call: Extract<SliceCall, { op: K }>,
    transfer: ArrayBuffer[] = [],
  ): Promise<SliceResults[K]> {
    return (await this.exchange(REQUEST_KINDS.message, call, transfer)) as SliceResults[K];
  }

  /**
   * Steps the slice: its rows [start, start + count) of the session's `actions` go to the thread, and its results
   * come back into the same rows of `into()`. The request is out when this returns (before its promise settles),
   * and `into` is called only once the thread has answered, so the caller can make the result batch meanwhile.
   */
  async step(actions: SpaceValue, start: number, into: () => StepResult): Promise<void> {
    if (this.stepping === null) throw new Error('step before init');
    const { buffers, infos } = this.stepping;
    // The worker touches the buffers only while a request is out, so they may be written once none is.
    this.assertFree();
    copyRows(actions, start, buffers.actions, 0, buffers.shape.count);
    const extras = (await this.exchange(REQUEST_KINDS.step)) as InfoColumnExtras | undefined;
    buffers.load(into(), start, infos, extras ?? null);
  }

  /** Stops the thread; a pending request fails. Idempotent. */
  terminate(): void {
    if (this.deadReason !== null) return;
    clearInterval(this.watchdog);
    this.deadReason = 'worker thread was terminated';
    this.handoff.interrupt();
    void this.worker.terminate();
  }

  /**
   * One request and its answer's result (undefined for a step answered without a message). Past `deadlineMs` the
   * thread is terminated and the request fails.
   */
  private async exchange(
    kind: RequestKind,
    message?: SliceCall,
    transfer: ArrayBuffer[] = [],
    deadlineMs = this.deadlines.callMs,
  ): Promise<unknown> {
    this.assertFree();
    this.busy = true;
    this.worker.ref();
    if (deadlineMs > 0) {
      this.dueAt = performance.now() + deadlineMs;
      this.dueMs = deadlineMs;
    }
    try {
      this.handoff.request(kind, message, transfer);
      const answer = await this.handoff.answer().catch((error: unknown) => {
        // The two threads no longer agree on which request is out: nothing later on this thread can be trusted.
        this.stop(error instanceof Error ? error.message : String(error));
        return null;
      });
      if (answer === null) throw this.crashError(this.deadReason ?? 'worker thread is gone');
      const reply = answer.message as SliceAnswer | undefined;
      if (reply === undefined) return undefined;
      if (!reply.ok) throw fromWireFailure(reply.error);
      return reply.result;
    } finally {
      this.dueAt = Infinity;
      this.busy = false;
      this.worker.unref();
    }
  }

  /** Fails the request out and every later one with `reason`, and terminates the thread. */
  private stop(reason: string): void {
    this.die(reason);
    void this.worker.terminate();
  }

  /** Throws unless a request can be sent now: the thread runs and no request is out. */
  private assertFree(): void {
    if (this.deadReason !== null) throw this.crashError(this.deadReason);
    if (this.busy) throw new Error(`${this.label}: a request is already out`);
  }

  private die(reason: string): void {
    if (this.deadReason !== null) return;
    clearInterval(this.watchdog);
    this.deadReason = reason;
    this.handoff.interrupt();
    this.onCrash(this.crashError(reason));
  }

  private crashError(reason: string): VinegymError {
    return new VinegymError('ENV_ERROR', `${this.label}: ${reason}`);
  }
}

/**
 * Whether this module runs from the TypeScript sources (tsx, vitest): worker threads then run a bundle of the sources
 * (built-in envs) or need tsx's loader (plug-ins).
 */
export const RUNNING_FROM_SOURCES = import.meta.url.endsWith('.ts');

function startWorker(name: string, handoff: WorkerHandoffEnd, script: URL | null): Worker {
  const workerData: SliceWorkerData = { handoff, mujocoModule: compiledMujocoModule() };
  const options = { name, workerData, transferList: [handoff.port] };
  if (script !== null) return new Worker(script, options);
  return startModuleThread(new URL(`./worker-entry.${RUNNING_FROM_SOURCES ? 'ts' : 'js'}`, import.meta.url), options);
}

/**
 * A thread running the module `entry`: a .ts module through tsx's loader (with the `source` export condition, so
 * @vinegym/* resolve to sources as well), anything else as it is.
 */
export function startModuleThread(entry: URL, options: WorkerOptions): Worker {
  if (!entry.pathname.endsWith('.ts')) return new Worker(entry, options);
  // tsx's package root resolves to dist/loader.mjs; its ESM API sits next to it.
  const tsxApi = new URL('./esm/api/index.mjs', pathToFileURL(createRequire(import.meta.url).resolve('tsx'))).href;
  const bootstrap = `import(${JSON.stringify(tsxApi)}).then(({ register }) => { register(); return import(${JSON.stringify(entry.href)}); })`;
  return new Worker(bootstrap, { ...options, eval: true, execArgv: ['--conditions=source'] });
}
