/**
 * The messages between a ParallelSession (main thread) and its slice workers. Each worker runs one
 * VectorSession over a contiguous slice of the session's envs; a call is one VectorSession call on it. Steps are
 * not messages: they go through the shared step buffers (step-buffers.ts), and only their rare extras (new info
 * layouts, infos that fit none, errors) come back as a message.
 */
import { VinegymError } from '@vinegym/protocol';
import type {
  AutoresetMode,
  ErrorCode,
  InfoValue,
  RenderMode,
  RenderResult,
  ResetResult,
  Space,
} from '@vinegym/protocol';
import type { EnvKwargs } from '../env.js';
import type { SessionResetOptions } from '../session-checks.js';
import type { WorkerHandoffEnd } from './handoff.js';
import type { SharedStepMemory } from './step-buffers.js';

/** A slice worker's workerData. */
export interface SliceWorkerData {
  handoff: WorkerHandoffEnd;
  /** The main thread's compiled mujoco-js module, if it has one. */
  mujocoModule: WebAssembly.Module | null;
}

/** Where a worker finds an env definition: the built-in registry, or a plug-in module (a file: URL or package). */
export type EnvOrigin = { kind: 'builtin' } | { kind: 'plugin'; module: string };

export interface SliceInit {
  envId: string;
  origin: EnvOrigin;
  kwargs: EnvKwargs;
  autoresetMode: AutoresetMode;
  strictActions: boolean;
  /** Envs in this slice. */
  numEnvs: number;
  /** Seed of the slice's env 0 (the session's seed + indexOffset), or null. */
  seed: number | null;
  /** Session index of the slice's env 0. */
  indexOffset: number;
}

/** What the main thread needs to know about the slice's envs after make. */
export interface SliceSpec {
  singleObservationSpace: Space;
  singleActionSpace: Space;
  maxEpisodeSteps: number | null;
  snapshotSupported: boolean;
  renderSupported: boolean;
  renderModes: RenderMode[];
}

export type SliceCall =
  | { op: 'init'; init: SliceInit }
  | { op: 'reset'; request: SessionResetOptions }
  | { op: 'snapshot'; envIndices: number[] }
  | { op: 'restore'; envIndex: number; snapshot: Uint8Array }
  | { op: 'render'; envIndex: number; mode: RenderMode };

/** The result type of each call. */
export interface SliceResults {
  /** The spec and the step buffers' memory, allocated by the worker for its envs' spaces. */
  init: { spec: SliceSpec; memory: SharedStepMemory };
  reset: ResetResult;
  snapshot: Uint8Array[];
  restore: null;
  render: RenderResult;
}

export interface WireFailure {
  code: ErrorCode | null;
  message: string;
  details?: Record<string, InfoValue>;
}

/** A worker's answer message: a call's result, a step's extras, or the failure of either. */
export type SliceAnswer = { ok: true; result: unknown } | { ok: false; error: WireFailure };

/** An error as it crosses the thread boundary: VinegymErrors keep code and details. */
export function toWireFailure(error: unknown): WireFailure {
  if (error instanceof VinegymError) {
    return error.details === undefined
      ? { code: error.code, message: error.message }
      : { code: error.code, message: error.message, details: error.details };
  }
  return { code: null, message: error instanceof Error ? error.message : String(error) };
}

/** The worker's error back as a VinegymError; anything that was not one becomes ENV_ERROR. */
export function fromWireFailure(failure: WireFailure): VinegymError {
  return new VinegymError(failure.code ?? 'ENV_ERROR', failure.message, failure.details);
}
