/**
 * pnpm bench:trpo — (1) wall-clock for TRPO (single path + GAE, default config) to reach a mean return of 475 on
 * CartPole-v1 and to spend 100k env steps, over a few seeds; (2) the time breakdown of one TRPO iteration on a
 * Hopper-sized problem (11-dim observations, 3-dim actions, [64, 64] tanh policy and value networks) with a
 * 50,000-sample batch.
 *
 * Reference: sb3-contrib's TRPO, 100k CartPole-v1 steps in ~24 s on this kind of machine (figure from the project's
 * issue tracker). It is measured in this run when `.venv/bin/python` can import sb3_contrib; otherwise the
 * figure is printed as an outside reference, marked as such.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { loadTf, trainConfig, train, GaussianMlpPolicy, ValueFunction, trpoUpdate, Rng } from '@vinegym/agent';

const SB3_REFERENCE_SECONDS = 24;
const seeds = (process.env.BENCH_SEEDS ?? '0,1,2').split(',').map(Number);

async function cartPole(): Promise<number> {
  console.log('## CartPole-v1: TRPO single path + GAE, default config (16 envs, 4000 steps/iteration, δ = 0.01)\n');
  console.log('| seed | env steps to reach 475 | wall s to reach 475 | wall s for 100k steps | final return |');
  console.log('|---:|---:|---:|---:|---:|');
  const totals: number[] = [];
  for (const seed of seeds) {
    const result = await train({ config: trainConfig({ seed, totalSteps: 100_000 }), runDir: null, progress: false });
    const reached = result.rows.find((row) => row['rollout/ep_return_mean'] >= 475);
    const total = result.rows.at(-1)!['time/wall_s'];
    totals.push(total);
    console.log(`| ${seed} | ${reached?.env_steps ?? 'not reached'} | ${reached ? reached['time/wall_s'].toFixed(1) : '-'} | ${total.toFixed(1)} | ${result.finalReturnMean.toFixed(1)} |`);
  }
  return totals.reduce((a, b) => a + b, 0) / totals.length;
}

function sb3Seconds(): number | null {
  const python = '.venv/bin/python';
  if (!existsSync(python)) return null;
  const script = [
    'import time, gymnasium as gym',
    'from sb3_contrib import TRPO',
    'model = TRPO("MlpPolicy", gym.make("CartPole-v1"), seed=0, verbose=0)',
    't = time.perf_counter(); model.learn(100_000); print(time.perf_counter() - t)',
  ].join('\n');
  const run = spawnSync(python, ['-c', script], { encoding: 'utf8' });
  return run.status === 0 ? Number(run.stdout.trim()) : null;
}

async function hopperSizedIteration(): Promise<void> {
  const { tf, backend } = await loadTf();
  const batch = 50_000;
  const rng = new Rng(0);
  const obs = Float32Array.from({ length: batch * 11 }, () => rng.normal());
  const policy = new GaussianMlpPolicy(tf, { obsSize: 11, actionDim: 3, seed: 0 });
  const valueFunction = new ValueFunction(tf, { obsSize: 11, seed: 0 });
  const act = policy.act(obs, rng);
  const advantages = Float32Array.from({ length: batch }, () => rng.normal());
  const returns = Float32Array.from({ length: batch }, () => rng.normal());
  console.log(`\n## One TRPO iteration, Hopper-sized networks, batch ${batch.toLocaleString('en-US')} (backend ${backend})\n`);
  console.log('| run | forward ms | gradient ms | CG ms | line search ms | value fit ms | total ms |');
  console.log('|---|---:|---:|---:|---:|---:|---:|');
  for (const run of ['1st (warm-up)', '2nd', '3rd']) {
    const stats = trpoUpdate(tf, policy, { obs, actions: act.actions, advantages, oldLogProbs: act.logProbs }, trainConfig().trpo);
    const t = performance.now();
    valueFunction.fit(obs, returns);
    const vf = performance.now() - t;
    const { forwardMs, gradientMs, cgMs, lineSearchMs } = stats.timings;
    const total = forwardMs + gradientMs + cgMs + lineSearchMs + vf;
    console.log(`| ${run} | ${forwardMs.toFixed(0)} | ${gradientMs.toFixed(0)} | ${cgMs.toFixed(0)} | ${lineSearchMs.toFixed(0)} | ${vf.toFixed(0)} | ${total.toFixed(0)} |`);
  }
  policy.dispose();
  valueFunction.dispose();
}

const { backend } = await loadTf();
console.log(`vinegym bench:trpo — tf backend ${backend}, node ${process.version}\n`);
const ours = await cartPole();
const sb3 = sb3Seconds();
const reference = sb3 ?? SB3_REFERENCE_SECONDS;
console.log(
  `\nmean wall s for 100k steps: ${ours.toFixed(1)}; sb3-contrib TRPO: ${reference.toFixed(1)} s ` +
    `(${sb3 === null ? 'outside reference, sb3-contrib not installable here' : 'measured in this run'}); ` +
    `speed-up ${(reference / ours).toFixed(2)}x (goal ≥ 3x)`,
);
await hopperSizedIteration();
