/**
 * What a slice worker thread runs once worker-entry has set it up (see slice-worker.ts): builds the env
 * definition from its origin, runs one VectorSession over the slice and answers the main thread's requests
 * through the handoff, one at a time. Steps read their actions from and write their results to the shared step buffers; other calls' results
 * are messages, their batch buffers transferred. Errors go back as messages; only a dying thread is a crash.
 *
 * Between requests the thread blocks in Atomics.wait: it has nothing else to do, and a blocked thread wakes
 * faster than an event loop.
 */
import { workerData } from 'node:worker_threads';
import type { EnvDefinition } from '../env.js';
import { loadPlugin } from '../plugin.js';
import { createDefaultRegistry } from '../registry.js';
import { VectorSession } from '../session.js';
import { batchBuffers } from './batch-slices.js';
import { REQUEST_KINDS, WorkerHandoff } from './handoff.js';
import { InfoColumnWriter } from './info-columns.js';
import { StepBuffers } from './step-buffers.js';
import {
  toWireFailure,
  type EnvOrigin,
  type SliceWorkerData,
  type SliceAnswer,
  type SliceCall,
  type SliceInit,
  type SliceResults,
} from './worker-messages.js';

/** The slice once init has built it. */
interface Slice {
  session: VectorSession;
  buffers: StepBuffers;
  infos: InfoColumnWriter;
}

const handoff = new WorkerHandoff((workerData as SliceWorkerData).handoff);
let slice: Slice | null = null;

async function serve(): Promise<never> {
  for (;;) {
    const { kind, message } = handoff.next();
    try {
      if (kind === REQUEST_KINDS.step) {
        const extras = step();
        handoff.answer(extras === null ? undefined : ({ ok: true, result: extras } satisfies SliceAnswer));
      } else {
        const { result, transfer } = await answer(message as SliceCall);
        handoff.answer({ ok: true, result } satisfies SliceAnswer, transfer);
      }
    } catch (error) {
      handoff.answer({ ok: false, error: toWireFailure(error) } satisfies SliceAnswer);
    }
  }
}

/** One batch step from and into the step buffers; returns the extras the buffers cannot carry, if any. */
function step(): ReturnType<StepBuffers['store']> {
  const { session, buffers, infos } = initialized();
  // The envs write their observations straight into the shared memory.
  return buffers.store(session.step(buffers.actions, false, buffers.observations), infos);
}

async function answer(call: SliceCall): Promise<{ result: unknown; transfer: ArrayBuffer[] }> {
  if (call.op === 'init') return { result: await init(call.init), transfer: [] };
  const { session } = initialized();
  switch (call.op) {
    case 'reset': {
      const result = session.reset(call.request);
      return { result, transfer: batchBuffers(result.observations) };
    }
    case 'snapshot': {
      const result = session.snapshot(call.envIndices);
      return { result, transfer: result.map((bytes) => bytes.buffer as ArrayBuffer) };
    }
    case 'restore':
      session.restore(call.envIndex, call.snapshot);
      return { result: null, transfer: [] };
    case 'render':
      return { result: session.render(call.envIndex, call.mode), transfer: [] };
  }
}

async function init(options: SliceInit): Promise<SliceResults['init']> {
  const definition = await definitionFor(options.envId, options.origin);
  const session = new VectorSession({
    definition,
    kwargs: options.kwargs,
    numEnvs: options.numEnvs,
    autoresetMode: options.autoresetMode,
    strictActions: options.strictActions,
    seed: options.seed,
    indexOffset: options.indexOffset,
  });
  const buffers = StepBuffers.allocate({
    observationSpace: session.singleObservationSpace,
    actionSpace: session.singleActionSpace,
    count: options.numEnvs,
    sameStep: options.autoresetMode === 'same_step',
  });
  slice = {
    session,
    buffers,
    infos: new InfoColumnWriter(buffers.infoSlots, buffers.memory.infoValues, buffers.infoIds),
  };
  const spec = {
    singleObservationSpace: session.singleObservationSpace,
    singleActionSpace: session.singleActionSpace,
    maxEpisodeSteps: session.maxEpisodeSteps,
    snapshotSupported: session.snapshotSupported,
    renderSupported: session.renderSupported,
    renderModes: [...session.renderModes],
  };
  return { spec, memory: buffers.memory };
}

function initialized(): Slice {
  if (slice === null) throw new Error('slice worker got a call before init');
  return slice;
}

async function definitionFor(envId: string, origin: EnvOrigin): Promise<EnvDefinition> {
  const registry = createDefaultRegistry();
  if (origin.kind === 'plugin') await loadPlugin(registry, origin.module);
  const definition = registry.get(envId);
  await definition.load?.();
  return definition;
}

void serve();
