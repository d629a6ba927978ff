/**
 * Kwarg specs shared by the Gymnasium MuJoCo tasks. Gymnasium's tuple arguments (healthy_z_range, ...) become
 * two scalar kwargs `<name>_min` / `<name>_max`, because vinegym kwargs are scalars.
 */
import { VinegymError } from '@vinegym/protocol';
import type { KwargSpec } from '@vinegym/protocol';
import type { EnvKwargs } from '../../env.js';

export function numberKwarg(value: number, description: string): KwargSpec {
  return { type: 'number', default: value, description };
}

export function booleanKwarg(value: boolean, description: string): KwargSpec {
  return { type: 'boolean', default: value, description };
}

export function frameSkipKwarg(value: number): KwargSpec {
  return { type: 'integer', default: value, minimum: 1, description: 'mj_step calls per env step (dt = timestep × frame_skip).' };
}

/**
 * `<name>_min` and `<name>_max` for a Gymnasium `<name>_range` tuple. An infinite end has the default null
 * (unbounded), which JSON can carry; clients omit it or send null to keep it unbounded.
 */
export function rangeKwargs(name: string, low: number, high: number, what: string): Record<string, KwargSpec> {
  const end = (value: number, which: string, index: number): KwargSpec => ({
    type: 'number',
    default: Number.isFinite(value) ? value : null,
    description: `${which} end of ${what} (Gymnasium's ${name}_range[${index}])${Number.isFinite(value) ? '' : '; null: unbounded'}.`,
  });
  return { [`${name}_min`]: end(low, 'Lower', 0), [`${name}_max`]: end(high, 'Upper', 1) };
}

/** [min, max] of a range kwarg pair (null ends unbounded); INVALID_KWARGS if min > max. */
export function rangeOf(kwargs: EnvKwargs, name: string): [number, number] {
  const low = (kwargs[`${name}_min`] as number | null) ?? -Infinity;
  const high = (kwargs[`${name}_max`] as number | null) ?? Infinity;
  if (low > high) {
    throw new VinegymError('INVALID_KWARGS', `${name}_min (${low}) must not exceed ${name}_max (${high})`, { key: `${name}_min` });
  }
  return [low, high];
}

export const RESET_NOISE_DESCRIPTION = 'Scale of the random perturbation of the initial qpos and qvel.';
export const EXCLUDE_POSITIONS_DESCRIPTION = 'Leave the root x (and y) position out of the observation.';
