/**
 * Request checks and per-env state rules of a vector session, shared by the in-process VectorSession and the
 * worker-backed ParallelSession so both accept, reject and word their errors identically.
 */
import { VinegymError, checkBatchProblem } from '@vinegym/protocol';
import type { AutoresetMode, InfoValue, RenderMode, RenderResult, Space, SpaceValue } from '@vinegym/protocol';
import type { Env } from './env.js';
import type { EnvStatus } from './snapshot.js';
import { canDescribeScene, canRender } from './wrappers/wrapper.js';

export const AUTORESET_MODES: readonly AutoresetMode[] = ['next_step', 'same_step', 'disabled'];

export interface SessionResetOptions {
  seed?: number | null;
  seeds?: (number | null)[];
  options?: Record<string, InfoValue>;
  env_indices?: number[];
}

/** The make-time arguments every session checks: num_envs, autoreset_mode and seed. */
export function checkSessionArguments(numEnvs: number, autoresetMode: AutoresetMode, seed: number | null): void {
  if (!Number.isSafeInteger(numEnvs) || numEnvs < 1) {
    throw new VinegymError('BAD_REQUEST', `num_envs must be a positive integer, got ${String(numEnvs)}`);
  }
  if (!AUTORESET_MODES.includes(autoresetMode)) {
    throw new VinegymError('BAD_REQUEST', `autoreset_mode must be one of ${AUTORESET_MODES.join(', ')}`);
  }
  if (seed !== null) checkSeed(seed, numEnvs - 1, 'seed');
}

/** A seed must be a non-negative integer below 2^53, and so must seed + maxOffset (the seed of the last env it seeds). */
export function checkSeed(seed: unknown, maxOffset: number, name: string): void {
  if (!Number.isSafeInteger(seed) || (seed as number) < 0) {
    throw new VinegymError('BAD_REQUEST', `${name} must be a non-negative integer below 2^53, got ${String(seed)}`);
  }
  if (!Number.isSafeInteger((seed as number) + maxOffset)) {
    throw new VinegymError(
      'BAD_REQUEST',
      `${name} ${String(seed)} seeds env ${maxOffset} with ${name} + ${maxOffset}, which must be below 2^53 (9007199254740992): use a ${name} of at most ${Number.MAX_SAFE_INTEGER - maxOffset}`,
    );
  }
}

export function checkIndex(index: unknown, numEnvs: number): void {
  if (!Number.isInteger(index) || (index as number) < 0 || (index as number) >= numEnvs) {
    throw new VinegymError('BAD_REQUEST', `env index ${String(index)} is out of range [0, ${numEnvs})`);
  }
}

/**
 * Indices must be in range, and a list holds at most num_envs of them (PROTOCOL.md 7.4, 7.6): with
 * `strictlyIncreasing` also sorted without repeats (reset's rule), otherwise in any order (snapshot's rule).
 */
export function checkIndexList(
  indices: unknown,
  numEnvs: number,
  strictlyIncreasing = true,
): asserts indices is number[] {
  if (!Array.isArray(indices)) throw new VinegymError('BAD_REQUEST', 'env_indices must be an array');
  if (indices.length > numEnvs) {
    throw new VinegymError(
      'BAD_REQUEST',
      `env_indices has ${indices.length} entries; a session of ${numEnvs} envs takes at most ${numEnvs}`,
    );
  }
  for (let k = 0; k < indices.length; k++) {
    checkIndex(indices[k], numEnvs);
    if (strictlyIncreasing && k > 0 && indices[k] <= indices[k - 1]) {
      throw new VinegymError('BAD_REQUEST', 'env_indices must be increasing without repeats');
    }
  }
}

/**
 * INVALID_ACTION unless `actions` is a batch of `n` values of `space`; details.env_index when one env is to blame.
 * `strictActions` false lets Box elements lie outside the bounds (finite ones only; PROTOCOL.md 8.6).
 */
export function checkActions(
  space: Space,
  actions: SpaceValue,
  n: number,
  indexOffset = 0,
  strictActions = true,
): void {
  const problem = checkBatchProblem(space, actions, n, 'actions', { boxBounds: strictActions });
  if (problem === null) return;
  const details = problem.envIndex === undefined ? undefined : { env_index: problem.envIndex + indexOffset };
  throw new VinegymError('INVALID_ACTION', problem.reason, details);
}

