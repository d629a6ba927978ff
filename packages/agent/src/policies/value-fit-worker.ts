/**
 * The entry module of the value-fit worker thread (value-fit-thread.ts): answers each request with the state that
 * `fitMlpOnHost` left, its arrays transferred back. Stateless: every request carries the whole state.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { provideValueFitKernels } from '../math/simd-kernels.js';
import { fitMlpOnHost } from './host-value-fit.js';
import type { ValueFitReply, ValueFitRequest } from './value-fit-thread.js';

provideValueFitKernels((workerData as { kernels: WebAssembly.Module | null }).kernels);
const port = parentPort!;
port.on('message', ({ settings, state, obs, targets }: ValueFitRequest) => {
  let reply: ValueFitReply;
  try {
    const started = performance.now();
    fitMlpOnHost(settings, state, obs, targets);
    reply = { ok: true, state, fitMs: performance.now() - started };
  } catch (error) {
    reply = { ok: false, message: error instanceof Error ? (error.stack ?? error.message) : String(error) };
  }
  const transfer = reply.ok ? [reply.state.params, reply.state.adamFirst, reply.state.adamSecond] : [];
  port.postMessage(
    reply,
    transfer.map((array) => array.buffer as ArrayBuffer),
  );
});
