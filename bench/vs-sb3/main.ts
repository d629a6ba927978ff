/**
 * pnpm bench:vs-sb3 — vinegym's TRPO and sb3-contrib's TRPO side by side on the same env, seeds and budget, in one
 * run: for each seed both implementations train in turn (the order alternates from seed to seed, so both see
 * similar machine load), each in its own process with one compute thread (torch.set_num_threads(1); TensorFlow's
 * intra- and inter-op pools of 1). Both evaluate their policy deterministically at fixed env-step checkpoints,
 * 10 episodes each. Prints and writes a table (return per checkpoint as mean ± std over seeds, training wall and
 * CPU time, env steps/s, ratios) and a plot with both curves against env steps and against wall time. Every run's
 * record is saved in <out>/results.json as soon as it finishes, so an interrupted benchmark continues where it
 * stopped, and `--report` rebuilds the tables and the plot from saved results without training.
 *
 *   pnpm bench:vs-sb3 --env Hopper-v5 --steps 1000000 --seeds 5 --sb3-python .venv-sb3/bin/python
 *
 * Not part of CI: a 1M-step MuJoCo run takes minutes to tens of minutes per seed and implementation.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { markdownTable, perSeedTable, plotComparison, summarize } from './report.js';
import type { Implementation, ResultsFile, RunRecord } from './run-record.js';

const HERE = fileURLToPath(new URL('.', import.meta.url));
const REPO = resolve(HERE, '../..');

const HELP = `Usage: pnpm bench:vs-sb3 --env <id> [options]

  --env <id>               Gymnasium/vinegym env id, e.g. Hopper-v5 (required)
  --steps <n>              env steps per run (default 1000000)
  --seeds <k>              seeds 0..k-1 (default 3); or --seed-list 3,4
  --checkpoints <list>     env steps at which the tables report the return (default 100000,300000,1000000,
                           those ≤ --steps, and --steps itself)
  --eval-every <n>         also evaluate every n env steps, for the curves (default 100000)
  --eval-episodes <n>      deterministic episodes per evaluation (default 10)
  --config <json|file>     vinegym settings over the env's preset (as \`vinegym train --config\`); default:
                           the preset alone (packages/agent/presets/<env>.json), or the defaults if there is none
  --label <name>           name of the vinegym curve (default "vinegym TRPO")
  --sb3-hyperparams <json> sb3-contrib TRPO keyword arguments (default: none, i.e. its defaults); also
                           n_envs and normalize (VecNormalize, as RL Zoo's files use)
  --sb3-label <name>       name of the sb3-contrib curve (default "sb3-contrib TRPO")
  --sb3-python <path>      Python with stable-baselines3 + sb3-contrib (or env VINEGYM_SB3_PYTHON)
  --only sb3|vinegym       run one side only (e.g. to add settings to an earlier benchmark's results)
  --threads <n>            compute threads of each side (default 1)
  --out <dir>              results directory (default runs/vs-sb3/<env>-<time>); an existing one is continued
  --report <dir>...        rebuild table and plot from saved results (several dirs are merged), no training
`;

const SB3_MISSING = `sb3-contrib is not available. The benchmark runs sb3-contrib's TRPO in a Python venv of its own:

  python3 -m venv .venv-sb3
  .venv-sb3/bin/pip install torch gymnasium[mujoco] stable-baselines3 sb3-contrib
  pnpm bench:vs-sb3 --sb3-python .venv-sb3/bin/python ...      (or export VINEGYM_SB3_PYTHON=.venv-sb3/bin/python)

Use --only vinegym to run vinegym's side alone.
`;

interface Options {
  env: string;
  steps: number;
  seeds: number[];
  checkpoints: number[];
  evalPoints: number[];
  evalEpisodes: number;
  config: string;
  label?: string;
  sb3Hyperparams: string;
  sb3Label?: string;
  sb3Python: string | null;
  sides: Implementation[];
  threads: number;
  out: string;
}

function parseOptions(argv: string[]): Options | { report: string[] } | null {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      env: { type: 'string' },
      steps: { type: 'string', default: '1000000' },
      seeds: { type: 'string', default: '3' },
      'seed-list': { type: 'string' },
      checkpoints: { type: 'string' },
      'eval-every': { type: 'string', default: '100000' },
      'eval-episodes': { type: 'string', default: '10' },
      config: { type: 'string', default: '{}' },
      label: { type: 'string' },
      'sb3-hyperparams': { type: 'string', default: '{}' },
      'sb3-label': { type: 'string' },
      'sb3-python': { type: 'string' },
      only: { type: 'string' },
      threads: { type: 'string', default: '1' },
      out: { type: 'string' },
      report: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(HELP);
    return null;
  }
  if (values.report) return { report: positionals };
  if (!values.env) throw new Error(`--env is required\n\n${HELP}`);
  const steps = positiveInt('--steps', values.steps!);
  const seeds = values['seed-list']
    ? values['seed-list'].split(',').map((s) => nonNegativeInt('--seed-list', s))
    : range(positiveInt('--seeds', values.seeds!));
  const requested = values.checkpoints
    ? values.checkpoints.split(',').map((s) => positiveInt('--checkpoints', s))
    : [100_000, 300_000, 1_000_000];
  const checkpoints = [...new Set([...requested.filter((c) => c <= steps), steps])].sort((a, b) => a - b);
  const every = positiveInt('--eval-every', values['eval-every']!);
  const evalPoints = [
    ...new Set([...checkpoints, ...range(Math.floor(steps / every)).map((i) => (i + 1) * every)]),
  ].sort((a, b) => a - b);
  if (values.only && !['sb3', 'vinegym'].includes(values.only))
    throw new Error(`--only must be sb3 or vinegym, got ${values.only}`);
  const sides: Implementation[] =
    values.only === 'sb3' ? ['sb3-contrib'] : values.only === 'vinegym' ? ['vinegym'] : ['sb3-contrib', 'vinegym'];
  const stamp = new Date().toISOString().replace(/[-:]/g, '').replace(/\..*/, '');
  return {
    env: values.env,
    steps,
    seeds,
    checkpoints,
    evalPoints,
    evalEpisodes: positiveInt('--eval-episodes', values['eval-episodes']!),
    config: values.config!,
    label: values.label,
    sb3Hyperparams: values['sb3-hyperparams']!,
    sb3Label: values['sb3-label'],
    sb3Python: values['sb3-python'] ?? process.env.VINEGYM_SB3_PYTHON ?? null,
    sides,
    threads: positiveInt('--threads', values.threads!),
    out: values.out ?? join('runs', 'vs-sb3', `${values.env.replace(/\//g, '_')}-${stamp}`),
  };
}

