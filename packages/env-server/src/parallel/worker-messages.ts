/**
 * The messages between a ParallelSession (main thread) and its slice workers. Each worker runs one
 * VectorSession over a contiguous slice of the session's envs; a request is one VectorSession call on it.
 */
import { VinegymError } from '@vinegym/protocol';
import type { AutoresetMode, ErrorCode, InfoValue, NDArray, ResetResult, Space, SpaceValue, StepResult } from '@vinegym/protocol';
import type { EnvKwargs } from '../env.js';
import type { SessionResetOptions } from '../session-checks.js';

/** Where a worker finds an env definition: the built-in registry, or a plug-in module (a file: URL or package). */
export type EnvOrigin = { kind: 'builtin' } | { kind: 'plugin'; module: string };

export interface SliceInit {
  envId: string;
  origin: EnvOrigin;
  kwargs: EnvKwargs;
  autoresetMode: AutoresetMode;
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
}

export type SliceCall =
  | { op: 'init'; init: SliceInit }
  | { op: 'reset'; request: SessionResetOptions }
  | { op: 'step'; actions: SpaceValue }
  | { op: 'snapshot'; envIndices: number[] }
  | { op: 'restore'; envIndex: number; snapshot: Uint8Array }
  | { op: 'render'; envIndex: number };

/** The result type of each call. */
export interface SliceResults {
  init: SliceSpec;
  reset: ResetResult;
  step: StepResult;
  snapshot: Uint8Array[];
  restore: null;
  render: NDArray<'uint8'>;
}

export type SliceRequest = SliceCall & { id: number };

export interface WireFailure {
  code: ErrorCode | null;
  message: string;
  details?: Record<string, InfoValue>;
}

export type SliceResponse = { id: number; ok: true; result: unknown } | { id: number; ok: false; error: WireFailure };

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
