/**
 * The entry module of a slice worker thread (see slice-worker.ts): builds the env definition from its origin,
 * runs one VectorSession over the slice and answers the main thread's calls in order. Results' batch buffers
 * are transferred, not copied. Errors go back as messages; only a dying thread is a crash.
 */
import { parentPort } from 'node:worker_threads';
import type { StepResult } from '@vinegym/protocol';
import type { EnvDefinition } from '../env.js';
import { loadPlugin } from '../plugin.js';
import { createDefaultRegistry } from '../registry.js';
import { VectorSession } from '../session.js';
import { batchBuffers } from './batch-slices.js';
import { toWireFailure, type EnvOrigin, type SliceInit, type SliceRequest, type SliceResponse, type SliceSpec } from './worker-messages.js';

const port = parentPort;
if (port === null) throw new Error('worker-entry.ts runs as a worker thread only');

let session: VectorSession | null = null;

port.on('message', (request: SliceRequest) => {
  void answer(request).then(
    ({ result, transfer }) => port.postMessage({ id: request.id, ok: true, result } satisfies SliceResponse, transfer),
    (error: unknown) => port.postMessage({ id: request.id, ok: false, error: toWireFailure(error) } satisfies SliceResponse),
  );
});

async function answer(request: SliceRequest): Promise<{ result: unknown; transfer: ArrayBuffer[] }> {
  if (request.op === 'init') return { result: await init(request.init), transfer: [] };
  if (session === null) throw new Error('slice worker got a call before init');
  switch (request.op) {
    case 'reset': {
      const result = session.reset(request.request);
      return { result, transfer: batchBuffers(result.observations) };
    }
    case 'step': {
      const result = session.step(request.actions);
      return { result, transfer: stepBuffers(result) };
    }
    case 'snapshot': {
      const result = session.snapshot(request.envIndices);
      return { result, transfer: result.map((bytes) => bytes.buffer as ArrayBuffer) };
    }
    case 'restore':
      session.restore(request.envIndex, request.snapshot);
      return { result: null, transfer: [] };
    case 'render': {
      const result = session.render(request.envIndex);
      return { result, transfer: [] };
    }
  }
}

async function init(options: SliceInit): Promise<SliceSpec> {
  const definition = await definitionFor(options.envId, options.origin);
  session = new VectorSession({
    definition,
    kwargs: options.kwargs,
    numEnvs: options.numEnvs,
    autoresetMode: options.autoresetMode,
    seed: options.seed,
    indexOffset: options.indexOffset,
  });
  return {
    singleObservationSpace: session.singleObservationSpace,
    singleActionSpace: session.singleActionSpace,
    maxEpisodeSteps: session.maxEpisodeSteps,
    snapshotSupported: session.snapshotSupported,
    renderSupported: session.renderSupported,
  };
}

async function definitionFor(envId: string, origin: EnvOrigin): Promise<EnvDefinition> {
  const registry = createDefaultRegistry();
  if (origin.kind === 'plugin') await loadPlugin(registry, origin.module);
  return registry.get(envId);
}

/** The step result's own fresh arrays (final observations may be the envs' own values, so they are copied). */
function stepBuffers(result: StepResult): ArrayBuffer[] {
  const buffers = batchBuffers(result.observations);
  for (const flags of [result.rewards, result.terminated, result.truncated, result.autoreset]) batchBuffers(flags, buffers);
  return buffers;
}