function range(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i);
}

function positiveInt(flag: string, text: string): number {
  const v = Number(text);
  if (!Number.isInteger(v) || v <= 0) throw new Error(`${flag} expects a positive integer, got '${text}'`);
  return v;
}

function nonNegativeInt(flag: string, text: string): number {
  const v = Number(text);
  if (!Number.isInteger(v) || v < 0) throw new Error(`${flag} expects non-negative integers, got '${text}'`);
  return v;
}

/** `--config` is inline JSON or a file holding it. */
async function configJson(text: string): Promise<string> {
  const json = text.trim().startsWith('{') ? text : await readFile(text, 'utf8');
  JSON.parse(json); // fail before any training on a typo
  return json;
}

function checkSb3(python: string | null): string {
  if (python === null || !existsSync(python)) throw new Error(SB3_MISSING);
  const probe = spawnSync(python, ['-c', 'import sb3_contrib, stable_baselines3, torch, gymnasium, mujoco'], {
    encoding: 'utf8',
  });
  if (probe.status !== 0)
    throw new Error(`${python} cannot import what the benchmark needs:\n${probe.stderr.trim()}\n\n${SB3_MISSING}`);
  return python;
}

/** Runs a child to completion, its stderr (progress) passed through; rejects on a non-zero exit. */
function runChild(command: string, args: string[], env: NodeJS.ProcessEnv): Promise<void> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'inherit', 'inherit'], env: { ...process.env, ...env } });
    child.once('error', reject);
    child.once('exit', (code, signal) =>
      code === 0 ? resolvePromise() : reject(new Error(`${command} ${args[0]} exited with ${code ?? signal}`)),
    );
  });
}

async function trainOne(
  o: Options,
  impl: Implementation,
  seed: number,
  config: string,
  sb3Python: string | null,
): Promise<RunRecord> {
  const out = join(tmpdir(), `vs-sb3-${process.pid}-${impl}-${seed}.json`);
  const common = [
    '--env',
    o.env,
    '--steps',
    String(o.steps),
    '--seed',
    String(seed),
    '--checkpoints',
    o.evalPoints.join(','),
    '--eval-episodes',
    String(o.evalEpisodes),
  ];
  const evalSeed = String(1_000_000 + 1000 * seed);
  const threads = String(o.threads);
  if (impl === 'sb3-contrib') {
    await runChild(
      sb3Python!,
      [join(HERE, 'sb3_trpo.py'), ...common, '--eval-seed', evalSeed, '--hyperparams', o.sb3Hyperparams, '--out', out],
      {
        OMP_NUM_THREADS: threads,
        MKL_NUM_THREADS: threads,
      },
    );
  } else {
    await runChild(
      join(REPO, 'node_modules', '.bin', 'tsx'),
      [
        '--conditions=source',
        join(HERE, 'ours-run.ts'),
        ...common,
        '--eval-seed',
        evalSeed,
        '--config',
        config,
        '--out',
        out,
      ],
      {
        TF_NUM_INTRAOP_THREADS: threads,
        TF_NUM_INTEROP_THREADS: threads,
        OMP_NUM_THREADS: threads,
      },
    );
  }
  return JSON.parse(await readFile(out, 'utf8')) as RunRecord;
}

