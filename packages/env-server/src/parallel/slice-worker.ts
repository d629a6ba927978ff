/**
 * The main thread's handle on one slice worker thread: starts it on worker-entry, sends calls and matches the
 * answers. A worker thread that dies (uncaught error, process.exit, out of memory) fails its pending and all
 * later calls with ENV_ERROR and reports it once through `onCrash`.
 *
 * The worker runs compiled JavaScript from dist/ when this module is compiled. When it is loaded from the
 * TypeScript sources (tsx, vitest), the worker starts from a small bootstrap that registers tsx's ESM loader in
 * the worker and then imports worker-entry.ts, with the `source` export condition so @vinegym/* resolve to
 * sources as well. (Node 20 does not apply a parent's `--import tsx` hooks to a worker's own entry module.)
 */
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { VinegymError } from '@vinegym/protocol';
import { fromWireFailure, type SliceCall, type SliceResponse, type SliceResults } from './worker-messages.js';

interface Pending {
  resolve: (value: unknown) => void;
  reject: (error: VinegymError) => void;
}

export class SliceWorker {
  private readonly worker: Worker;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  /** Why the thread is gone; null while it runs. */
  private deadReason: string | null = null;

  /** `label` names the worker in crash messages; `onCrash` is called once if the thread dies unasked. */
  constructor(
    private readonly label: string,
    private readonly onCrash: (error: VinegymError) => void = () => undefined,
  ) {
    this.worker = startWorker(label);
    // An idle worker must not keep the process alive; it is ref'd while a call is out (see call()).
    this.worker.unref();
    this.worker.on('message', (response: SliceResponse) => this.settle(response));
    this.worker.on('error', (error) => this.die(`worker thread crashed: ${error.message}`));
    this.worker.on('exit', (code) => this.die(`worker thread exited with code ${code}`));
  }

  /** Sends one call; `transfer` lists buffers of the call to move to the worker instead of copying. */
  call<K extends SliceCall['op']>(call: Extract<SliceCall, { op: K }>, transfer: ArrayBuffer[] = []): Promise<SliceResults[K]> {
    if (this.deadReason !== null) return Promise.reject(this.crashError(this.deadReason));
    const id = this.nextId++;
    const result = new Promise<SliceResults[K]>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (value: unknown) => void, reject });
    });
    if (this.pending.size === 1) this.worker.ref();
    this.worker.postMessage({ ...call, id }, transfer);
    return result;
  }

  /** Stops the thread; pending calls fail. Idempotent. */
  terminate(): void {
    if (this.deadReason === null) {
      this.deadReason = 'worker thread was terminated';
      void this.worker.terminate();
    }
    this.failPending(this.deadReason);
  }

  private settle(response: SliceResponse): void {
    const pending = this.pending.get(response.id);
    if (pending === undefined) return;
    this.pending.delete(response.id);
    if (this.pending.size === 0) this.worker.unref();
    if (response.ok) pending.resolve(response.result);
    else pending.reject(fromWireFailure(response.error));
  }

  private die(reason: string): void {
    if (this.deadReason !== null) return;
    this.deadReason = reason;
    this.failPending(reason);
    this.onCrash(this.crashError(reason));
  }

  private failPending(reason: string): void {
    const error = this.crashError(reason);
    for (const pending of this.pending.values()) pending.reject(error);
    this.pending.clear();
  }

  private crashError(reason: string): VinegymError {
    return new VinegymError('ENV_ERROR', `${this.label}: ${reason}`);
  }
}

const RUNNING_FROM_SOURCES = import.meta.url.endsWith('.ts');

function startWorker(name: string): Worker {
  if (!RUNNING_FROM_SOURCES) return new Worker(new URL('./worker-entry.js', import.meta.url), { name });
  const entry = new URL('./worker-entry.ts', import.meta.url).href;
  // tsx's package root resolves to dist/loader.mjs; its ESM API sits next to it.
  const tsxApi = new URL('./esm/api/index.mjs', pathToFileURL(createRequire(import.meta.url).resolve('tsx'))).href;
  const bootstrap = `import(${JSON.stringify(tsxApi)}).then(({ register }) => { register(); return import(${JSON.stringify(entry)}); })`;
  return new Worker(bootstrap, { eval: true, name, execArgv: ['--conditions=source'] });
}
