/**
 * Everything that defines a training run, as one schema: run settings, the shared sections (sections.ts) and one
 * section per registered algorithm (algos/<name>/config.ts). It is the single source of the TrainConfig type, of
 * validation with messages that name the key, of the JSON Schema for `--config` files (json-schema.ts) and of the
 * CLI flags and help (flags.ts). A run directory stores the resolved config, so `--resume` continues with exactly
 * the same settings; configs written before the redesign load through the renamed keys of keys.ts.
 */
import * as v from 'valibot';
import { algorithmDefinitions, algorithmNames, registryVersion } from '../algos/registry.js';
import { CEM_SECTION } from '../algos/cem/config.js';
import { RWR_SECTION } from '../algos/rwr/config.js';
import { TRPO_SECTION } from '../algos/trpo/config.js';
import { VPG_SECTION } from '../algos/vpg/config.js';
import { choice, field, integerAtLeast, positiveInteger } from './fields.js';
import { flagName } from './flags.js';
import { canonicalKeys, mergeConfigSources } from './keys.js';
import {
  ADVANTAGE_SECTION,
  EVALUATION_SECTION,
  OBSERVATIONS_SECTION,
  POLICY_SECTION,
  VALUE_FUNCTION_SECTION,
  VINE_SECTION,
} from './sections.js';

export type SamplerKind = 'single-path' | 'vine';

const envKwargsSchema = v.record(v.string(), v.union([v.number(), v.boolean(), v.string(), v.null()]));

/** Run settings: which env, where, how many slots (then `algo`), which sampler, how long. */
const ENV_FIELDS = {
  envId: field(v.pipe(v.string(), v.minLength(1)), 'CartPole-v1', 'env id, e.g. CartPole-v1, Hopper-v5, ALE/Pong-v5'),
  envKwargs: field(
    envKwargsSchema,
    () => ({}),
    'env kwargs, e.g. {"frame_skip": 4} (a JSON object on the command line)',
  ),
  numEnvs: field(positiveInteger(), 16, 'env slots per vector env (per server)'),
  servers: field(
    v.array(v.pipe(v.string(), v.minLength(1))),
    () => [],
    'env servers, one vector env each: ws:// URLs, or dns:<name>:<port> for every A/AAAA record of a name (re-resolved every 10 s: servers join and leave); none: the embedded in-process server',
  ),
  pipelineGroups: field(
    positiveInteger(),
    1,
    "latency hiding for remote servers (ws:// and dns:): each server's numEnvs slots are split into this many sessions that step in turn, so that one's step travels while the policy acts for another (servers' steps already overlap this way). 1: one session per server, the updates of earlier versions; more changes the policy's batch sizes and so the rounding of its forward: deterministic, but another run (docs/latency.md)",
  ),
  seed: field(integerAtLeast(0), 0, 'seeds env resets, policy initialization and action noise'),
};
const RUN_FIELDS = {
  sampler: field(
    choice(['single-path', 'vine'] as const),
    'single-path',
    "the paper's sampling procedure (§4.1 single path, §4.2 vine) for trpo, npg and vpg; cem and rwr sample whole episodes",
  ),
  label: v.optional(v.pipe(v.string(), v.description("name of the run's curve in plots (default: algo and sampler)"))),
  iterations: field(v.nullable(positiveInteger()), null, 'stop after this many iterations ...'),
  totalSteps: field(
    v.nullable(positiveInteger()),
    100_000,
    '... or after this many env steps, whichever comes first (at least one must be set)',
  ),
  stepsPerIteration: field(
    positiveInteger(),
    4000,
    'single path: env steps per iteration (rounded up to a multiple of the env slots)',
  ),
  checkpointEvery: field(positiveInteger(), 10, 'save a checkpoint every this many iterations (and at the end)'),
};

const SHARED_SECTIONS = {
  policy: POLICY_SECTION,
  observations: OBSERVATIONS_SECTION,
  advantage: ADVANTAGE_SECTION,
  valueFunction: VALUE_FUNCTION_SECTION,
  vine: VINE_SECTION,
  evaluation: EVALUATION_SECTION,
};

/** The built-in algorithms' sections, spelled out so that TrainConfig types them; plug-in sections are checked at run time. */
const optionalSection = <S extends v.GenericSchema>(schema: S) =>
  v.optional(schema, {} as never) as v.OptionalSchema<S, never>;
const BUILTIN_ALGORITHM_SECTIONS = {
  trpo: optionalSection(TRPO_SECTION),
  vpg: optionalSection(VPG_SECTION),
  cem: optionalSection(CEM_SECTION),
  rwr: optionalSection(RWR_SECTION),
};

// Only its type is used: the schema that validates is built from the algorithm registry in trainConfigSchema().
// eslint-disable-next-line @typescript-eslint/no-unused-vars
const typedSchema = v.object({
  ...ENV_FIELDS,
  algo: field(v.string(), 'trpo', ''),
  ...RUN_FIELDS,
  ...SHARED_SECTIONS,
  ...BUILTIN_ALGORITHM_SECTIONS,
});

