/**
 * The set of env definitions a server offers, looked up by Gymnasium-style id, and kwargs validation.
 */
import { VinegymError, quote, truncateText } from '@vinegym/protocol';
import type { EnvDescription, KwargSpec } from '@vinegym/protocol';
import type { EnvDefinition, EnvKwargs } from './env.js';
import { ATARI_ENVS } from './envs/atari.js';
import { CARTPOLE_V0, CARTPOLE_V1 } from './envs/cartpole.js';
import { MUJOCO_ENVS } from './envs/mujoco/index.js';
import { acceptedKwargs, isWrapperKwarg } from './wrappers/compose.js';

/** Gymnasium's ENV_ID_RE: optional `namespace/`, a name, optional `-v<version>`. */
export const ENV_ID_PATTERN = /^(?:[\w:-]+\/)?(?:[\w:.-]+?)(?:-v\d+)?$/;

export class EnvRegistry {
  private readonly definitions = new Map<string, EnvDefinition>();
  /** Plug-in module (file: URL or package name) of each env that loadPlugin added. */
  private readonly pluginModules = new Map<string, string>();

  /** Adds a definition. Throws on an invalid or already registered id, or an inconsistent kwargs spec. */
  register(definition: EnvDefinition): void {
    if (typeof definition?.id !== 'string' || !ENV_ID_PATTERN.test(definition.id)) {
      throw new Error(`invalid env id ${JSON.stringify(definition?.id)}: expected [namespace/]Name[-vN]`);
    }
    if (this.definitions.has(definition.id)) throw new Error(`env ${definition.id} is already registered`);
    if (typeof definition.create !== 'function') throw new Error(`env ${definition.id}: create must be a function`);
    const steps = definition.maxEpisodeSteps;
    if (steps !== null && !(Number.isInteger(steps) && steps > 0)) {
      throw new Error(`env ${definition.id}: maxEpisodeSteps must be a positive integer or null`);
    }
    for (const [key, spec] of Object.entries(definition.kwargs ?? {})) {
      const problem = spec.default === null ? null : checkKwarg(spec, spec.default);
      if (problem) throw new Error(`env ${definition.id}: default of kwarg '${key}' ${problem}`);
    }
    this.definitions.set(definition.id, definition);
  }

  /** Records that env `id` came from plug-in `module`, so worker threads can load the same definition. */
  setPluginModule(id: string, module: string): void {
    this.pluginModules.set(id, module);
  }

  /** The plug-in module env `id` came from, if loadPlugin registered it. */
  pluginModuleOf(id: string): string | undefined {
    return this.pluginModules.get(id);
  }

  has(id: string): boolean {
    return this.definitions.has(id);
  }

  /** The definition for `id`; UNKNOWN_ENV if there is none. */
  get(id: string): EnvDefinition {
    const definition = this.definitions.get(id);
    if (!definition) {
      throw new VinegymError('UNKNOWN_ENV', `unknown env id ${quote(String(id))}`, {
        env_id: truncateText(String(id)),
      });
    }
    return definition;
  }

  /** Descriptions of all envs, sorted by id. */
  list(): EnvDescription[] {
    return [...this.definitions.values()]
      .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
      .map((d) => ({
        id: d.id,
        description: d.description,
        kwargs: acceptedKwargs(d),
        max_episode_steps: d.maxEpisodeSteps,
      }));
  }
}

/** The built-in envs: CartPole-v0, CartPole-v1, the MuJoCo v5 tasks, mujoco/custom-v0, ALE/<Game>-v5. */
export const BUILTIN_ENVS: readonly EnvDefinition[] = [CARTPOLE_V0, CARTPOLE_V1, ...MUJOCO_ENVS, ...ATARI_ENVS];

/**
 * A registry with the built-in envs. Nothing is loaded yet: the MuJoCo module is loaded at the first make of a
 * MuJoCo env (see EnvDefinition.load).
 */
export function createDefaultRegistry(): EnvRegistry {
  const registry = new EnvRegistry();
  for (const definition of BUILTIN_ENVS) registry.register(definition);
  return registry;
}

/**
 * Checks `kwargs` against the definition's specs and the common wrapper kwargs (wrappers/compose.ts) and returns a
 * new object with the env's own kwargs completed with defaults (omitted and null kwargs alike) and the wrapper
 * kwargs that differ from their defaults, so that kwargs that differ only in spelling out a default compare equal
 * (snapshots rely on it). INVALID_KWARGS (with `details.key`) for unknown keys, wrong types, out-of-range or
 * non-enum values.
 */
export function validateKwargs(definition: EnvDefinition, kwargs: unknown): EnvKwargs {
  const specs = acceptedKwargs(definition);
  if (kwargs !== undefined && kwargs !== null && (typeof kwargs !== 'object' || Array.isArray(kwargs))) {
    throw new VinegymError('INVALID_KWARGS', `kwargs must be a map, got ${describe(kwargs)}`);
  }
  const given = (kwargs ?? {}) as Record<string, unknown>;
  for (const key of Object.keys(given)) {
    if (!Object.hasOwn(specs, key)) {
      const accepted = Object.keys(specs).join(', ') || 'none';
      throw new VinegymError(
        'INVALID_KWARGS',
        `unknown kwarg ${quote(key)} for ${definition.id} (accepted: ${accepted})`,
        {
          key: truncateText(key),
        },
      );
    }
  }
  const result: EnvKwargs = {};
  for (const [key, spec] of Object.entries(specs)) {
    const value = given[key];
    const wrapper = isWrapperKwarg(definition, key);
    // A null kwarg is an omitted one (PROTOCOL.md 7.3): it takes the default.
    if (value === undefined || value === null) {
      if (!wrapper) result[key] = spec.default;
      continue;
    }
    const problem = checkKwarg(spec, value);
    if (problem) throw new VinegymError('INVALID_KWARGS', `kwarg '${key}' for ${definition.id} ${problem}`, { key });
    if (!wrapper || value !== spec.default) result[key] = value as number | boolean | string;
  }
  return result;
}

/** Why `value` does not fit `spec`, or null if it does. */
function checkKwarg(spec: KwargSpec, value: unknown): string | null {
  switch (spec.type) {
    case 'number':
      if (typeof value !== 'number' || Number.isNaN(value)) return `must be a number, got ${describe(value)}`;
      break;
    case 'integer':
      if (!Number.isSafeInteger(value)) return `must be an integer, got ${describe(value)}`;
      break;
    case 'boolean':
      if (typeof value !== 'boolean') return `must be a boolean, got ${describe(value)}`;
      return null;
    case 'string':
      if (typeof value !== 'string') return `must be a string, got ${describe(value)}`;
      break;
    default:
      return `has an unknown type '${String(spec.type)}'`;
  }
  const v = value as number | string;
  if (typeof v === 'number') {
    if (spec.minimum !== undefined && v < spec.minimum) return `must be >= ${spec.minimum}, got ${v}`;
    if (spec.maximum !== undefined && v > spec.maximum) return `must be <= ${spec.maximum}, got ${v}`;
  }
  if (spec.enum && !spec.enum.includes(v))
    return `must be one of ${spec.enum.join(', ')}, got ${typeof v === 'string' ? quote(v) : v}`;
  return null;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return quote(value);
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return typeof value;
}