/** The render modes an env's methods (through its wrappers) support: `rgb_array` with `render`, `scene` and `poses` with `scene` + `poses`. */
export function renderModesOf(env: Env): RenderMode[] {
  const modes: RenderMode[] = [];
  if (canRender(env)) modes.push('rgb_array');
  if (canDescribeScene(env)) modes.push('scene', 'poses');
  return modes;
}

/** NOT_SUPPORTED unless `mode` is one of `modes`. */
export function checkRenderMode(envId: string, modes: readonly RenderMode[], mode: RenderMode): void {
  if (modes.includes(mode)) return;
  const what = mode === 'rgb_array' ? 'does not render frames' : `has no 3D scene (render mode ${mode})`;
  const has = modes.length === 0 ? 'it does not render' : `its render modes: ${modes.join(', ')}`;
  throw new VinegymError('NOT_SUPPORTED', `env ${envId} ${what}; ${has}`);
}

/** One env's answer to `render` in `mode` (already checked against the env's modes). */
export function renderEnv(env: Env, mode: RenderMode): RenderResult {
  if (mode === 'rgb_array') return { frame: env.render!() };
  if (mode === 'poses') return { poses: env.poses!() };
  return { scene: env.scene!(), poses: env.poses!() };
}

/** Rendering shows an env's state, which it has only after its first reset (Gymnasium's ResetNeeded). */
export function checkRenderable(status: EnvStatus, envIndex: number): void {
  if (status === 'needs_reset') {
    throw new VinegymError('BAD_REQUEST', `env ${envIndex} has not been reset; call reset before render`, {
      env_index: envIndex,
    });
  }
}

/** The explicit seed (or null) for each reset env, by Gymnasium's rules. */
export function resetSeeds(request: SessionResetOptions, indices: number[]): (number | null)[] {
  const { seed, seeds } = request;
  if (seed !== undefined && seed !== null && seeds !== undefined) {
    throw new VinegymError('BAD_REQUEST', 'reset takes seed or seeds, not both');
  }
  if (seeds !== undefined) {
    if (!Array.isArray(seeds) || seeds.length !== indices.length) {
      throw new VinegymError('BAD_REQUEST', `seeds must have one entry per reset env (${indices.length})`);
    }
    seeds.forEach((s, k) => s === null || checkSeed(s, 0, `seeds[${k}]`));
    return seeds;
  }
  if (seed === undefined || seed === null) return indices.map(() => null);
  // Each reset env i gets seed + i: the largest index reset decides whether that stays below 2^53.
  checkSeed(seed, indices.length ? Math.max(...indices) : 0, 'seed');
  return indices.map((i) => seed + i);
}

/**
 * Throws unless every env can take a step: all reset, and none ended when autoreset is disabled. `indexOffset`
 * is added to the indices in messages (for a slice of a larger session).
 */
export function checkSteppable(status: readonly EnvStatus[], autoresetMode: AutoresetMode, indexOffset = 0): void {
  for (let i = 0; i < status.length; i++) {
    const env = i + indexOffset;
    if (status[i] === 'needs_reset') {
      throw new VinegymError('BAD_REQUEST', `env ${env} has not been reset; call reset before step`, {
        env_index: env,
      });
    }
    if (status[i] === 'ended' && autoresetMode === 'disabled') {
      throw new VinegymError('BAD_REQUEST', `env ${env} episode has ended; reset it (autoreset_mode is disabled)`, {
        env_index: env,
      });
    }
  }
}

/** An env's status after a step that reported these flags (what VectorSession.step leaves behind). */
export function statusAfterStep(autoresetMode: AutoresetMode, ended: boolean): EnvStatus {
  return ended && autoresetMode !== 'same_step' ? 'ended' : 'running';
}

export function envError(error: unknown, context: string): VinegymError {
  const message = error instanceof Error ? error.message : String(error);
  return new VinegymError('ENV_ERROR', `${context} failed: ${message}`);
}
