/**
 * The one place where other names for config keys map to the keys of the schema (train-config.ts), for config
 * files and command-line flags alike:
 *  - RENAMED_KEYS: keys that moved when the shared settings got their own sections. Config files and run
 *    directories written before still load; each renamed key is reported once, with its new name.
 *  - KEY_ALIASES: permanent second names — the CLI's short flags, and the hyperparameter names of sb3-contrib's
 *    TRPO (RL Zoo configs), so such a config carries over.
 * Keys are dotted paths into the config (`trpo.maxKl`); aliases are top-level names.
 */

export interface KeyAlias {
  /** The schema key it stands for. */
  key: string;
  /** Converts the value, given the other entries of the same source (default: unchanged). */
  value?: (value: unknown, source: Readonly<Record<string, unknown>>) => unknown;
  /**
   * Other keys the name sets, because its number means what it means only with them (sb3-contrib's trust region),
   * unless the same source gives them itself. Like any key, a later source overrides them.
   */
  implies?: Readonly<Record<string, unknown>>;
  /** Where the name comes from, for the docs. */
  origin: 'cli' | 'sb3';
}

/** Old key → new key; null: dropped (derived from another key now). */
export const RENAMED_KEYS: Readonly<Record<string, string | null>> = Object.freeze({
  normalizeObservations: 'observations.normalize',
  'trpo.gamma': 'advantage.gamma',
  'trpo.gaeLambda': 'advantage.lambda',
  'trpo.normalizeAdvantages': 'advantage.normalize',
  'trpo.vfIterations': 'valueFunction.epochs',
  'trpo.vfLearningRate': 'valueFunction.learningRate',
  'trpo.vfMinibatchSize': 'valueFunction.minibatchSize',
  // TRPO or NPG: now only `algo` says which.
  'trpo.algo': null,
});

/** The env slots an RL Zoo config's n_steps (per env) is multiplied by when it does not set n_envs itself. */
export const SB3_DEFAULT_N_ENVS = 1;

/** The KL convention sb3-contrib's target_kl and cg_damping are numbers of (algos/trpo/kl-reduction.ts). */
const SB3_TRUST_REGION = Object.freeze({ 'trpo.klReduction': 'mean' });

export const KEY_ALIASES: Readonly<Record<string, KeyAlias>> = Object.freeze({
  env: { key: 'envId', origin: 'cli' },
  kwargs: { key: 'envKwargs', origin: 'cli' },
  server: { key: 'servers', origin: 'cli' },
  steps: { key: 'totalSteps', origin: 'cli' },
  'max-kl': { key: 'trpo.maxKl', origin: 'cli' },
  'video-every': { key: 'evaluation.videoEvery', origin: 'cli' },
  // sb3-contrib TRPO's names (its own meaning in parentheses where it differs in form).
  n_envs: { key: 'numEnvs', origin: 'sb3' },
  n_steps: {
    key: 'stepsPerIteration',
    // sb3 counts steps per env; ours are over all env slots.
    value: (steps, source) => (steps as number) * ((source.n_envs ?? source.numEnvs ?? SB3_DEFAULT_N_ENVS) as number),
    origin: 'sb3',
  },
  total_timesteps: { key: 'totalSteps', origin: 'sb3' },
  gamma: { key: 'advantage.gamma', origin: 'sb3' },
  gae_lambda: { key: 'advantage.lambda', origin: 'sb3' },
  normalize_advantage: { key: 'advantage.normalize', origin: 'sb3' },
  // sb3-contrib's δ bounds, and its damping is added to the Hessian of, the KL averaged over a Gaussian's action
  // dimensions: either name brings that convention (RL Zoo's MuJoCo files give cg_damping without target_kl).
  target_kl: { key: 'trpo.maxKl', implies: SB3_TRUST_REGION, origin: 'sb3' },
  cg_max_steps: { key: 'trpo.cgIterations', origin: 'sb3' },
  cg_damping: { key: 'trpo.cgDamping', implies: SB3_TRUST_REGION, origin: 'sb3' },
  line_search_shrinking_factor: { key: 'trpo.backtrackRatio', origin: 'sb3' },
  line_search_max_iter: { key: 'trpo.lineSearchBacktracks', origin: 'sb3' },
  // sb3 keeps every k-th sample for the Fisher-vector products; we keep a fraction.
  sub_sampling_factor: { key: 'trpo.fisherSubsample', value: (k) => 1 / (k as number), origin: 'sb3' },
  n_critic_updates: { key: 'valueFunction.epochs', origin: 'sb3' },
  learning_rate: { key: 'valueFunction.learningRate', origin: 'sb3' },
  batch_size: { key: 'valueFunction.minibatchSize', origin: 'sb3' },
});

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value) && !ArrayBuffer.isView(value);

