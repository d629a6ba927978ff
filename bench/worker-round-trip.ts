/**
 * pnpm bench:worker-round-trip — the cost of one batch step through the worker-thread transport alone: a session
 * of 16 HopperShaped-v0 envs (Hopper's spaces and info keys, no physics; see fixtures/hopper-shaped-plugin.ts),
 * same_step autoreset, stepped in-process and on 1 and 2 worker threads. Reported per batch step: wall time, and
 * the main thread's busy time (event-loop utilization), which is what the transport takes from the thread that
 * also serves the WebSocket. Cases are interleaved in ROUNDS slices; medians are reported.
 *
 *   pnpm bench:worker-round-trip     (BENCH_SECONDS per slice, default 1; BENCH_ROUNDS default 5)
 */
import { availableParallelism, loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { ParallelSession, VectorSession, type EnvSession } from '@vinegym/env-server';
import { ndarray, type NDArray } from '@vinegym/protocol';
import { HOPPER_SHAPED_ENV } from './fixtures/hopper-shaped-plugin.js';
import { coresAvailable } from './cores-available.js';
import { median } from './stats.js';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 1);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const NUM_ENVS = 16;
const PLUGIN = new URL('./fixtures/hopper-shaped-plugin.ts', import.meta.url).href;

/** Microseconds of wall time and of main-thread busy time per batch step, over SECONDS. */
async function perStep(session: EnvSession, actions: NDArray<'float32'>): Promise<{ wall: number; main: number }> {
  let steps = 0;
  const elu0 = performance.eventLoopUtilization();
  const start = performance.now();
  const deadline = start + SECONDS * 1000;
  while (performance.now() < deadline) {
    for (let k = 0; k < 16; k++) await session.step(actions);
    steps += 16;
  }
  const wall = performance.now() - start;
  const elu = performance.eventLoopUtilization(elu0);
  // A loop that never yields (the in-process case) has no idle time; its busy time is all of the wall time.
  const busy = elu.idle === 0 ? wall : elu.active;
  return { wall: (1000 * wall) / steps, main: (1000 * busy) / steps };
}

async function main(): Promise<void> {
  console.log(
    `vinegym bench:worker-round-trip — ${NUM_ENVS} HopperShaped-v0 envs, same_step, ${ROUNDS} rounds × ${SECONDS}s, node ${process.version}, ` +
      `${availableParallelism()} cores, load average ${loadavg()
        .map((x) => x.toFixed(2))
        .join(', ')}, cores available ${(await coresAvailable()).toFixed(2)}`,
  );
  const options = {
    definition: HOPPER_SHAPED_ENV,
    kwargs: {},
    numEnvs: NUM_ENVS,
    autoresetMode: 'same_step' as const,
    seed: 0,
  };
  const cases: [string, EnvSession][] = [
    ['in-process', new VectorSession(options)],
    ['1 worker', await ParallelSession.create({ ...options, origin: { kind: 'plugin', module: PLUGIN }, workers: 1 })],
    ['2 workers', await ParallelSession.create({ ...options, origin: { kind: 'plugin', module: PLUGIN }, workers: 2 })],
  ];
  const actions = ndarray(
    'float32',
    [NUM_ENVS, 3],
    Float32Array.from({ length: NUM_ENVS * 3 }, () => Math.random() * 2 - 1),
  );
  for (const [, session] of cases) {
    await session.reset({ seed: 0 });
    await perStep(session, actions); // warm-up
  }
  const samples = cases.map(() => ({ wall: [] as number[], main: [] as number[] }));
  for (let round = 0; round < ROUNDS; round++) {
    for (const [k, [, session]] of cases.entries()) {
      const { wall, main } = await perStep(session, actions);
      samples[k].wall.push(wall);
      samples[k].main.push(main);
    }
  }
  console.log('\n| transport | µs per batch step (wall) | main thread busy µs per batch step |');
  console.log('|---|---:|---:|');
  for (const [k, [name]] of cases.entries()) {
    console.log(`| ${name} | ${median(samples[k].wall).toFixed(1)} | ${median(samples[k].main).toFixed(1)} |`);
  }
  for (const [, session] of cases) session.close();
  console.log(`\ncores available at the end ${(await coresAvailable()).toFixed(2)}`);
}

await main();
