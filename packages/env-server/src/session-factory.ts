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

/** Where a session will run: `threads` worker threads (0: in-process) and how they get the definition. */
export interface SessionPlan {
  threads: number;
  origin: EnvOrigin | null;
}

/**
 * min(workers, numEnvs) threads when `workers` > 0 and the env qualifies (see the module comment), else in-process.
 */
export function planSession(request: SessionRequest, registry: EnvRegistry, workers: number): SessionPlan {
  const origin = request.definition.parallel === true && workers > 0 ? envOrigin(registry, request.definition) : null;
  return origin === null ? { threads: 0, origin: null } : { threads: Math.min(workers, request.numEnvs), origin };
}

/**
 * A session for `request` as `plan` says: a ParallelSession (whose worker calls fail with ENV_ERROR after
 * `callTimeoutMs`), else an in-process VectorSession, returned synchronously.
 */
export function createSession(
  request: SessionRequest,
  plan: SessionPlan,
  callTimeoutMs: number,
): MaybePromise<EnvSession> {
  if (plan.origin === null || plan.threads === 0) return new VectorSession(request);
  return ParallelSession.create({ ...request, origin: plan.origin, workers: plan.threads, callTimeoutMs });
}

/** How a worker thread can get `definition`, or null if it cannot (e.g. a definition registered directly). */
export function envOrigin(registry: EnvRegistry, definition: EnvDefinition): EnvOrigin | null {
  if (BUILTIN_ENVS.includes(definition)) return { kind: 'builtin' };
  const module = registry.pluginModuleOf(definition.id);
  return module === undefined ? null : { kind: 'plugin', module };
}

/** Checks a `workers` option: a non-negative integer (0 = in-process). */
export function checkWorkers(workers: number): number {
  if (!Number.isSafeInteger(workers) || workers < 0)
    throw new RangeError(`workers must be a non-negative integer, got ${workers}`);
  return workers;
}
