/**
 * One training run of vinegym's TRPO for `pnpm bench:vs-sb3` (main.ts runs it in a child process, one per run):
 * trains with the given TrainConfig overrides on the embedded server, evaluates the policy deterministically at
 * the env-step checkpoints (all episodes at once, one env slot each) and writes a RunRecord as JSON.
 *
 *   tsx --conditions=source bench/vs-sb3/ours-run.ts --env Hopper-v5 --steps 1000000 --seed 0 \
 *     --checkpoints 100000,300000,1000000 --eval-seed 1000 --config '{"numEnvs":16}' --out run.json
 */
import { writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import {
  EmbeddedVectorEnv,
  Rng,
  loadTf,
  spaceAdapter,
  presetFor,
  resolveTrainConfig,
  train,
  type ObservationNormalizer,
  type Policy,
} from '@vinegym/agent';
import type { Evaluation, RunRecord } from './run-record.js';

/** Per-update metrics kept in the record's curve for diagnosis. */
const DIAGNOSTICS = [
  'train/kl',
  'train/entropy',
  'train/explained_variance',
  'train/line_search_steps',
  'train/accepted',
  'time/sampling_ms',
  'time/act_ms',
  'time/gae_ms',
  'time/forward_ms',
  'time/gradient_ms',
  'time/cg_ms',
  'time/line_search_ms',
  'time/vf_ms',
  'time/vf_wait_ms',
];

/** Returns and lengths of `episodes` episodes with the mean action, episode i reset with seed + i. */
export async function evaluateDeterministic(
  policy: Policy,
  normalizer: ObservationNormalizer | null,
  env: { envId: string; kwargs: Record<string, number | boolean | string | null> },
  episodes: number,
  seed: number,
): Promise<{ returns: number[]; lengths: number[] }> {
  const vector = await EmbeddedVectorEnv.make({
    envId: env.envId,
    kwargs: env.kwargs,
    numEnvs: episodes,
    autoresetMode: 'same_step',
  });
  try {
    const adapter = spaceAdapter(vector.spec.single_observation_space, vector.spec.single_action_space);
    const noise = new Rng(seed); // unused by deterministic actions, but act() takes a source
    let obs = adapter.observationRows(
      (await vector.reset({ seeds: Array.from({ length: episodes }, (_, i) => seed + i) })).observations,
    );
    const returns = new Array<number>(episodes).fill(0);
    const lengths = new Array<number>(episodes).fill(0);
    const done = new Array<boolean>(episodes).fill(false);
    while (done.includes(false)) {
      const act = policy.act(normalizer ? normalizer.normalize(obs) : obs, noise, true);
      const result = await vector.step(adapter.envActions(act.actions, episodes));
      for (let i = 0; i < episodes; i++) {
        if (done[i]) continue; // a finished slot has been reset; its new episode is not counted
        returns[i] += Number(result.rewards.data[i]);
        lengths[i] += 1;
        done[i] = Number(result.terminated.data[i]) === 1 || Number(result.truncated.data[i]) === 1;
      }
      obs = adapter.observationRows(result.observations);
    }
    return { returns, lengths };
  } finally {
    await vector.close();
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      env: { type: 'string' },
      steps: { type: 'string' },
      seed: { type: 'string' },
      checkpoints: { type: 'string' },
      'eval-episodes': { type: 'string', default: '10' },
      'eval-seed': { type: 'string' },
      config: { type: 'string', default: '{}' },
      out: { type: 'string' },
    },
    strict: true,
  });
  for (const flag of ['env', 'steps', 'seed', 'checkpoints', 'eval-seed', 'out'] as const) {
    if (values[flag] === undefined) throw new Error(`ours-run: --${flag} is required`);
  }
  const overrides = JSON.parse(values.config!) as Record<string, unknown>;
  // As `vinegym train --env <id>`: the env's preset, under --config.
  const preset = await presetFor(values.env!);
  if (preset) process.stdout.write(`[vinegym] using preset ${preset.path}\n`);
  const config = resolveTrainConfig([
    preset?.values ?? {},
    overrides,
    { envId: values.env!, seed: Number(values.seed), totalSteps: Number(values.steps), iterations: null },
  ]);
  const pending = values
    .checkpoints!.split(',')
    .map(Number)
    .sort((a, b) => a - b);
  const episodes = Number(values['eval-episodes']);
  const evalSeed = Number(values['eval-seed']);

  const { tf, backend } = await loadTf();
  const evaluations: Evaluation[] = [];
  const curve: RunRecord['curve'] = [];
  let evalWallMs = 0;
  let evalCpuUs = 0;
  const cpuStart = process.cpuUsage();
  const cpuSeconds = () => {
    const used = process.cpuUsage(cpuStart);
    return (used.user + used.system - evalCpuUs) / 1e6;
  };
  const result = await train({
    config,
    runDir: null,
    progress: false,
    onIteration: async (row, agent) => {
      const steps = row.env_steps;
      const wall = row['time/wall_s'] - evalWallMs / 1000;
      const diagnostics = Object.fromEntries(DIAGNOSTICS.filter((k) => k in row).map((k) => [k, row[k]]));
      const returnMean = Number.isFinite(row['rollout/ep_return_mean']) ? row['rollout/ep_return_mean'] : null;
      curve.push({ steps, wall_s: wall, cpu_s: cpuSeconds(), episode_return_mean: returnMean, diagnostics });
      if (row.iteration % 10 === 0)
        process.stderr.write(`[vinegym] ${steps} steps, ${wall.toFixed(0)} s, return ${returnMean?.toFixed(1)}\n`);
      if (pending.length === 0 || steps < pending[0]) return;
      while (pending.length > 0 && steps >= pending[0]) pending.shift();
      const cpu = cpuSeconds();
      const [w0, c0] = [performance.now(), process.cpuUsage()];
      const { returns, lengths } = await evaluateDeterministic(
        agent.policy,
        agent.normalizer,
        { envId: config.envId, kwargs: config.envKwargs },
        episodes,
        evalSeed,
      );
      evalWallMs += performance.now() - w0;
      const c = process.cpuUsage(c0);
      evalCpuUs += c.user + c.system;
      evaluations.push({ steps, wall_s: wall, cpu_s: cpu, returns, lengths });
      const mean = returns.reduce((a, b) => a + b, 0) / returns.length;
      process.stderr.write(`[vinegym] eval at ${steps}: ${mean.toFixed(1)}\n`);
    },
  });
  const last = curve.at(-1)!;
  const record: RunRecord = {
    impl: 'vinegym',
    env: config.envId,
    seed: config.seed,
    env_steps: result.envSteps,
    wall_s: last.wall_s,
    cpu_s: last.cpu_s!,
    eval_wall_s: evalWallMs / 1000,
    settings: { config, tfBackend: backend, tfIntraOpThreads: process.env.TF_NUM_INTRAOP_THREADS ?? 'default' },
    versions: { node: process.version, tfjs: tf.version_core },
    curve,
    evaluations,
  };
  await writeFile(values.out!, JSON.stringify(record));
}

await main();
