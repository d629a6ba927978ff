/** `vinegym compare`: every algorithm × seed as a `vinegym train` child process, then the report. */
import { availableParallelism } from 'node:os';
import { readFile, mkdir } from 'node:fs/promises';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { plannedRuns, REWARD_THRESHOLDS, VARIANTS, type ComparePlan } from '../compare/plan.js';

export const COMPARE_HELP = `Usage: vinegym compare --env <id> --budget <env steps> [options]

  --env <id>                env id (default CartPole-v1)
  --algos <a,b,...>         of ${Object.keys(VARIANTS).join(', ')}
                            (default trpo-single-path,trpo-vine,rwr,cem)
  --seeds <n>               seeds 0..n-1 per algorithm (default 5)
  --budget <n>              env steps per run (required)
  --server <ws://...>       env server for every run; repeat for several (default: embedded in each run)
  --token <secret>          token of the servers (default: the VINEGYM_TOKEN environment variable)
  --jobs <n>                runs in parallel, one process each (default: number of cores, ${availableParallelism()} here)
  --threshold <r>           return that counts as solved (default: the env's reward threshold, e.g. 475 for CartPole-v1)
  --config <file.json>      TrainConfig overrides for every run (the algorithm's own settings win)
  --out <dir>               report directory (default compare/<env>); rerunning continues it: finished runs are
                            skipped, unfinished ones resume from their last checkpoint
  --report-only             only (re)write the report from the runs that exist
`;

export async function compareCommand(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      env: { type: 'string', default: 'CartPole-v1' },
      algos: { type: 'string', default: 'trpo-single-path,trpo-vine,rwr,cem' },
      seeds: { type: 'string', default: '5' },
      budget: { type: 'string' },
      server: { type: 'string', multiple: true },
      token: { type: 'string' },
      jobs: { type: 'string' },
      threshold: { type: 'string' },
      config: { type: 'string' },
      out: { type: 'string' },
      'report-only': { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
    strict: true,
  });
  if (values.help) {
    process.stdout.write(COMPARE_HELP);
    return;
  }
  if (!values.budget) throw new Error(`compare needs --budget <env steps>\n${COMPARE_HELP}`);
  const positive = (flag: string, text: string) => {
    const n = Number(text);
    if (!Number.isInteger(n) || n <= 0) throw new Error(`${flag} expects a positive integer, got '${text}'`);
    return n;
  };
  const base: Record<string, unknown> = values.config ? JSON.parse(await readFile(values.config, 'utf8')) : {};
  const plan: ComparePlan = {
    envId: values.env,
    variants: values.algos
      .split(',')
      .map((a) => a.trim())
      .filter(Boolean),
    seeds: positive('--seeds', values.seeds),
    budget: positive('--budget', values.budget),
    servers: values.server ?? [],
    out: resolve(values.out ?? `compare/${values.env.replace(/\//g, '_')}`),
    base,
  };
  const threshold = values.threshold !== undefined ? Number(values.threshold) : (REWARD_THRESHOLDS[plan.envId] ?? null);
  const runs = plannedRuns(plan);
  await mkdir(plan.out, { recursive: true });
  const log = (line: string) => console.log(`[${new Date().toISOString().slice(11, 19)}] ${line}`);

  if (!values['report-only']) {
    const jobs = values.jobs ? positive('--jobs', values.jobs) : availableParallelism();
    log(
      `compare: ${plan.variants.join(', ')} × ${plan.seeds} seeds on ${plan.envId}, ${plan.budget} env steps each, ${jobs} at a time → ${plan.out}`,
    );
    const { runPool, runsWithOtherSettings } = await import('../compare/run-pool.js');
    const differing = await runsWithOtherSettings(runs);
    if (differing.length > 0) {
      const names = differing.map((run) => `${run.variant} seed ${run.seed}`);
      throw new Error(
        `${plan.out} holds ${differing.length} runs started with other settings (${names.slice(0, 3).join(', ')}${names.length > 3 ? ', …' : ''}); ` +
          'use another --out, or delete those runs to start them again',
      );
    }
    const { failed, skipped } = await runPool(runs, {
      jobs,
      budget: plan.budget,
      token: values.token ?? process.env.VINEGYM_TOKEN,
      log,
    });
    if (skipped > 0) log(`${skipped} runs were already finished`);
    if (failed.length > 0) log(`${failed.length} runs failed; rerun the same command to retry them`);
  }
  // Imported lazily: the charting stack (vega, resvg) is only loaded for the report.
  const { writeReport } = await import('../compare/report.js');
  const markdown = await writeReport({
    out: plan.out,
    envId: plan.envId,
    budget: plan.budget,
    seeds: plan.seeds,
    threshold,
    runs,
  });
  process.stdout.write(`\n${markdown}\nreport: ${plan.out}/report.md, plot: ${plan.out}/curves.png\n`);
}
