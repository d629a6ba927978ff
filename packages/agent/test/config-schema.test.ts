/**
 * The config schema is the one source of the TrainConfig defaults, the validation, the JSON Schema of config files
 * and the CLI flags; old key names and sb3-contrib's names load; per-task presets are looked up in one place.
 */
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CONFIG_SCHEMA_FILE, configJsonSchemaText } from '../scripts/config-schema.js';
import { configFlags, configFlagsHelp, parseConfigArgs } from '../src/config/flags.js';
import { canonicalKeys, KEY_ALIASES, RENAMED_KEYS } from '../src/config/keys.js';
import { presetFileName, presetFor, PRESETS_DIR } from '../src/config/presets.js';
import { resolveTrainSettings } from '../src/cli/train-command.js';
import { ConfigError, resolveTrainConfig, trainConfig, trainConfigSchema } from '../src/config/train-config.js';

const dirs: string[] = [];
afterAll(async () => {
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

describe('TrainConfig', () => {
  it('fills every section with the documented defaults', () => {
    const config = trainConfig();
    expect(config).toMatchObject({
      envId: 'CartPole-v1',
      algo: 'trpo',
      sampler: 'single-path',
      totalSteps: 100_000,
      iterations: null,
      observations: { normalize: true },
      advantage: { estimator: 'gae', gamma: 0.99, lambda: 0.97, normalize: true },
      valueFunction: { epochs: 3, learningRate: 2e-3, minibatchSize: 256 },
      trpo: { maxKl: 0.01, cgIterations: 10, cgDamping: 0.1 },
      cem: { populationSize: 40 },
      rwr: { episodesPerIteration: 50 },
      vpg: { learningRate: 0.05 },
    });
    // Defaults are not shared between configs.
    trainConfig().policy.hiddenSizes.push(1);
    expect(trainConfig().policy.hiddenSizes).toEqual([64, 64]);
  });

  it('rejects bad values and unknown keys, naming each key and its flag', () => {
    const error = (() => {
      try {
        trainConfig({
          numEnvs: 0,
          trpo: { maxKl: -1, typo: 1 },
          algo: 'nope',
          iterations: null,
          totalSteps: null,
        } as never);
      } catch (e) {
        return e as ConfigError;
      }
    })();
    expect(error).toBeInstanceOf(ConfigError);
    const paths = error!.issues.map((i) => i.path);
    expect(paths).toEqual(expect.arrayContaining(['numEnvs', 'trpo.maxKl', 'trpo.typo', 'algo']));
    expect(error!.message).toContain('trpo.maxKl (--trpo.max-kl): must be >0, got -1');
    expect(error!.message).toContain('trpo.typo (--trpo.typo): unknown key');
    expect(() => trainConfig({ iterations: null, totalSteps: null })).toThrow(/set iterations or totalSteps/);
  });

  it('loads configs written with the old key names, and reports each one', () => {
    const renamed: string[] = [];
    const config = resolveTrainConfig(
      [
        {
          normalizeObservations: false,
          advantage: 'monte-carlo',
          trpo: {
            algo: 'npg',
            gamma: 0.9,
            gaeLambda: 0.8,
            normalizeAdvantages: false,
            vfIterations: 7,
            vfLearningRate: 1e-3,
            vfMinibatchSize: 64,
            maxKl: 0.05,
          },
        },
      ],
      { onRenamed: (oldKey, newKey) => renamed.push(`${oldKey}→${newKey}`) },
    );
    expect(config.observations.normalize).toBe(false);
    expect(config.advantage).toEqual({ estimator: 'monte-carlo', gamma: 0.9, lambda: 0.8, normalize: false });
    expect(config.valueFunction).toEqual({
      epochs: 7,
      learningRate: 1e-3,
      minibatchSize: 64,
      optimizer: 'adam',
      hostFit: true,
      hostKernel: 'simd',
      overlapFit: true,
    });
    expect(config.trpo.maxKl).toBe(0.05);
    expect(renamed).toContain('trpo.gamma→advantage.gamma');
    expect(renamed).toContain('trpo.algo→null');
    expect(renamed).toHaveLength(Object.keys(RENAMED_KEYS).length + 1); // + advantage (a string then, a section now)
    expect(() => canonicalKeys({ trpo: { gamma: 0.9 }, advantage: { gamma: 0.8 } })).toThrow(
      /advantage.gamma is given twice/,
    );
  });

  it("accepts sb3-contrib TRPO's hyperparameter names, converting where the meaning differs", () => {
    const config = trainConfig({
      n_envs: 8,
      n_steps: 512,
      batch_size: 128,
      gamma: 0.995,
      gae_lambda: 0.95,
      target_kl: 0.02,
      cg_max_steps: 15,
      cg_damping: 0.05,
      line_search_shrinking_factor: 0.8,
      line_search_max_iter: 12,
      n_critic_updates: 10,
      learning_rate: 1e-3,
      sub_sampling_factor: 4,
      total_timesteps: 300_000,
      normalize_advantage: false,
    });
    expect(config).toMatchObject({
      numEnvs: 8,
      stepsPerIteration: 512 * 8, // n_steps is per env
      totalSteps: 300_000,
      advantage: { gamma: 0.995, lambda: 0.95, normalize: false },
      trpo: {
        maxKl: 0.02,
        klReduction: 'mean', // target_kl and cg_damping are sb3-contrib's trust region
        cgIterations: 15,
        cgDamping: 0.05,
        backtrackRatio: 0.8,
        lineSearchBacktracks: 12,
        fisherSubsample: 0.25,
      },
      valueFunction: { epochs: 10, learningRate: 1e-3, minibatchSize: 128 },
    });
    for (const alias of Object.values(KEY_ALIASES))
      expect(configFlags(trainConfigSchema()).some((f) => f.key === alias.key)).toBe(true);
  });
});

describe('flags from the schema', () => {
  const flags = configFlags(trainConfigSchema());

  it('has a documented dotted flag for every knob', () => {
    const leaves = (object: Record<string, unknown>, prefix = ''): string[] =>
      Object.entries(object).flatMap(([key, value]) =>
        value !== null && typeof value === 'object' && !Array.isArray(value) && key !== 'envKwargs'
          ? leaves(value as Record<string, unknown>, `${prefix}${key}.`)
          : [`${prefix}${key}`],
      );
    const keys = [...leaves(trainConfig()), 'label'];
    expect(flags.map((f) => f.key).sort()).toEqual(keys.sort());
    for (const flag of flags) expect([flag.key, flag.description.length > 0]).toEqual([flag.key, true]);
    const help = configFlagsHelp(flags);
    for (const flag of flags) expect(help).toContain(`--${flag.flag} `);
    expect(flags.find((f) => f.key === 'valueFunction.learningRate')?.flag).toBe('value-function.learning-rate');
  });

  it('parses values by type, aliases, repeated lists and boolean switches', () => {
    const { options, config } = parseConfigArgs(
      [
        '--trpo.max-kl',
        '0.02',
        '--value-function.epochs=10',
        '--policy.hidden-sizes',
        '32,16',
        '--no-observations.normalize',
        '--env',
        'Hopper-v5',
        '--server',
        'ws://a/v1/ws',
        '--server',
        'ws://b/v1/ws',
        '--vine.actions-per-state',
        'all',
        '--iterations',
        'none',
        '--steps',
        '5000',
        '--env-kwargs',
        '{"frame_skip": 2}',
        '--cem.deterministic-evaluation',
        '--out',
        'x',
        '--quiet',
      ],
      flags,
      { out: 'value', quiet: 'switch' },
    );
    expect(options).toEqual({ out: 'x', quiet: true });
    expect(trainConfig(config)).toMatchObject({
      envId: 'Hopper-v5',
      envKwargs: { frame_skip: 2 },
      servers: ['ws://a/v1/ws', 'ws://b/v1/ws'],
      iterations: null,
      totalSteps: 5000,
      policy: { hiddenSizes: [32, 16] },
      observations: { normalize: false },
      valueFunction: { epochs: 10 },
      trpo: { maxKl: 0.02 },
      vine: { actionsPerState: 'all' },
      cem: { deterministicEvaluation: true },
    });
    expect(() => parseConfigArgs(['--trpo.max-kl', 'abc'], flags, {})).toThrow(/--trpo.max-kl expects a number/);
    expect(() => parseConfigArgs(['--num-env', '4'], flags, {})).toThrow(/did you mean --num-envs/);
  });

  it('takes an optional value only when one follows (--dashboard [port]), and --video-every as evaluation.videoEvery', () => {
    const spec = { dashboard: 'optional-value' } as const;
    expect(parseConfigArgs(['--dashboard'], flags, spec).options).toEqual({ dashboard: true });
    expect(parseConfigArgs(['--dashboard', '--video-every', '5'], flags, spec)).toEqual({
      options: { dashboard: true },
      config: { 'video-every': 5 },
    });
    expect(parseConfigArgs(['--dashboard', '7000', '--seed', '1'], flags, spec).options).toEqual({ dashboard: '7000' });
    expect(parseConfigArgs(['--dashboard=0'], flags, spec).options).toEqual({ dashboard: '0' });
    expect(trainConfig(parseConfigArgs(['--video-every', '5'], flags, {}).config).evaluation).toEqual({
      videoEvery: 5,
      videoFormat: 'mp4',
      videoFps: 30,
    });
  });
});

describe('JSON Schema of config files', () => {
  it('is checked in and current (regenerate with pnpm config-schema)', async () => {
    expect(await readFile(CONFIG_SCHEMA_FILE, 'utf8')).toBe(configJsonSchemaText());
  });
});

describe('per-task presets', () => {
  it('are looked up by env id and lie under the config file and the flags', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'vinegym-presets-'));
    dirs.push(dir);
    expect(presetFileName('ALE/Pong-v5')).toBe('ALE__Pong-v5.json');
    await writeFile(
      join(dir, 'Hopper-v5.json'),
      JSON.stringify({ envId: 'Hopper-v5', stepsPerIteration: 2048, gamma: 0.999, trpo: { maxKl: 0.02 } }),
    );
    expect(await presetFor('Walker2d-v5', dir)).toBeNull();
    const preset = await presetFor('Hopper-v5', dir);
    const config = resolveTrainConfig([preset!.values, { trpo: { cgIterations: 15 } }, { stepsPerIteration: 1024 }]);
    expect(config).toMatchObject({
      stepsPerIteration: 1024,
      advantage: { gamma: 0.999 },
      trpo: { maxKl: 0.02, cgIterations: 15 },
    });
  });
});

