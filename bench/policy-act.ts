/**
 * pnpm bench:policy-act — the cost of one `act` call of the MLP policies (CartPole's categorical [64, 64] tanh
 * policy on 4 inputs, Hopper's Gaussian on 11 inputs and 3 actions) at the batch sizes the samplers use: 1 to 64
 * rows (one vector env's slots, the vine's K actions per state) and 2048 (a whole batch). The host forward
 * (`hostForward`, the default) against the tfjs forward of the same weights, in the same run: calls alternate
 * between the two in short blocks and each side's median block counts. Prints µs per call (wall and CPU), the
 * ratio, and the load averages before and after.
 *
 *   pnpm bench:policy-act     (BENCH_ROWS=1,8,16,64,2048, BENCH_BLOCKS=15, BENCH_BLOCK_MS=40)
 */
import { loadavg } from 'node:os';
import { CategoricalMlpPolicy, GaussianMlpPolicy, loadTf, Rng, type Policy } from '@vinegym/agent';
import { median } from './stats.js';

const ROWS = (process.env.BENCH_ROWS ?? '1,8,16,64,2048').split(',').map(Number);
const BLOCKS = Number(process.env.BENCH_BLOCKS ?? 15);
const BLOCK_MS = Number(process.env.BENCH_BLOCK_MS ?? 40);

const load = () =>
  loadavg()
    .map((x) => x.toFixed(2))
    .join(' ');

/** µs of wall and CPU time per call over one block of about BLOCK_MS. */
function block(policy: Policy, obs: Float32Array, noise: Rng): { wall: number; cpu: number } {
  let calls = 0;
  const [start, cpu] = [performance.now(), process.cpuUsage()];
  do {
    policy.act(obs, noise);
    calls++;
  } while (performance.now() - start < BLOCK_MS);
  const used = process.cpuUsage(cpu);
  return { wall: ((performance.now() - start) * 1000) / calls, cpu: (used.user + used.system) / calls };
}

async function main(): Promise<void> {
  const { tf, backend } = await loadTf();
  console.log(`policy act: µs per call, host forward vs tfjs (backend ${backend}); load ${load()}`);
  const tasks = [
    {
      name: 'CartPole categorical',
      obsSize: 4,
      make: (hostForward: boolean) =>
        new CategoricalMlpPolicy(tf, { obsSize: 4, numActions: 2, seed: 1, hostForward, hostForwardMaxRows: Infinity }),
    },
    {
      name: 'Hopper Gaussian',
      obsSize: 11,
      make: (hostForward: boolean) =>
        new GaussianMlpPolicy(tf, { obsSize: 11, actionDim: 3, seed: 1, hostForward, hostForwardMaxRows: Infinity }),
    },
  ];
  console.log('| policy | rows | host µs/call (CPU) | tfjs µs/call (CPU) | tfjs / host (wall) |');
  console.log('|---|---:|---:|---:|---:|');
  for (const task of tasks) {
    const paths = { host: task.make(true), tfjs: task.make(false) };
    for (const rows of ROWS) {
      const rng = new Rng(rows);
      const obs = Float32Array.from({ length: rows * task.obsSize }, () => rng.normal());
      const noise = new Rng(0);
      const times = {
        host: { wall: [] as number[], cpu: [] as number[] },
        tfjs: { wall: [] as number[], cpu: [] as number[] },
      };
      for (const policy of Object.values(paths)) block(policy, obs, noise); // warm-up
      for (let i = 0; i < BLOCKS; i++) {
        for (const name of i % 2 === 0 ? (['host', 'tfjs'] as const) : (['tfjs', 'host'] as const)) {
          const t = block(paths[name], obs, noise);
          times[name].wall.push(t.wall);
          times[name].cpu.push(t.cpu);
        }
      }
      const [host, tfjs] = [times.host, times.tfjs].map((t) => ({ wall: median(t.wall), cpu: median(t.cpu) }));
      const cell = (t: { wall: number; cpu: number }) => `${t.wall.toFixed(1)} (${t.cpu.toFixed(1)})`;
      console.log(`| ${task.name} | ${rows} | ${cell(host)} | ${cell(tfjs)} | ${(tfjs.wall / host.wall).toFixed(2)} |`);
    }
    for (const policy of Object.values(paths)) policy.dispose();
  }
  console.log(`load ${load()}`);
}

await main();
