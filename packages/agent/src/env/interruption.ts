/**
 * Interruptions: a vector env whose server went away throws EnvInterruptedError from any call. Samplers catch it,
 * let the env reconnect (`recover`), reset the envs and collect the batch again, so that no batch mixes steps from
 * before and after an interruption. Envs that cannot be interrupted (embedded) never throw it.
 */
import type { VectorEnv } from './vector-env.js';

/** The env's server connection was lost (closed, refused, timed out); the env's state is gone with it. */
export class EnvInterruptedError extends Error {
  constructor(
    message: string,
    /** Where the env lived, e.g. the server URL. */
    readonly location: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'EnvInterruptedError';
  }
}

/** A vector env that can lose its server and get a new session after reconnecting. */
export interface RecoverableVectorEnv extends VectorEnv {
  /** Whether the env currently has a live session (false after an interruption until `recover` succeeds). */
  readonly available: boolean;
  /**
   * Reconnects with backoff and makes a new session with the same spec; envs must be reset afterwards. Resolves
   * true when the env is available again, false after `maxAttempts` failed attempts (default: the env's own).
   */
  recover(maxAttempts?: number): Promise<boolean>;
}

export function isRecoverable(env: VectorEnv): env is RecoverableVectorEnv {
  return typeof (env as Partial<RecoverableVectorEnv>).recover === 'function';
}