async function loadResults(dir: string): Promise<ResultsFile | null> {
  const path = join(dir, 'results.json');
  return existsSync(path) ? (JSON.parse(await readFile(path, 'utf8')) as ResultsFile) : null;
}

async function writeReport(results: ResultsFile, dir: string): Promise<void> {
  const summaries = summarize(results.runs, results.checkpoints);
  const table = markdownTable(summaries);
  const perSeed = perSeedTable(results.runs, results.checkpoints);
  const title = `TRPO on ${results.env}: vinegym vs sb3-contrib, ${results.steps.toLocaleString('en-US')} env steps`;
  await plotComparison(results.runs, title, join(dir, 'curves.png'));
  await writeFile(join(dir, 'report.md'), `# ${title}\n\n${table}\n\n${perSeed}\n`);
  process.stdout.write(
    `\n${table}\n\n${perSeed}\n\nreport: ${join(dir, 'report.md')}, plot: ${join(dir, 'curves.png')}\n`,
  );
}

async function report(dirs: string[]): Promise<void> {
  if (dirs.length === 0) throw new Error('--report needs at least one results directory');
  const all = (await Promise.all(dirs.map(loadResults))).filter((r): r is ResultsFile => r !== null);
  if (all.length === 0) throw new Error(`no results.json in ${dirs.join(', ')}`);
  const merged: ResultsFile = { ...all[0], runs: all.flatMap((r) => r.runs) };
  await writeReport(merged, dirs[0]);
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  if (options === null) return;
  if ('report' in options) return report(options.report);
  const sb3Python = options.sides.includes('sb3-contrib') ? checkSb3(options.sb3Python) : null;
  const config = await configJson(options.config);
  await mkdir(options.out, { recursive: true });
  const results: ResultsFile = (await loadResults(options.out)) ?? {
    env: options.env,
    steps: options.steps,
    checkpoints: options.checkpoints,
    evalEpisodes: options.evalEpisodes,
    machine: { cpus: availableParallelism(), node: process.version, platform: `${process.platform}-${process.arch}` },
    runs: [],
  };
  if (results.env !== options.env || results.steps !== options.steps) {
    throw new Error(`${options.out} holds results for ${results.env} at ${results.steps} steps; choose another --out`);
  }
  const labelOf = (impl: Implementation) => (impl === 'sb3-contrib' ? options.sb3Label : options.label);
  console.log(
    `bench:vs-sb3 — ${options.env}, ${options.steps.toLocaleString('en-US')} steps, seeds ${options.seeds.join(',')}, results in ${options.out}`,
  );
  for (const [i, seed] of options.seeds.entries()) {
    const order = i % 2 === 0 ? options.sides : [...options.sides].reverse();
    for (const impl of order) {
      const label = labelOf(impl);
      if (results.runs.some((r) => r.impl === impl && r.seed === seed && r.label === label)) continue; // continued benchmark
      const before = loadavg()[0];
      console.log(
        `\n== ${label ?? impl}, seed ${seed} (load average ${loadavg()
          .map((l) => l.toFixed(2))
          .join(' ')})`,
      );
      const record = await trainOne(options, impl, seed, config, sb3Python);
      results.runs.push({
        ...record,
        label,
        load: { before, after: loadavg()[0] },
        finished_at: new Date().toISOString(),
      });
      await writeFile(join(options.out, 'results.json'), JSON.stringify(results));
      const last = record.evaluations.at(-1);
      const meanReturn = last ? last.returns.reduce((a, b) => a + b, 0) / last.returns.length : Number.NaN;
      console.log(
        `== ${label ?? impl}, seed ${seed}: ${record.env_steps} steps in ${record.wall_s.toFixed(0)} s (CPU ${record.cpu_s.toFixed(0)} s), final return ${meanReturn.toFixed(1)}`,
      );
    }
  }
  await writeReport(results, options.out);
}

await main();
