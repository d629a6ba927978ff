/**
 * Where the CPU of a raw-RGB Atari env step goes outside the emulator: the same games stepped in one process, in
 * alternating rounds, five ways (best round of each: CPU microseconds and minor page faults per env step, and the
 * full garbage collections in that round):
 *
 *   act           AleEnv.act only: the emulation of the step's frames (frameskip 4), no observation
 *   + rgb rows    and the RGB observation written into rows of one batch reused every step
 *   + fresh batch the same rows in a new batch every step (what a caller that may keep it gets)
 *   session       an embedded ALE/<Game>-v5 session of the env server (workers 0), a fresh batch per step
 *   session reuse the same with `reuseObservations` (one batch rewritten every step)
 *
 *   tsx --conditions=source bench/atari-step-parts.ts [--games pong,space_invaders,seaquest] [--envs 8]
 *                                                     [--steps 4000] [--rounds 3]
 */
import { loadavg } from 'node:os';
import { PerformanceObserver, constants } from 'node:perf_hooks';
import { EmbeddedVectorEnv } from '@vinegym/agent';
import { EnvService, createDefaultRegistry } from '@vinegym/env-server/embedded';
import { ndarray, type NDArray } from '@vinegym/protocol';
import { AleEnv } from '../packages/ale/src/index.js';
import { envIdOf } from './atari-games.js';

const args = process.argv.slice(2);
const opt = (name: string, def: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && args[i + 1] !== undefined ? args[i + 1]! : def;
};
const games = opt('games', 'pong,space_invaders,seaquest').split(',');
const numEnvs = Number(opt('envs', '8'));
const steps = Number(opt('steps', '4000'));
const rounds = Number(opt('rounds', '3'));
const WARMUP_STEPS = 300;

interface Cost {
  /** CPU microseconds per env step. */
  us: number;
  /** Minor page faults per env step. */
  faults: number;
  /** Full (mark-compact) garbage collections per 1,000 env steps. */
  markCompacts: number;
}

/** When each mark-compact of this process started (performance.now() time). */
const markCompactStarts: number[] = [];
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) {
    const kind = (entry as unknown as { detail?: { kind?: number } }).detail?.kind;
    if (kind === constants.NODE_PERFORMANCE_GC_MAJOR) markCompactStarts.push(entry.startTime);
  }
}).observe({ entryTypes: ['gc'] });

/** What `run(batches)` costs per env step. */
async function costPerStep(run: (batches: number) => unknown, batches: number): Promise<Cost> {
  const f0 = process.resourceUsage().minorPageFault;
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  await run(batches);
  const c = process.cpuUsage(c0);
  const t1 = performance.now();
  const faults = process.resourceUsage().minorPageFault - f0;
  await new Promise((resolve) => setTimeout(resolve, 0)); // the observer hears of collections a turn later
  const steps = batches * numEnvs;
  const markCompacts = markCompactStarts.filter((t) => t >= t0 && t <= t1).length;
  return { us: (c.user + c.system) / steps, faults: faults / steps, markCompacts: (1000 * markCompacts) / steps };
}

async function parts(game: string): Promise<Record<string, Cost>> {
  const envs = Array.from({ length: numEnvs }, () => new AleEnv({ game }));
  envs.forEach((env, i) => env.reset(i));
  const rowSize = envs[0]!.observationSpace.shape.reduce((a, b) => a * b, 1);
  const n = envs[0]!.actionSpace.n;
  let x = 12345;
  const nextAction = () => {
    x = (x * 1103515245 + 12345) % 2 ** 31;
    return (x >> 16) % n;
  };
  const stepAll = (batch: Uint8Array | null) => {
    for (let i = 0; i < numEnvs; i++) {
      const env = envs[i]!;
      env.act(nextAction());
      if (batch !== null) env.observeInto(batch.subarray(i * rowSize, (i + 1) * rowSize));
      if (env.terminated || env.truncated) env.reset();
    }
  };
  const reused = new Uint8Array(numEnvs * rowSize);
  const service = new EnvService({ registry: createDefaultRegistry(), workers: 0 });
  const envId = envIdOf(game);
  const sessions = await Promise.all(
    [false, true].map((reuseObservations) =>
      EmbeddedVectorEnv.make({ envId, numEnvs, seed: 0, reuseObservations }, service),
    ),
  );
  const actions: NDArray[] = Array.from({ length: 64 }, () =>
    ndarray(
      'int64',
      [numEnvs],
      BigInt64Array.from({ length: numEnvs }, () => BigInt(nextAction())),
    ),
  );
  for (const session of sessions) await session.reset({ seed: 0 });
  const sessionRun = (session: EmbeddedVectorEnv) => async (batches: number) => {
    for (let k = 0; k < batches; k++) await session.step(actions[k % 64]!);
  };
  const ways: [string, (batches: number) => unknown][] = [
    ['act', (b) => Array.from({ length: b }, () => stepAll(null))],
    ['+ rgb rows', (b) => Array.from({ length: b }, () => stepAll(reused))],
    ['+ fresh batch', (b) => Array.from({ length: b }, () => stepAll(new Uint8Array(numEnvs * rowSize)))],
    ['session', sessionRun(sessions[0]!)],
    ['session reuse', sessionRun(sessions[1]!)],
  ];
  const best: Record<string, Cost> = {};
  for (const [, run] of ways) await run(Math.ceil(WARMUP_STEPS / numEnvs));
  for (let r = 0; r < rounds; r++) {
    for (const [name, run] of ways) {
      const cost = await costPerStep(run, Math.max(1, Math.floor(steps / numEnvs)));
      if (cost.us < (best[name]?.us ?? Infinity)) best[name] = cost;
    }
  }
  await Promise.all(sessions.map((session) => session.close()));
  service.closeAll();
  return best;
}

const load = () =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');
console.log(`${numEnvs} envs, raw RGB, ${steps} env steps per round, best of ${rounds}; load at start: ${load()}`);
console.log('CPU us per env step (minor page faults per env step; mark-compacts per 1,000 env steps):');
console.log('| game | act | + rgb rows | + fresh batch | session | session reuse |');
console.log('|---|---:|---:|---:|---:|---:|');
for (const game of games) {
  const p = await parts(game);
  console.log(
    `| ${game} | ${Object.values(p)
      .map(({ us, faults, markCompacts }) => `${us.toFixed(0)} (${faults.toFixed(1)}; ${markCompacts.toFixed(1)})`)
      .join(' | ')} |`,
  );
}
console.log(`load at the end: ${load()}`);
