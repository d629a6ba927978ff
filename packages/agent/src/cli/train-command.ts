/** `vinegym train`: flags -> TrainConfig -> train(), with a run directory and progress output. */
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { ALGORITHMS, trainConfig, type Algorithm, type TrainConfigOverrides } from '../train/config.js';
import { train } from '../train/trainer.js';

export const TRAIN_HELP = `Usage: vinegym train --env <id> [options]

  --env <id>                 env id, e.g. CartPole-v1, Hopper-v5 (default CartPole-v1)
  --algo trpo|npg|vpg|cem|rwr  default trpo (npg: natural gradient without line search; vpg: plain gradient
                             step; cem: cross-entropy method; rwr: reward-weighted regression — the paper's §6.1)
  --sampler single-path|vine default single-path
  --server <ws://...>        env server URL; repeat for several (default: embedded in-process server)
  --token <secret>           token of the servers
  --seed <n>                 default 0
  --iterations <n>           stop after n iterations
  --steps <n>                stop after n env steps (default 100000 unless --iterations is given)
  --num-envs <n>             env slots per server (default 16)
  --steps-per-iteration <n>  single path batch size (default 4000)
  --max-kl <d>               trust region δ (default 0.01)
  --kwargs <json>            env kwargs, e.g. '{"frame_skip": 4}'
  --config <file.json>       TrainConfig overrides as JSON (flags win)
  --out <dir>                run directory (default runs/<env>-<algo>-<sampler>-seed<n>-<time>)
  --resume <dir>             continue the run in <dir> from its last checkpoint (with --steps/--iterations:
                             a new total budget, to extend a finished run)
  --quiet                    no progress output
`;

export async function trainCommand(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      env: { type: 'string' },
      algo: { type: 'string' },
      sampler: { type: 'string' },
      server: { type: 'string', multiple: true },
      token: { type: 'string' },
      seed: { type: 'string' },
      iterations: { type: 'string' },
      steps: { type: 'string' },
      'num-envs': { type: 'string' },
      'steps-per-iteration': { type: 'string' },
      'max-kl': { type: 'string' },
      kwargs: { type: 'string' },
      config: { type: 'string' },
      out: { type: 'string' },
      resume: { type: 'string' },
      quiet: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
    strict: true,
  });
  if (values.help) {
    process.stdout.write(TRAIN_HELP);
    return;
  }
  if (values.resume) {
    const budget =
      values.iterations || values.steps
        ? { iterations: values.iterations ? integer('--iterations', values.iterations) : null, totalSteps: values.steps ? integer('--steps', values.steps) : null }
        : undefined;
    await train({ config: trainConfig(), runDir: values.resume, resume: true, budget, token: values.token, progress: values.quiet ? false : undefined });
    return;
  }
  const fromFile: TrainConfigOverrides = values.config ? JSON.parse(await readFile(values.config, 'utf8')) : {};
  const overrides: TrainConfigOverrides = { ...fromFile };
  if (values.env) overrides.envId = values.env;
  if (values.algo) overrides.algo = values.algo as Algorithm;
  if (values.sampler) overrides.sampler = values.sampler as 'single-path' | 'vine';
  if (values.server) overrides.servers = values.server;
  if (values.seed) overrides.seed = integer('--seed', values.seed);
  if (values.iterations) {
    overrides.iterations = integer('--iterations', values.iterations);
    if (!values.steps && fromFile.totalSteps === undefined) overrides.totalSteps = null;
  }
  if (values.steps) overrides.totalSteps = integer('--steps', values.steps);
  if (values['num-envs']) overrides.numEnvs = integer('--num-envs', values['num-envs']);
  if (values['steps-per-iteration']) overrides.stepsPerIteration = integer('--steps-per-iteration', values['steps-per-iteration']);
  if (values['max-kl']) overrides.trpo = { ...overrides.trpo, maxKl: Number(values['max-kl']) };
  if (values.kwargs) overrides.envKwargs = JSON.parse(values.kwargs);
  if (overrides.algo && !ALGORITHMS.includes(overrides.algo)) throw new Error(`--algo must be one of ${ALGORITHMS.join(', ')}, got ${overrides.algo}`);
  const config = trainConfig(overrides);
  const stamp = new Date().toISOString().replace(/[-:]/g, '').replace(/\..*/, '');
  const variant = config.algo === 'cem' || config.algo === 'rwr' ? config.algo : `${config.algo}-${config.sampler}`;
  const out = values.out ?? `runs/${config.envId.replace(/\//g, '_')}-${variant}-seed${config.seed}-${stamp}`;
  const result = await train({ config, runDir: out, token: values.token, progress: values.quiet ? false : undefined });
  if (!values.quiet) {
    process.stdout.write(
      `done: ${result.iterations} iterations, ${result.envSteps} env steps, mean return of the last episodes ${result.finalReturnMean.toFixed(1)}\n` +
        `run directory: ${out}   (evaluate: vinegym eval --run ${out}; plot: vinegym plot ${out} -o curve.png)\n`,
    );
  }
}

function integer(flag: string, text: string): number {
  const value = Number(text);
  if (!Number.isInteger(value)) throw new Error(`${flag} expects an integer, got '${text}'`);
  return value;
}