describe('checked-in presets', () => {
  const ROBOTS = ['Hopper-v5', 'Walker2d-v5', 'HalfCheetah-v5', 'Ant-v5', 'Swimmer-v5', 'Humanoid-v5'];
  const flags = configFlags(trainConfigSchema());

  it('exist for CartPole and every MuJoCo robot, and every one is a valid config', async () => {
    const files = (await readdir(PRESETS_DIR)).filter((f) => f.endsWith('.json')).sort();
    expect(files).toEqual(['CartPole-v1', ...ROBOTS].map(presetFileName).sort());
    for (const file of files) {
      const values = JSON.parse(await readFile(join(PRESETS_DIR, file), 'utf8')) as Record<string, unknown>;
      expect(() => resolveTrainConfig([values]), file).not.toThrow();
    }
  });

  /** Where a robot's preset departs from Hopper's, with the multi-seed evidence in docs/results-mujoco.md. */
  const GAMMA: Record<string, number> = { 'Swimmer-v5': 0.9999 };
  const KL_REDUCTION: Record<string, string> = {
    'Hopper-v5': 'mean',
    'Walker2d-v5': 'mean',
    'HalfCheetah-v5': 'mean',
    'Ant-v5': 'mean',
    'Humanoid-v5': 'mean',
  };
  const NORMALIZE_OBSERVATIONS: Record<string, boolean> = { 'Walker2d-v5': true, 'Humanoid-v5': true };

  it("give the robots sb3-contrib TRPO's settings, its KL convention, Swimmer's discount and Walker2d's and Humanoid's observation normalization where measured", async () => {
    for (const env of ROBOTS) {
      const { config, notes } = await resolveTrainSettings({}, parseConfigArgs(['--env', env], flags, {}).config);
      expect(config, env).toMatchObject({
        envId: env,
        numEnvs: 16,
        stepsPerIteration: 2048,
        totalSteps: 1_000_000,
        observations: { normalize: NORMALIZE_OBSERVATIONS[env] ?? false },
        advantage: { gamma: GAMMA[env] ?? 0.99, lambda: 0.95, normalize: true },
        valueFunction: { epochs: 10, learningRate: 1e-3, minibatchSize: 128, optimizer: 'adam' },
        trpo: {
          maxKl: 0.01,
          klReduction: KL_REDUCTION[env] ?? 'sum',
          cgIterations: 15,
          cgDamping: 0.1,
          fisherSubsample: 1,
          lineSearchBacktracks: 10,
          backtrackRatio: 0.8,
          acceptRatio: 0,
        },
      });
      expect(notes[0]).toMatch(
        new RegExp(`^using preset .*${env}\\.json for ${env} \\(any --config key or flag overrides it\\)$`),
      );
    }
  });

  it('pin CartPole to the settings of its published runs (docs/results.md), which are also the defaults today', async () => {
    const { config, preset } = await resolveTrainSettings({}, {});
    expect(preset?.path).toBe(join(PRESETS_DIR, 'CartPole-v1.json'));
    expect(config).toEqual(trainConfig());
  });

  it('lie under --config and the flags, in schema names and sb3-contrib names alike', async () => {
    const argv = [
      '--env',
      'Walker2d-v5',
      '--n_envs',
      '4',
      '--n_steps',
      '512',
      '--batch_size',
      '64',
      '--gamma',
      '0.995',
      '--gae_lambda',
      '0.9',
      '--target_kl',
      '0.02',
      '--cg_max_steps',
      '20',
      '--cg_damping',
      '0.05',
      '--line_search_shrinking_factor',
      '0.7',
      '--line_search_max_iter',
      '8',
      '--n_critic_updates',
      '5',
      '--learning_rate',
      '3e-4',
      '--sub_sampling_factor',
      '2',
      '--total_timesteps',
      '5000',
    ];
    const { config } = await resolveTrainSettings(
      { observations: { normalize: true }, valueFunction: { optimizer: 'lbfgs' } },
      parseConfigArgs(argv, flags, {}).config,
    );
    expect(config).toMatchObject({
      envId: 'Walker2d-v5',
      numEnvs: 4,
      stepsPerIteration: 2048, // sb3's n_steps is per env
      totalSteps: 5000,
      observations: { normalize: true },
      advantage: { gamma: 0.995, lambda: 0.9 },
      valueFunction: { epochs: 5, learningRate: 3e-4, minibatchSize: 64, optimizer: 'lbfgs' },
      trpo: {
        maxKl: 0.02,
        klReduction: 'mean',
        cgIterations: 20,
        cgDamping: 0.05,
        backtrackRatio: 0.7,
        lineSearchBacktracks: 8,
        fisherSubsample: 0.5,
        acceptRatio: 0,
      },
    });
    // The hyphenated spelling of a flag is the same alias.
    expect(
      (
        await resolveTrainSettings(
          {},
          parseConfigArgs(['--env', 'Hopper-v5', '--cg-max-steps', '25'], flags, {}).config,
        )
      ).config.trpo.cgIterations,
    ).toBe(25);
  });

  it('leave envs without one on the defaults, with no note', async () => {
    const { config, preset, notes } = await resolveTrainSettings({ envId: 'InvertedPendulum-v5' }, {});
    expect([preset, notes]).toEqual([null, []]);
    expect(config).toEqual(trainConfig({ envId: 'InvertedPendulum-v5' }));
  });
});

describe('valueFunction.optimizer', () => {
  it('is adam by default and accepts lbfgs, nothing else', () => {
    expect(trainConfig().valueFunction.optimizer).toBe('adam');
    expect(trainConfig({ valueFunction: { optimizer: 'lbfgs' } }).valueFunction.optimizer).toBe('lbfgs');
    expect(() => trainConfig({ valueFunction: { optimizer: 'sgd' } } as never)).toThrow(
      /valueFunction.optimizer .*must be one of adam, lbfgs/,
    );
  });
});
