/**
 * What the EnvService needs of a session, implemented in-process by VectorSession (synchronous) and on worker
 * threads by ParallelSession (asynchronous). Methods may return a value or a promise of it, so the in-process
 * path keeps its plain function calls.
 */
import type {
  AutoresetMode,
  RenderMode,
  RenderResult,
  ResetResult,
  Space,
  SpaceValue,
  StepResult,
} from '@vinegym/protocol';
import type { SessionResetOptions } from './session-checks.js';

export type MaybePromise<T> = T | Promise<T>;

export interface EnvSession {
  readonly envId: string;
  readonly numEnvs: number;
  readonly autoresetMode: AutoresetMode;
  /** Box actions outside the bounds are rejected (else they reach the env, as in Gymnasium). */
  readonly strictActions: boolean;
  readonly maxEpisodeSteps: number | null;
  readonly singleObservationSpace: Space;
  readonly singleActionSpace: Space;
  readonly observationSpace: Space;
  readonly actionSpace: Space;
  readonly snapshotSupported: boolean;
  /** Whether render mode `rgb_array` works (the make result's render_supported). */
  readonly renderSupported: boolean;
  readonly renderModes: readonly RenderMode[];
  /** An env failed (ENV_ERROR) or the session was closed: every further call fails. */
  readonly broken: boolean;
  reset(request?: SessionResetOptions): MaybePromise<ResetResult>;
  /**
   * `transient`: the caller is done with the result (encodes or copies it) before it asks this session for anything
   * else, so the session may hand out the same observation buffers every step instead of a fresh batch.
   */
  step(actions: SpaceValue, transient?: boolean): MaybePromise<StepResult>;
  snapshot(envIndices: number[]): MaybePromise<Uint8Array[]>;
  restore(envIndex: number, snapshot: Uint8Array): MaybePromise<void>;
  /** The env's frame (rgb_array, the default), scene and poses (scene) or poses (poses). */
  render(envIndex: number, mode?: RenderMode): MaybePromise<RenderResult>;
  /** Frees the envs (and any worker threads). The session must not be used afterwards. */
  close(): void;
}

/** `f(value)`, or a promise of it when `value` is a promise: keeps synchronous results synchronous. */
export function thenMaybe<T, U>(value: MaybePromise<T>, f: (value: T) => U): MaybePromise<U> {
  return value instanceof Promise ? value.then(f) : f(value);
}
