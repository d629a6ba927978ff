/**
 * The algorithms `algo` can name. Adding one: a folder under algos/ with its config section and an
 * AlgorithmDefinition (see algorithm.ts), and one line here (or `registerAlgorithm` for one defined elsewhere).
 */
import type { AlgorithmDefinition } from './algorithm.js';
import { CEM } from './cem/index.js';
import { RWR } from './rwr/index.js';
import { NPG, TRPO } from './trpo/index.js';
import { VPG } from './vpg/index.js';

const algorithms = new Map<string, AlgorithmDefinition<never>>();
let version = 0;

/** Makes `definition` available as `algo: definition.name`, with its config section. */
export function registerAlgorithm<Settings>(definition: AlgorithmDefinition<Settings>): void {
  if (!/^[a-z][a-z0-9-]*$/.test(definition.name))
    throw new Error(`algorithm name ${JSON.stringify(definition.name)}: lowercase letters, digits and -`);
  if (algorithms.has(definition.name)) throw new Error(`algorithm ${definition.name} is already registered`);
  const sharing = [...algorithms.values()].find((other) => other.section === definition.section);
  if (sharing && sharing.schema !== definition.schema)
    throw new Error(`algorithm ${definition.name}: section ${definition.section} belongs to ${sharing.name}`);
  algorithms.set(definition.name, definition as unknown as AlgorithmDefinition<never>);
  version++;
}

const BUILTIN_ALGORITHMS: readonly AlgorithmDefinition<unknown>[] = [TRPO, NPG, VPG, CEM, RWR];
for (const definition of BUILTIN_ALGORITHMS) registerAlgorithm(definition);

/** The definition of `algo`; throws naming the known ones. */
export function algorithmNamed(name: string): AlgorithmDefinition<unknown> {
  const definition = algorithms.get(name);
  if (!definition) throw new RangeError(`unknown algo ${JSON.stringify(name)} (${algorithmNames().join(', ')})`);
  return definition as unknown as AlgorithmDefinition<unknown>;
}

export function algorithmNames(): string[] {
  return [...algorithms.keys()];
}

export function algorithmDefinitions(): AlgorithmDefinition<unknown>[] {
  return [...algorithms.values()] as unknown as AlgorithmDefinition<unknown>[];
}

/** Changes whenever an algorithm is registered (the config schema is rebuilt then). */
export function registryVersion(): number {
  return version;
}
