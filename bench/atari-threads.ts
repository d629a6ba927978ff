/**
 * pnpm bench:atari-threads — where the CPU of an embedded ALE/<Game>-v5 session goes, thread by thread, over a long
 * run: the main thread (the caller, and the envs when `workers` is 0), the session's worker threads, and V8's
 * helper threads (concurrent compilation and garbage collection, shared by every isolate of the process). Linux
 * only: per-thread CPU comes from /proc/self/task. Threads that appear while the session is made are its workers;
 * every other thread but the main one counts as a helper. Printed per window of batch steps, so the cold start (each
 * worker isolate compiles the emulator and its blocks anew) and the warm rest can be told apart.
 *
 *   pnpm bench:atari-threads [--game pong] [--envs 8] [--workers 0,2] [--batches 1500] [--window 250]
 *                            [--obs raw|paper] [--reuse]
 *
 * `--reuse`: the session's reuseObservations (Gymnasium's copy=False); without it every step returns a fresh batch.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { EmbeddedVectorEnv } from '@vinegym/agent';
import { EnvService, createDefaultRegistry } from '@vinegym/env-server/embedded';
import { ndarray, type NDArray } from '@vinegym/protocol';
import { ATARI_OBS_KWARGS, envIdOf } from './atari-games.js';

const { values } = parseArgs({
  options: {
    game: { type: 'string', default: 'pong' },
    envs: { type: 'string', default: '8' },
    workers: { type: 'string', default: '0,2' },
    batches: { type: 'string', default: '1500' },
    window: { type: 'string', default: '250' },
    obs: { type: 'string', default: 'raw' },
    reuse: { type: 'boolean', default: false },
  },
});
const numEnvs = Number(values.envs);
const batches = Number(values.batches);
const windowBatches = Number(values.window);
const envId = envIdOf(values.game!);
const kwargs: Record<string, string | number> = { ...ATARI_OBS_KWARGS[values.obs === 'paper' ? 'paper' : 'raw'] };

/** CPU seconds (user + system) of every thread of this process, by thread id. */
function threadCpu(): Map<number, number> {
  const cpu = new Map<number, number>();
  for (const tid of readdirSync('/proc/self/task')) {
    try {
      const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(') ') + 2).split(' ');
      cpu.set(Number(tid), (Number(fields[11]) + Number(fields[12])) / 100);
    } catch {
      // The thread ended between the listing and the read.
    }
  }
  return cpu;
}

/** CPU microseconds per env step of the main thread, the workers and the helpers between two readings. */
function split(before: Map<number, number>, after: Map<number, number>, workers: Set<number>, steps: number) {
  const parts = { main: 0, workers: 0, helpers: 0 };
  for (const [tid, seconds] of after) {
    const used = seconds - (before.get(tid) ?? 0);
    if (tid === process.pid) parts.main += used;
    else if (workers.has(tid)) parts.workers += used;
    else parts.helpers += used;
  }
  const us = (seconds: number) => Math.round((1e6 * seconds) / steps);
  return { main: us(parts.main), workers: us(parts.workers), helpers: us(parts.helpers) };
}

console.log(
  `${envId}, ${numEnvs} envs, ${values.obs} observations${values.reuse ? ', reuseObservations' : ''}, ` +
    `${batches} batch steps in windows of ${windowBatches}; load average at start ${loadavg()[0]!.toFixed(2)}`,
);
console.log(
  '| workers | batch steps | wall us per env step | main | workers | V8 helpers | total CPU us per env step |',
);
console.log('|---:|---|---:|---:|---:|---:|---:|');
for (const workers of values.workers!.split(',').map(Number)) {
  const service = new EnvService({ registry: createDefaultRegistry(), workers });
  const threadsBefore = new Set(threadCpu().keys());
  const env = await EmbeddedVectorEnv.make(
    { envId, numEnvs, kwargs, seed: 0, reuseObservations: values.reuse },
    service,
  );
  const workerThreads = new Set([...threadCpu().keys()].filter((tid) => !threadsBefore.has(tid)));
  const n = (env.spec.single_action_space as { n: number }).n;
  const actions: NDArray[] = Array.from({ length: 64 }, (_, k) =>
    ndarray(
      'int64',
      [numEnvs],
      BigInt64Array.from({ length: numEnvs }, (_, i) => BigInt((7 * k + 3 * i) % n)),
    ),
  );
  await env.reset({ seed: 0 });
  for (let done = 0; done < batches; done += windowBatches) {
    const cpu0 = threadCpu();
    const wall0 = performance.now();
    for (let k = done; k < done + windowBatches; k++) await env.step(actions[k % actions.length]!);
    const steps = windowBatches * numEnvs;
    const wall = Math.round((1000 * (performance.now() - wall0)) / steps);
    const parts = split(cpu0, threadCpu(), workerThreads, steps);
    console.log(
      `| ${workers} | ${done + 1}-${done + windowBatches} | ${wall} | ${parts.main} | ${parts.workers} | ` +
        `${parts.helpers} | ${parts.main + parts.workers + parts.helpers} |`,
    );
  }
  await env.close();
  service.closeAll();
}
console.log(`load average at the end ${loadavg()[0]!.toFixed(2)}`);