/** A resolved config: every field set, checked, with the sections of all registered algorithms. */
export type TrainConfig = v.InferOutput<typeof typedSchema>;

type DeepPartial<T> = {
  [K in keyof T]?: T[K] extends readonly unknown[] ? T[K] : T[K] extends object ? Partial<T[K]> : T[K];
};
/** What a caller may set: any subset, sections merged key by key into the defaults. */
export type TrainConfigOverrides = DeepPartial<TrainConfig>;

const ALGO_DESCRIPTION = () =>
  `the algorithm: ${algorithmDefinitions()
    .map((d) => `${d.name} (${d.summary})`)
    .join('; ')}`;

let cached: { version: number; schema: v.GenericSchema<unknown, TrainConfig> } | null = null;

/** The schema of a whole config, with the sections and names of the algorithms registered now. */
export function trainConfigSchema(): v.GenericSchema<unknown, TrainConfig> {
  if (cached?.version === registryVersion()) return cached.schema;
  const sections: Record<string, v.GenericSchema> = {};
  for (const definition of algorithmDefinitions()) {
    const users = algorithmDefinitions()
      .filter((d) => d.section === definition.section)
      .map((d) => d.name);
    sections[definition.section] = v.optional(
      v.pipe(definition.schema, v.description(`settings of ${users.join(' and ')}`)),
      {} as never,
    );
  }
  const names = algorithmNames();
  const schema = v.pipe(
    v.strictObject({
      ...ENV_FIELDS,
      algo: field(v.picklist(names as [string, ...string[]]), 'trpo', ALGO_DESCRIPTION()),
      ...RUN_FIELDS,
      ...SHARED_SECTIONS,
      ...sections,
    }),
    v.check((config) => config.iterations !== null || config.totalSteps !== null, 'set iterations or totalSteps'),
  ) as unknown as v.GenericSchema<unknown, TrainConfig>;
  cached = { version: registryVersion(), schema };
  return schema;
}

/** A config that failed validation; `issues` name each bad key (dotted path) and what is wrong with it. */
export class ConfigError extends Error {
  constructor(readonly issues: { path: string; message: string }[]) {
    super(
      `invalid config:\n${issues.map((i) => `  ${i.path ? `${i.path} (--${flagName(i.path)})` : '(config)'}: ${i.message}`).join('\n')}`,
    );
    this.name = 'ConfigError';
  }
}

export interface ResolveOptions {
  /** Hears each key given under its pre-redesign name (old config files, old run directories). */
  onRenamed?: (oldKey: string, newKey: string | null) => void;
}

/**
 * The config that `sources` describe, laid over the defaults in order (later sources win; sections merge key by
 * key), with aliases and renamed keys resolved; throws a ConfigError naming every bad key.
 */
export function resolveTrainConfig(
  sources: readonly Readonly<Record<string, unknown>>[],
  options: ResolveOptions = {},
): TrainConfig {
  let merged: Record<string, unknown> = {};
  for (const source of sources) {
    const { $schema: _schema, ...values } = source as Record<string, unknown>;
    merged = mergeConfigSources(merged, canonicalKeys(values, options.onRenamed));
  }
  const result = v.safeParse(trainConfigSchema(), merged);
  if (result.success) return result.output;
  throw new ConfigError(
    result.issues.map((issue) => ({ path: v.getDotPath(issue) ?? '', message: issueMessage(issue) })),
  );
}

/** Defaults completed with `overrides` and checked, so a bad value fails before any env is made. */
export function trainConfig(overrides: TrainConfigOverrides | Readonly<Record<string, unknown>> = {}): TrainConfig {
  return resolveTrainConfig([overrides as Record<string, unknown>]);
}

/** The defaults of every field. */
export function defaultTrainConfig(): TrainConfig {
  return trainConfig();
}

function issueMessage(issue: v.BaseIssue<unknown>): string {
  if (issue.kind === 'schema' && issue.type === 'strict_object' && issue.expected === 'never') {
    return `unknown key (see vinegym train --help for the keys)`;
  }
  const received = issue.received === undefined ? '' : `, got ${issue.received}`;
  switch (issue.type) {
    case 'picklist':
      return `must be one of ${issue.expected
        ?.replace(/^\(|\)$/g, '')
        .replace(/"/g, '')
        .split(' | ')
        .join(', ')}${received}`;
    case 'min_value':
    case 'max_value':
    case 'gt_value':
    case 'lt_value':
      return `must be ${issue.expected}${received}`;
    case 'integer':
      return `must be an integer${received}`;
    case 'check':
      return issue.message;
    default:
      return `expected ${issue.expected ?? issue.type}${received}`;
  }
}
