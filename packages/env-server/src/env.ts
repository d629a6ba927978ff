/**
 * The environment API that env implementations (built-in or plug-in) provide. It is Gymnasium's single-env API:
 * envs never see sockets, sessions, batching, time limits or autoreset: wrappers (wrappers/) add time limits,
 * autoreset and the rest, and the session layer batches.
 */
import type { Info, KwargSpec, NDArray, Scene, ScenePoses, Space, SpaceValue, TypedArray } from '@vinegym/protocol';

export interface ResetOutput {
  observation: SpaceValue;
  info: Info;
}

export interface StepOutput {
  observation: SpaceValue;
  reward: number;
  /** The MDP reached a terminal state (no bootstrapping past it). */
  terminated: boolean;
  /** The episode was cut for a reason outside the MDP. Time limits are applied by the TimeLimit wrapper, not the env. */
  truncated: boolean;
  info: Info;
}

/** What `stepInto` returns: a step's outcome without the observation, which went into the caller's array. */
export type StepOutcome = Omit<StepOutput, 'observation'>;

export interface Env {
  readonly observationSpace: Space;
  readonly actionSpace: Space;
  /**
   * Starts an episode. `seed` (re)creates the env's RNG; `undefined` keeps the RNG it has (Gymnasium semantics).
   */
  reset(seed?: number, options?: Record<string, unknown>): ResetOutput;
  /** Applies one action, already validated against `actionSpace`. */
  step(action: SpaceValue): StepOutput;
  /**
   * Optional fast path of `step` for a Box observation space: the same step, but the observation is written into
   * `out` (the observation's elements, row-major, of its dtype) instead of returned. Sessions use it to fill their
   * batch rows in place (no array per step and no copy); envs with large observations (Atari frames) provide it.
   */
  stepInto?(action: SpaceValue, out: TypedArray): StepOutcome;
  /** Complete state (simulator and RNG) as bytes; present only if the env supports snapshots. */
  getState?(): Uint8Array;
  setState?(state: Uint8Array): void;
  /** An RGB frame, uint8 [height, width, 3]; present only if the env renders. */
  render?(): NDArray<'uint8'>;
  /**
   * The static part of a 3D scene of the env (geoms, meshes, camera); present only with `poses`. The same for every
   * call on one env: clients fetch it once, then only poses (render modes `scene` and `poses`, PROTOCOL.md 7.8).
   */
  scene?(): Scene;
  /** The current pose of every geom of `scene()`, in the same order. */
  poses?(): ScenePoses;
  /** Frees native resources. Called once; the env is not used afterwards. */
  close?(): void;
}

export type EnvKwargs = Record<string, number | boolean | string | null>;

/**
 * What the server lends a definition's `prepare` at make: access it controls on behalf of the operator. Both
 * answer INVALID_KWARGS naming `key` when they refuse.
 */
export interface EnvHost {
  /** The text of a model file under the directory the operator allows (ServerOptions.modelDir); see model-files.ts. */
  readModelFile(path: string, key: string): Promise<string>;
  /**
   * Compiles MJCF that came from a client in a disposable worker, within the server's compile budgets, and
   * describes the model. `quoteErrors: false` keeps MuJoCo's message (which can quote the document) out of the
   * error, for documents the client did not send itself.
   */
  checkMjcf(xml: string, options: { key: string; quoteErrors: boolean }): Promise<MjcfReport>;
}

/** What checkMjcf learnt about a model that compiled within the budgets. */
export interface MjcfReport {
  /** Estimated bytes one env of the model holds (its MjData and, conservatively, the model). */
  bytesPerEnv: number;
  /** Milliseconds the compile took in the sandbox. */
  compileMs: number;
}

/** The result of `prepare`: the kwargs the envs are built from and what one env is expected to cost. */
export interface PreparedEnv {
  kwargs: EnvKwargs;
  /** Estimated bytes one env holds, counted against the server's session memory budgets. */
  bytesPerEnv: number;
  /**
   * The env lives in the MuJoCo WebAssembly heap (one per thread, at most 2 GiB): in-process sessions of all
   * connections share the main thread's, so it gets a budget of its own (see service.ts).
   */
  wasmHeap?: boolean;
}

export interface EnvDefinition {
  /** Gymnasium-style id: optional `namespace/`, name, `-v<int>`, e.g. `CartPole-v1`. */
  id: string;
  description: string;
  /** Accepted kwargs with their types and defaults; anything else is rejected with INVALID_KWARGS. */
  kwargs: Record<string, KwargSpec>;
  /** Episodes are truncated after this many steps (null: never). */
  maxEpisodeSteps: number | null;
  /** Builds one env from its own kwargs (those of `kwargs` above), already validated and completed with defaults. */
  create(kwargs: EnvKwargs): Env;
  /**
   * Wraps a created env in wrappers of its own that its kwargs ask for (the ALE envs: AtariPreprocessing); they go
   * innermost, before the common wrappers (wrappers/compose.ts). Gets every make kwarg, the common ones included.
   * Throws INVALID_KWARGS for kwargs that do not go together. Default: no wrappers of its own.
   */
  wrap?(env: Env, kwargs: EnvKwargs): Env;
  /**
   * Where the common `frame_stack` kwarg stacks observations: 'first' (Gymnasium's FrameStackObservation, a new
   * leading axis; the default) or 'last' (images stay channels-last: [h, w, c] -> [h, w, k·c]; the ALE envs).
   */
  frameStackAxis?: 'first' | 'last';
  /**
   * Loads what `create` needs, once per process (the MuJoCo envs: the WebAssembly module). Returns nothing when
   * `create` can run now, else a promise that resolves when it can; the service awaits it before a make, so
   * nothing is loaded until an env that needs it is made. Default: nothing to load.
   */
  load?(): Promise<void> | undefined;
  /**
   * Whether a step costs enough for sessions to gain from stepping their envs on worker threads (see
   * `workers` in EnvServiceOptions). Default false: cheap envs like CartPole stay in-process, where a step is a
   * function call rather than a message round trip. The MuJoCo and Atari envs set it.
   */
  parallel?: boolean;
  /**
   * Runs on the server's main thread at make, after kwargs validation and before any env is built: may check or
   * complete the kwargs, asynchronously, with what `host` lends (read an allowed file, compile untrusted input in a
   * sandbox), and estimates an env's memory. Errors are answered as they are thrown (VinegymErrors keep their
   * code). Without it, the kwargs are used as validated and an env is estimated at DEFAULT_BYTES_PER_ENV.
   */
  prepare?(kwargs: EnvKwargs, host: EnvHost): PreparedEnv | Promise<PreparedEnv>;
}

/** Memory estimate of one env of a definition without `prepare` (CartPole needs far less). */
export const DEFAULT_BYTES_PER_ENV = 64 * 1024;
