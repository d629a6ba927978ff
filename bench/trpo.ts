/**
 * pnpm bench:trpo — (1) wall-clock for TRPO (single path + GAE, default config) to reach a mean return of 475 on
 * CartPole-v1 and to spend 100k env steps, over a few seeds, against sb3-contrib's TRPO on the same 100k steps
 * measured in the same run; (2) the two ways to a Fisher-vector product side by side on CartPole- and
 * Hopper-sized problems: the Gauss–Newton form Jᵀ M J v (the default for policies with `linearize`) and the
 * paper's nested differentiation of the KL, timed interleaved, with the largest difference between their results;
 * (3) the time breakdown of one TRPO iteration on a Hopper-sized problem (11-dim observations, 3-dim actions,
 * [64, 64] tanh policy and value networks) with a 50,000-sample batch; (4) one policy update with the Hopper
 * preset's TRPO settings (2048 rows, 15 CG iterations on the whole batch) by each `trpo.implementation`
 * (jacobian, autodiff, host), interleaved, phase by phase.
 *
 * sb3-contrib runs in the Python of SB3_PYTHON (default `.venv/bin/python`) when that Python can import
 * sb3_contrib, with one torch thread, as our TRPO uses one core; otherwise the comparison is skipped and says so.
 * The load average is printed next to the timings: ratios measured in the same run are what count.
 *
 *   BENCH_SEEDS=0,1,2 (default)  BENCH_PARTS=cartpole,fvp,iteration,implementations (default: all)  SB3_PYTHON=...
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { loadavg } from 'node:os';
import {
  loadTf,
  trainConfig,
  train,
  CategoricalMlpPolicy,
  GaussianMlpPolicy,
  ValueFunction,
  fisherVectorProduct,
  getFlatParams,
  setFlatParams,
  trpoUpdate,
  Rng,
  type Policy,
  type Tf,
} from '@vinegym/agent';
import { median } from './stats.js';

const seeds = (process.env.BENCH_SEEDS ?? '0,1,2').split(',').map(Number);
const parts = new Set((process.env.BENCH_PARTS ?? 'cartpole,fvp,iteration,implementations').split(','));
const load = () =>
  `load average ${loadavg()
    .map((x) => x.toFixed(2))
    .join(', ')}`;

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
    console.log(
      `| ${seed} | ${reached?.env_steps ?? 'not reached'} | ${reached ? reached['time/wall_s'].toFixed(1) : '-'} | ${total.toFixed(1)} | ${result.finalReturnMean.toFixed(1)} |`,
    );
  }
  return totals.reduce((a, b) => a + b, 0) / totals.length;
}

/** Seconds sb3-contrib's TRPO (its defaults, one torch thread) takes for 100k CartPole-v1 steps, per seed. */
function sb3Seconds(): number[] | null {
  const python = process.env.SB3_PYTHON ?? '.venv/bin/python';
  if (!existsSync(python)) return null;
  const script = [
    'import sys, time, torch, gymnasium as gym',
    'from sb3_contrib import TRPO',
    'torch.set_num_threads(1)',
    'for seed in map(int, sys.argv[1].split(",")):',
    '    model = TRPO("MlpPolicy", gym.make("CartPole-v1"), seed=seed, verbose=0, device="cpu")',
    '    t = time.perf_counter(); model.learn(100_000); print(time.perf_counter() - t, flush=True)',
  ].join('\n');
  const run = spawnSync(python, ['-c', script, seeds.join(',')], { encoding: 'utf8' });
  if (run.status !== 0) {
    console.log(`\nsb3-contrib not measured: ${python} cannot run it (${run.stderr.trim().split('\n').at(-1)})`);
    return null;
  }
  return run.stdout.trim().split('\n').map(Number);
}

/** Median milliseconds of `fn` over `rounds` calls, after one warm-up call. */
function medianMs(fn: () => void, rounds: number): number {
  fn();
  const times: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const t = performance.now();
    fn();
    times.push(performance.now() - t);
  }
  return times.sort((a, b) => a - b)[Math.floor(rounds / 2)];
}

/** The same policy with its forward-mode derivative hidden: fisherVectorProduct then takes the nested path. */
function withoutLinearize(policy: Policy): Policy {
  const nested = Object.create(policy) as Policy;
  Object.defineProperty(nested, 'linearize', { value: undefined });
  return nested;
}

/** Fisher-vector products both ways on `policy` over `rows` observations of size `obsSize`, interleaved. */
function compareFisherProducts(tf: Tf, name: string, policy: Policy, obsSize: number, rows: number): void {
  const rng = new Rng(1);
  const obs = tf.tensor2d(
    Float32Array.from({ length: rows * obsSize }, () => rng.normal()),
    [rows, obsSize],
  );
  const size = policy.variables.reduce((n, v) => n + v.size, 0);
  const v = Float64Array.from({ length: size }, () => rng.normal());
  const nested = withoutLinearize(policy);
  const fast = fisherVectorProduct(tf, policy, obs, v, 0);
  const slow = fisherVectorProduct(tf, nested, obs, v, 0);
  const scale = Math.max(...slow.map(Math.abs));
  const difference = Math.max(...fast.map((x, i) => Math.abs(x - slow[i]))) / scale;
  // Interleaved rounds, so that both paths see the same load.
  const gaussNewton: number[] = [];
  const nestedKl: number[] = [];
  for (let round = 0; round < 5; round++) {
    gaussNewton.push(medianMs(() => fisherVectorProduct(tf, policy, obs, v, 0), 3));
    nestedKl.push(medianMs(() => fisherVectorProduct(tf, nested, obs, v, 0), 3));
  }
  const [a, b] = [median(gaussNewton), median(nestedKl)];
  console.log(
    `| ${name} | ${rows.toLocaleString('en-US')} | ${a.toFixed(2)} | ${b.toFixed(2)} | ${(b / a).toFixed(2)}x | ${difference.toExponential(1)} |`,
  );
  obs.dispose();
}

