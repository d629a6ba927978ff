/**
 * Kwarg specs shared by the Gymnasium MuJoCo tasks. Gymnasium's tuple arguments (healthy_z_range, ...) become
 * two scalar kwargs `<name>_min` / `<name>_max`, because vinegym kwargs are scalars.
 */
import { VinegymError } from '@vinegym/protocol';
import type { KwargSpec } from '@vinegym/protocol';
import type { EnvKwargs } from '../../env.js';

/**
 * Bound on the magnitude of every real-valued MuJoCo kwarg (weights, range ends, noise scales): finite, so that no
 * ±inf reaches the physics, and far beyond any useful value.
 */
export const MAX_REAL_KWARG = 1e6;
/**
 * Largest frame_skip: one env step is frame_skip mj_step calls, so an unbounded frame_skip makes one step take
 * unbounded time. A coarser dt than 100 substeps gives is better had by raising the model's timestep.
 */
export const MAX_FRAME_SKIP = 100;

/** Largest body id a kwarg may name (models have far fewer bodies; the env checks the id against the model). */
export const MAX_BODY_ID = 10_000;
/** Largest episode length a kwarg may set (mujoco/custom-v0's max_episode_steps). */
export const MAX_EPISODE_STEPS = 10_000_000;

export function numberKwarg(value: number, description: string): KwargSpec {
  return { type: 'number', default: value, minimum: -MAX_REAL_KWARG, maximum: MAX_REAL_KWARG, description };
}

export function booleanKwarg(value: boolean, description: string): KwargSpec {
  return { type: 'boolean', default: value, description };
}

export function frameSkipKwarg(value: number): KwargSpec {
  return {
    type: 'integer',
    default: value,
    minimum: 1,
    maximum: MAX_FRAME_SKIP,
    description: 'mj_step calls per env step (dt = timestep × frame_skip).',
  };
}

/**
 * `<name>_min` and `<name>_max` for a Gymnasium `<name>_range` tuple. An infinite end has the default null
 * (unbounded), which JSON can carry; clients omit it or send null to keep it unbounded.
 */
export function rangeKwargs(name: string, low: number, high: number, what: string): Record<string, KwargSpec> {
  const end = (value: number, which: string, index: number): KwargSpec => ({
    type: 'number',
    default: Number.isFinite(value) ? value : null,
    minimum: -MAX_REAL_KWARG,
    maximum: MAX_REAL_KWARG,
    description: `${which} end of ${what} (Gymnasium's ${name}_range[${index}])${Number.isFinite(value) ? '' : '; null: unbounded'}.`,
  });
  return { [`${name}_min`]: end(low, 'Lower', 0), [`${name}_max`]: end(high, 'Upper', 1) };
}

/** [min, max] of a range kwarg pair (null ends unbounded); INVALID_KWARGS if min > max. */
export function rangeOf(kwargs: EnvKwargs, name: string): [number, number] {
  const low = (kwargs[`${name}_min`] as number | null) ?? -Infinity;
  const high = (kwargs[`${name}_max`] as number | null) ?? Infinity;
  if (low > high) {
    throw new VinegymError('INVALID_KWARGS', `${name}_min (${low}) must not exceed ${name}_max (${high})`, {
      key: `${name}_min`,
    });
  }
  return [low, high];
}

export const RESET_NOISE_DESCRIPTION = 'Scale of the random perturbation of the initial qpos and qvel.';
export const EXCLUDE_POSITIONS_DESCRIPTION = 'Leave the root x (and y) position out of the observation.';