/** Objects that are values, not sections: merged and renamed as a whole. */
const VALUE_OBJECTS = new Set(['envKwargs']);

export function getPath(object: Record<string, unknown>, path: string): unknown {
  return path.split('.').reduce<unknown>((node, key) => (isPlainObject(node) ? node[key] : undefined), object);
}

export function setPath(object: Record<string, unknown>, path: string, value: unknown): void {
  const keys = path.split('.');
  let node = object;
  for (const key of keys.slice(0, -1)) {
    if (!isPlainObject(node[key])) node[key] = {};
    node = node[key] as Record<string, unknown>;
  }
  node[keys[keys.length - 1]] = value;
}

/**
 * `source` with every alias and renamed key replaced by its schema key (values converted where the alias says so,
 * and the keys an alias implies added where the source does not give them). `onRenamed` hears each renamed key
 * once. Throws when a key is given under two names.
 */
export function canonicalKeys(
  source: Readonly<Record<string, unknown>>,
  onRenamed?: (oldKey: string, newKey: string | null) => void,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const origins = new Map<string, string>();
  const implied = new Map<string, unknown>();
  const put = (key: string, value: unknown, given: string) => {
    const previous = origins.get(key);
    if (previous !== undefined) throw new Error(`config: ${key} is given twice, as ${previous} and as ${given}`);
    origins.set(key, given);
    setPath(out, key, value);
  };
  for (const [name, value] of Object.entries(source)) {
    const alias = KEY_ALIASES[name];
    if (alias) {
      put(alias.key, alias.value ? alias.value(value, source) : value, name);
      for (const [key, impliedValue] of Object.entries(alias.implies ?? {})) implied.set(key, impliedValue);
    } else if (name === 'advantage' && typeof value === 'string') {
      onRenamed?.('advantage', 'advantage.estimator');
      put('advantage.estimator', value, 'advantage');
    } else if (name in RENAMED_KEYS) {
      renamed(name, value);
    } else if (isPlainObject(value) && !VALUE_OBJECTS.has(name)) {
      for (const [key, inner] of Object.entries(value)) {
        const path = `${name}.${key}`;
        if (path in RENAMED_KEYS) renamed(path, inner);
        else put(path, inner, path);
      }
      if (Object.keys(value).length === 0 && getPath(out, name) === undefined) setPath(out, name, {});
    } else {
      put(name, value, name);
    }
  }
  for (const [key, value] of implied) if (!origins.has(key)) setPath(out, key, value);
  return out;

  function renamed(oldKey: string, value: unknown) {
    const newKey = RENAMED_KEYS[oldKey];
    onRenamed?.(oldKey, newKey);
    if (newKey !== null) put(newKey, value, oldKey);
  }
}

/** `base` with `override` laid over it: sections merge key by key, everything else (values, arrays, envKwargs) is replaced. */
export function mergeConfigSources(
  base: Readonly<Record<string, unknown>>,
  override: Readonly<Record<string, unknown>>,
): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(override)) {
    out[key] =
      isPlainObject(value) && isPlainObject(out[key]) && !VALUE_OBJECTS.has(key)
        ? { ...(out[key] as object), ...value }
        : value;
  }
  return out;
}
