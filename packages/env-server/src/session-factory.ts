/**
 * Where a new session's envs run: in-process (VectorSession) or on worker threads (ParallelSession). Workers
 * are used when they are enabled, the env definition says it gains from them (`parallel`), and a worker thread
 * can build the same definition (a built-in env, or one from a plug-in module loaded with loadPlugin).
 */
import { availableParallelism } from 'node:os';
import type { AutoresetMode } from '@vinegym/protocol';
import type { EnvDefinition, EnvKwargs } from './env.js';
import type { EnvSession, MaybePromise } from './env-session.js';
import { ParallelSession } from './parallel/parallel-session.js';
import type { EnvOrigin } from './parallel/worker-messages.js';
import { BUILTIN_ENVS, type EnvRegistry } from './registry.js';
import { VectorSession } from './session.js';

/** Default worker threads per session: one per core. */
export const DEFAULT_WORKERS = availableParallelism();

export interface SessionRequest {
  definition: EnvDefinition;
  kwargs: EnvKwargs;
  numEnvs: number;
  autoresetMode?: AutoresetMode;
  seed?: number | null;
  strictActions?: boolean;
}

/**
 * A session for `request`: a ParallelSession over min(workers, numEnvs) threads when `workers` > 0 and the env
 * qualifies, else an in-process VectorSession (returned synchronously).
 */
export function createSession(request: SessionRequest, registry: EnvRegistry, workers: number): MaybePromise<EnvSession> {
  const origin = request.definition.parallel === true && workers > 0 ? envOrigin(registry, request.definition) : null;
  if (origin === null) return new VectorSession(request);
  return ParallelSession.create({ ...request, origin, workers });
}

/** How a worker thread can get `definition`, or null if it cannot (e.g. a definition registered directly). */
export function envOrigin(registry: EnvRegistry, definition: EnvDefinition): EnvOrigin | null {
  if (BUILTIN_ENVS.includes(definition)) return { kind: 'builtin' };
  const module = registry.pluginModuleOf(definition.id);
  return module === undefined ? null : { kind: 'plugin', module };
}

/** Checks a `workers` option: a non-negative integer (0 = in-process). */
export function checkWorkers(workers: number): number {
  if (!Number.isSafeInteger(workers) || workers < 0) throw new RangeError(`workers must be a non-negative integer, got ${workers}`);
  return workers;
}
