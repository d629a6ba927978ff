/** `vinegym train`: preset, config file and flags -> TrainConfig -> train(), with a run directory and progress output. */
import { readFile } from 'node:fs/promises';
import { relative } from 'node:path';
import { algorithmNamed } from '../algos/registry.js';
import { configFlags, configFlagsHelp, parseConfigArgs } from '../config/flags.js';
import { canonicalKeys } from '../config/keys.js';
import { presetFor, PRESETS_DIR, type Preset } from '../config/presets.js';
import { resolveTrainConfig, trainConfig, trainConfigSchema, type TrainConfig } from '../config/train-config.js';
import { train, type TrainOptions } from '../train/trainer.js';
import { parsePort } from './dashboard-command.js';

/** The dashboard's default port, repeated here so the help does not load the server module. */
const DEFAULT_DASHBOARD_PORT = 6060;

/** The command's own options; everything else is a config key. */
const COMMAND_OPTIONS = {
  config: 'value',
  out: 'value',
  resume: 'value',
  token: 'value',
  dashboard: 'optional-value',
  quiet: 'switch',
  help: 'switch',
} as const;

export function trainHelp(): string {
  return `Usage: vinegym train [options]

Trains the policy of an env with one algorithm (default: TRPO, single path, on CartPole-v1, 100k env steps) against
the embedded in-process server or env servers (--servers). Settings come from, in increasing precedence: the
defaults below, the preset of the env (presets/<env id>.json in the agent package, when there is one), the
--config file, and the flags.

  --config <file.json>       settings as JSON: any subset of the keys below, nested by section ({"trpo": {"maxKl":
                             0.02}}); sb3-contrib TRPO's names are accepted too (docs/configuration.md). Its JSON
                             Schema: packages/agent/train-config.schema.json
  --out <dir>                run directory (default runs/<env>-<algo>[-<sampler>]-seed<n>-<time>)
  --resume <dir>             continue the run in <dir> from its last checkpoint (with --steps/--iterations: a new
                             total budget, to extend a finished run)
  --token <secret>           token of the servers (default: the VINEGYM_TOKEN environment variable)
  --dashboard [port]         serve the live training dashboard on 127.0.0.1:<port> (default ${DEFAULT_DASHBOARD_PORT}; 0: any
                             free port) while training; the printed URL carries its access token (docs/dashboard.md)
  --quiet                    no progress output
${configFlagsHelp(configFlags(trainConfigSchema()))}
`;
}

export async function trainCommand(argv: string[]): Promise<void> {
  const { options, config: flagValues } = parseConfigArgs(argv, configFlags(trainConfigSchema()), COMMAND_OPTIONS);
  if (options.help) {
    process.stdout.write(trainHelp());
    return;
  }
  const quiet = options.quiet === true;
  const token = (options.token as string | undefined) ?? process.env.VINEGYM_TOKEN;
  const flags = canonicalKeys(flagValues);
  if (typeof options.resume === 'string') {
    const others = Object.keys(flags).filter((key) => key !== 'iterations' && key !== 'totalSteps');
    if (others.length > 0) {
      throw new Error(
        `--resume continues with the run's own settings: only --steps and --iterations (a new budget) may be given, not ${others.join(', ')}`,
      );
    }
    const budget =
      Object.keys(flags).length > 0
        ? {
            iterations: (flags.iterations ?? null) as number | null,
            totalSteps: (flags.totalSteps ?? null) as number | null,
          }
        : undefined;
    await withDashboard(options.dashboard, (onStart) =>
      train({
        config: trainConfig(),
        runDir: options.resume as string,
        resume: true,
        budget,
        token,
        progress: quiet ? false : undefined,
        onStart,
      }),
    );
    return;
  }

  const { config, notes } = await resolveTrainSettings(
    typeof options.config === 'string' ? await readConfigFile(options.config) : {},
    flagValues,
  );
  if (!quiet) for (const note of notes) process.stdout.write(`${note}\n`);
  const log = (line: string) => !quiet && process.stdout.write(`${line}\n`);

  const stamp = new Date().toISOString().replace(/[-:]/g, '').replace(/\..*/, '');
  const variant = algorithmNamed(config.algo).usesSampler ? `${config.algo}-${config.sampler}` : config.algo;
  const out =
    (options.out as string | undefined) ??
    `runs/${config.envId.replace(/\//g, '_')}-${variant}-seed${config.seed}-${stamp}`;
  const result = await withDashboard(options.dashboard, (onStart) =>
    train({ config, runDir: out, token, progress: quiet ? false : undefined, onStart }),
  );
  log(
    `done: ${result.iterations} iterations, ${result.envSteps} env steps, mean return of the last episodes ${result.finalReturnMean.toFixed(1)}\n` +
      `run directory: ${out}   (evaluate: vinegym eval --run ${out}; plot: vinegym plot ${out} -o curve.png)`,
  );
}

