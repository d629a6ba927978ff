/**
 * pnpm bench:value-fit — the cost of one value-function fit with sb3-contrib TRPO's settings (10 passes of Adam
 * minibatches of 128 over a 2048-step batch of Hopper-sized observations, 64-64 tanh MLP): vinegym's host-side fit
 * with its WebAssembly SIMD kernels (the default) and with its scalar JavaScript kernels (the same weights to the
 * last bit), the same steps through tfjs tensor ops, and, when a Python with torch is given (VINEGYM_SB3_PYTHON),
 * the same loop in torch on one thread, as sb3-contrib runs it. The vinegym paths take turns, in a rotating
 * order; the median counts. Every side uses one compute thread. Prints load averages next to the times: compare the ratios.
 *
 *   pnpm bench:value-fit                      (BENCH_FITS=5 fits each by default; BENCH_OBS_SIZE=348 for Humanoid's width)
 */
import { spawnSync } from 'node:child_process';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { loadTf, Rng, ValueFunction } from '@vinegym/agent';
import { median } from './stats.js';

const ROWS = 2048;
/** Observation width: Hopper's by default; BENCH_OBS_SIZE=105 is Ant's, 348 Humanoid's. */
const OBS_SIZE = Number(process.env.BENCH_OBS_SIZE ?? 11);
const EPOCHS = 10;
const MINIBATCH = 128;
const FITS = Number(process.env.BENCH_FITS ?? 5);

const load = () =>
  loadavg()
    .map((x) => x.toFixed(2))
    .join(' ');

async function main(): Promise<void> {
  // One compute thread, as torch below and both sides of bench:vs-sb3 (read when TensorFlow loads).
  process.env.TF_NUM_INTRAOP_THREADS ??= '1';
  process.env.TF_NUM_INTEROP_THREADS ??= '1';
  const { tf, backend } = await loadTf();
  const rng = new Rng(0);
  const obs = Float32Array.from({ length: ROWS * OBS_SIZE }, () => rng.normal());
  const targets = Float32Array.from(
    { length: ROWS },
    (_, i) => Math.sin(obs[i * OBS_SIZE]) + obs[i * OBS_SIZE + 1] * obs[i * OBS_SIZE + 2],
  );
  const options = {
    obsSize: OBS_SIZE,
    hiddenSizes: [64, 64],
    learningRate: 1e-3,
    epochs: EPOCHS,
    minibatchSize: MINIBATCH,
  };
  const paths = {
    simd: new ValueFunction(tf, { ...options, hostFit: true, hostKernel: 'simd' }),
    js: new ValueFunction(tf, { ...options, hostFit: true, hostKernel: 'js' }),
    tfjs: new ValueFunction(tf, { ...options, hostFit: false }),
  };
  const names = Object.keys(paths) as (keyof typeof paths)[];
  const times = Object.fromEntries(names.map((name) => [name, { wall: [] as number[], cpu: [] as number[] }]));
  for (const vf of Object.values(paths)) vf.fit(obs, targets); // warm-up
  console.log(
    `value fit: ${ROWS} rows × ${OBS_SIZE}, 64-64 tanh, ${EPOCHS} epochs of ${MINIBATCH} (tfjs backend ${backend}); load ${load()}`,
  );
  for (let i = 0; i < FITS; i++) {
    for (const name of names.map((_, k) => names[(i + k) % names.length])) {
      const [start, cpu] = [performance.now(), process.cpuUsage()];
      paths[name].fit(obs, targets);
      const used = process.cpuUsage(cpu);
      times[name].wall.push(performance.now() - start);
      times[name].cpu.push((used.user + used.system) / 1000);
    }
  }
  const row = (name: string, wall: number, cpu: number, ratio = '') =>
    console.log(
      `  ${name.padEnd(18)} wall ${wall.toFixed(0).padStart(6)} ms   CPU ${cpu.toFixed(0).padStart(6)} ms${ratio}`,
    );
  const medians = (name: keyof typeof paths) => ({ wall: median(times[name].wall), cpu: median(times[name].cpu) });
  const simd = medians('simd');
  const versus = (other: { wall: number; cpu: number }) =>
    `   ${(other.wall / simd.wall).toFixed(2)}x SIMD's wall time, ${(other.cpu / simd.cpu).toFixed(2)}x its CPU time`;
  row('vinegym host SIMD', simd.wall, simd.cpu, `   (median of ${FITS}; the default)`);
  for (const [name, label] of [
    ['js', 'vinegym host JS'],
    ['tfjs', 'vinegym tfjs ops'],
  ] as const) {
    const other = medians(name);
    row(label, other.wall, other.cpu, versus(other));
  }
  const python = process.env.VINEGYM_SB3_PYTHON;
  if (python) {
    const script = fileURLToPath(new URL('value_fit_torch.py', import.meta.url));
    const run = spawnSync(
      python,
      [script, String(ROWS), String(OBS_SIZE), String(EPOCHS), String(MINIBATCH), String(FITS)],
      { encoding: 'utf8' },
    );
    if (run.status !== 0) throw new Error(`torch reference failed: ${run.stderr}`);
    const lines = run.stdout
      .trim()
      .split('\n')
      .map((line) => line.split(' ').map(Number));
    const torch = { wall: median(lines.map((l) => l[0])), cpu: median(lines.map((l) => l[1])) };
    row('torch, 1 thread', torch.wall, torch.cpu, versus(torch));
  } else {
    console.log('  (set VINEGYM_SB3_PYTHON to a Python with torch to time the torch reference too)');
  }
  console.log(`load ${load()}`);
  for (const vf of Object.values(paths)) vf.dispose();
}

await main();
