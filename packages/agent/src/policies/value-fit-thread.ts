/**
 * A worker thread that runs the value function's host fit (host-value-fit.ts) while the main thread does
 * something else, e.g. the policy step: TRPO's update needs this batch's advantages, which come from the value
 * function before its fit, and the fit needs only this batch's targets, so the two can run at once.
 *
 * The thread keeps no state: each request carries the weights, Adam moments and generator state, and the reply
 * returns them advanced. The arrays are copied into the request (so the caller keeps its own until it applies the
 * reply) and transferred back.
 *
 * Compiled (dist/), the thread starts from value-fit-worker.js. From the TypeScript sources (tsx, vitest) a thread
 * cannot load .ts by itself, so its code is bundled once per process with esbuild (which tsx depends on): the
 * worker imports only our own modules and node: built-ins, so the bundle is self-contained.
 */
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { valueFitKernelsModule } from '../math/simd-kernels.js';
import type { HostFitSettings, HostFitState } from './host-value-fit.js';

export interface ValueFitRequest {
  settings: HostFitSettings;
  state: HostFitState;
  obs: Float32Array;
  targets: Float32Array;
}

export type ValueFitReply = { ok: true; state: HostFitState; fitMs: number } | { ok: false; message: string };

const RUNNING_FROM_SOURCES = import.meta.url.endsWith('.ts');

let bundled: Promise<URL> | null = null;

/** The worker's code as one ES module in a data: URL (sources only), built on first use. */
function workerBundle(): Promise<URL> {
  bundled ??= (async () => {
    const tsx = createRequire(import.meta.url).resolve('tsx');
    const esbuild = (await import(pathToFileURL(createRequire(tsx).resolve('esbuild')).href)) as {
      build(options: object): Promise<{ outputFiles: { text: string }[] }>;
    };
    const result = await esbuild.build({
      entryPoints: [fileURLToPath(new URL('./value-fit-worker.ts', import.meta.url))],
      bundle: true,
      write: false,
      format: 'esm',
      platform: 'node',
      target: 'node20',
      conditions: ['source'],
      logLevel: 'silent',
    });
    return new URL(`data:text/javascript;base64,${Buffer.from(result.outputFiles[0].text).toString('base64')}`);
  })().catch((error: unknown) => {
    bundled = null;
    throw error;
  });
  return bundled;
}

export class ValueFitThread {
  private starting: Promise<Worker> | null = null;
  /** The thread once it has started: requests to it are posted synchronously, before the caller runs on. */
  private worker: Worker | null = null;
  private pending: { resolve(reply: ValueFitReply): void; reject(error: Error): void } | null = null;
  private closed = false;

  /** Starts the thread now (it is otherwise started by the first fit), so that its start overlaps other work. */
  warmUp(): void {
    this.starting ??= this.start();
    this.starting.catch(() => undefined); // reported by the fit that awaits it
  }

  /**
   * Runs one fit on the thread; resolves with the advanced state (the request's arrays are copies, the caller's
   * stay as they are). Once the thread runs, the request is posted before this returns, so the fit runs while the
   * caller goes on synchronously.
   */
  fit(request: ValueFitRequest): Promise<{ state: HostFitState; fitMs: number }> {
    if (this.closed) return Promise.reject(new Error('value-fit thread is closed'));
    if (this.pending) return Promise.reject(new Error('value-fit thread is busy: one fit at a time'));
    const { state } = request;
    const copy: ValueFitRequest = {
      ...request,
      state: {
        ...state,
        params: state.params.slice(),
        adamFirst: state.adamFirst.slice(),
        adamSecond: state.adamSecond.slice(),
      },
    };
    const reply = new Promise<ValueFitReply>((resolve, reject) => {
      this.pending = { resolve, reject };
    });
    const post = (worker: Worker) => {
      worker.ref(); // a fit in flight keeps the process alive; an idle thread does not
      worker.postMessage(copy);
    };
    if (this.worker) post(this.worker);
    else {
      this.warmUp();
      this.starting!.then(post, (error: Error) => this.pending?.reject(error));
    }
    return reply
      .finally(() => {
        this.pending = null;
        this.worker?.unref();
      })
      .then((answer) => {
        if (!answer.ok) throw new Error(`value fit on its worker thread failed: ${answer.message}`);
        return { state: answer.state, fitMs: answer.fitMs };
      });
  }

  /** Stops the thread; a fit in flight fails. */
  async close(): Promise<void> {
    this.closed = true;
    const worker = await this.starting?.catch(() => null);
    this.pending?.reject(new Error('value-fit thread closed during a fit'));
    await worker?.terminate();
  }

  private async start(): Promise<Worker> {
    // The SIMD kernels, compiled once here: the thread cannot always find their file (see provideValueFitKernels).
    const options = { name: 'vinegym value fit', workerData: { kernels: valueFitKernelsModule() } };
    const worker = RUNNING_FROM_SOURCES
      ? new Worker(await workerBundle(), options)
      : new Worker(new URL('./value-fit-worker.js', import.meta.url), options);
    worker.unref();
    worker.on('message', (reply: ValueFitReply) => this.pending?.resolve(reply));
    worker.on('error', (error) => this.pending?.reject(error));
    worker.on('exit', (code) => {
      // A thread that died is started again by the next fit.
      this.worker = null;
      this.starting = null;
      if (!this.closed) this.pending?.reject(new Error(`value-fit thread exited with code ${code}`));
    });
    if (this.closed) await worker.terminate();
    else this.worker = worker;
    return worker;
  }
}