/**
 * The config of a `train` command: the env's preset (when there is one), then the --config file, then the flags
 * (all three in any key names: schema, old or sb3-contrib's). `notes` say which preset was used and which old key
 * names were read, for the user to see before training starts.
 */
export async function resolveTrainSettings(
  file: Readonly<Record<string, unknown>>,
  flagValues: Readonly<Record<string, unknown>>,
  presetsDir: string = PRESETS_DIR,
): Promise<{ config: TrainConfig; preset: Preset | null; notes: string[] }> {
  const renamed: string[] = [];
  const onRenamed = (oldKey: string, newKey: string | null) =>
    renamed.push(newKey === null ? `${oldKey} (dropped: algo says it)` : `${oldKey} → ${newKey}`);
  const flags = canonicalKeys(flagValues);
  const fromFile = canonicalKeys(file, onRenamed);
  const envId = (flags.envId ?? fromFile.envId ?? trainConfig().envId) as string;
  const preset = await presetFor(envId, presetsDir);
  // --iterations alone means "this many iterations", not "this many or the default step budget".
  if (
    'iterations' in flags &&
    !('totalSteps' in flags) &&
    !('totalSteps' in fromFile) &&
    !('totalSteps' in canonicalKeys(preset?.values ?? {}))
  ) {
    flags.totalSteps = null;
  }
  const config = resolveTrainConfig([preset?.values ?? {}, fromFile, flags], { onRenamed });
  const notes: string[] = [];
  if (preset)
    notes.push(
      `using preset ${relative(process.cwd(), preset.path)} for ${envId} (any --config key or flag overrides it)`,
    );
  if (renamed.length > 0) notes.push(`config: read old key names as their new ones: ${renamed.join(', ')}`);
  return { config, preset, notes };
}

/**
 * Runs `training` with the dashboard on the run directory when `--dashboard [port]` was given: started once the
 * directory exists, its URL printed (even with --quiet: it is the way in), closed when training ends.
 */
async function withDashboard<T>(
  option: string | boolean | undefined,
  training: (onStart: TrainOptions['onStart']) => Promise<T>,
): Promise<T> {
  if (option === undefined) return training(undefined);
  const port = option === true ? undefined : parsePort(option as string);
  let dashboard: { url: string; close(): Promise<void> } | null = null;
  try {
    return await training(async (runPath) => {
      if (runPath === null) throw new Error('--dashboard needs a run directory');
      const { startDashboard } = await import('../dashboard/server.js');
      dashboard = await startDashboard({ runDirs: [runPath], port });
      process.stdout.write(`dashboard: ${dashboard.url}\n`);
    });
  } finally {
    await (dashboard as { close(): Promise<void> } | null)?.close();
  }
}

async function readConfigFile(path: string): Promise<Record<string, unknown>> {
  const text = await readFile(path, 'utf8');
  try {
    const parsed = JSON.parse(text) as unknown;
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
      throw new Error('expected a JSON object');
    return parsed as Record<string, unknown>;
  } catch (error) {
    throw new Error(`config file ${path}: ${(error as Error).message}`);
  }
}