async function fisherProducts(): Promise<void> {
  const { tf } = await loadTf();
  console.log(`\n## Fisher-vector products: Jᵀ M J v (default) against the nested KL Hessian, same run (${load()})\n`);
  console.log('| problem | rows | Jᵀ M J v ms | nested ms | speed-up | max relative difference |');
  console.log('|---|---:|---:|---:|---:|---:|');
  const cartPole = new CategoricalMlpPolicy(tf, { obsSize: 4, numActions: 2, seed: 0 });
  // CartPole: a 4000-step batch is used whole; Hopper: 50k samples with the default 0.2 subsample.
  compareFisherProducts(tf, 'CartPole (4 → 2, [64, 64])', cartPole, 4, 4000);
  const hopper = new GaussianMlpPolicy(tf, { obsSize: 11, actionDim: 3, seed: 0 });
  compareFisherProducts(tf, 'Hopper (11 → 3, [64, 64])', hopper, 11, 10_000);
  cartPole.dispose();
  hopper.dispose();
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
  console.log(
    `\n## One TRPO iteration, Hopper-sized networks, batch ${batch.toLocaleString('en-US')} (backend ${backend}, ${load()})\n`,
  );
  console.log('| run | forward ms | gradient ms | CG ms | line search ms | value fit ms | total ms |');
  console.log('|---|---:|---:|---:|---:|---:|---:|');
  for (const run of ['1st (warm-up)', '2nd', '3rd']) {
    const stats = trpoUpdate(
      tf,
      policy,
      { obs, actions: act.actions, advantages, oldLogProbs: act.logProbs },
      trainConfig().trpo,
    );
    const t = performance.now();
    valueFunction.fit(obs, returns);
    const vf = performance.now() - t;
    const { forwardMs, gradientMs, cgMs, lineSearchMs } = stats.timings;
    const total = forwardMs + gradientMs + cgMs + lineSearchMs + vf;
    console.log(
      `| ${run} | ${forwardMs.toFixed(0)} | ${gradientMs.toFixed(0)} | ${cgMs.toFixed(0)} | ${lineSearchMs.toFixed(0)} | ${vf.toFixed(0)} | ${total.toFixed(0)} |`,
    );
  }
  policy.dispose();
  valueFunction.dispose();
}

/** The Hopper preset's policy update by each implementation of the TRPO problem, the same step each time. */
async function updateImplementations(): Promise<void> {
  const { tf } = await loadTf();
  const rows = 2048;
  const rng = new Rng(0);
  const policy = new GaussianMlpPolicy(tf, { obsSize: 11, actionDim: 3, seed: 0 });
  const obs = Float32Array.from({ length: rows * 11 }, () => rng.normal());
  const act = policy.act(obs, rng);
  const batch = { obs, actions: act.actions, advantages: Float32Array.from({ length: rows }, () => rng.normal()) };
  const thetaOld = getFlatParams(policy.variables);
  const implementations = ['jacobian', 'autodiff', 'host'] as const;
  const phases = new Map(implementations.map((name) => [name, [] as number[][]]));
  for (let round = 0; round < 7; round++) {
    for (const implementation of implementations) {
      setFlatParams(tf, policy.variables, thetaOld);
      const config = trainConfig({
        trpo: { cgIterations: 15, fisherSubsample: 1, backtrackRatio: 0.8, acceptRatio: 0, implementation },
      }).trpo;
      const { forwardMs, gradientMs, cgMs, lineSearchMs } = trpoUpdate(tf, policy, batch, config).timings;
      if (round > 0) phases.get(implementation)!.push([forwardMs, gradientMs, cgMs, lineSearchMs]);
    }
  }
  console.log(
    `\n## One policy update, Hopper preset settings (2048 rows, 15 CG iterations), medians of 6 interleaved rounds (${load()})\n`,
  );
  console.log('| trpo.implementation | forward ms | gradient ms | CG ms (16 products) | line search ms | total ms |');
  console.log('|---|---:|---:|---:|---:|---:|');
  for (const [name, runs] of phases) {
    const columns = [0, 1, 2, 3].map((phase) => median(runs.map((run) => run[phase])));
    const total = median(runs.map((run) => run.reduce((a, b) => a + b, 0)));
    console.log(`| ${name} | ${columns.map((ms) => ms.toFixed(1)).join(' | ')} | ${total.toFixed(1)} |`);
  }
  policy.dispose();
}

const { backend } = await loadTf();
console.log(`vinegym bench:trpo — tf backend ${backend}, node ${process.version}, ${load()}\n`);
if (parts.has('cartpole')) {
  const ours = await cartPole();
  const sb3 = sb3Seconds();
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  if (sb3 !== null) {
    console.log(
      `\nsb3-contrib TRPO (defaults, 1 torch thread), 100k CartPole-v1 steps, seeds ${seeds.join(', ')}: ${sb3.map((x) => x.toFixed(1)).join(', ')} s`,
    );
    console.log(
      `mean wall s for 100k steps: vinegym ${ours.toFixed(1)}, sb3-contrib ${mean(sb3).toFixed(1)} (same run, ${load()}); ` +
        `speed-up ${(mean(sb3) / ours).toFixed(2)}x`,
    );
  } else {
    console.log(`\nmean wall s for 100k steps: vinegym ${ours.toFixed(1)} (${load()})`);
  }
}
if (parts.has('fvp')) await fisherProducts();
if (parts.has('iteration')) await hopperSizedIteration();
if (parts.has('implementations')) await updateImplementations();
