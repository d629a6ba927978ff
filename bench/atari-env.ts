/**
 * The env-level table of `pnpm bench:ale`: env steps/s of ALE/<Game>-v5 sessions on our server against gymnasium +
 * ale-py's `SyncVectorEnv` (bench/atari_env_reference.py) measured in the same run, for raw RGB observations
 * ([210, 160, 3]) and the paper's preprocessed ones (grayscale, 52 x 40, 4 frames stacked), embedded (in-process
 * service, no encoding) and over loopback WebSocket (a server process started for the bench, our TypeScript
 * client). Everything but the transport is the same: v5 defaults (frameskip 4, sticky actions 0.25), next-step
 * autoreset, uniform random actions drawn before the timed loop. Transports `embedded-reuse` (the session's
 * `reuseObservations`) and `ws-reuse` (the client's `reuseReceiveBuffers`) hand out a step's arrays valid until the
 * next step, Gymnasium's `copy=False`: their reference is `SyncVectorEnv(copy=False)`, the others' its default
 * (`copy=True`, a fresh batch every step, as ours). `--reference ale` measures ale-py's own C++ `AtariVectorEnv`
 * instead, on as many threads as our row has workers (one for `workers` 0), configured as v5 without its Atari
 * defaults (bench/atari_env_reference.py); it always returns a fresh batch.
 *
 * Each case is measured ROUNDS times; in each round the reference runs once, then each of our emulators, and the best
 * round of each side counts (the least disturbed on a shared machine). Two measures: wall-clock steps/s, and steps per CPU-second (CPU of every
 * process involved: ale-py's; ours: the bench process plus, over WebSocket, the server process), which moves less
 * with the load. `workers` is the server's worker threads per session (0: the envs step on the main thread, one
 * core like SyncVectorEnv; 2: one per core of this machine).
 *
 *   pnpm bench:ale --env-only [--games pong,breakout] [--envs 8,16] [--steps 4000] [--rounds 3] [--workers 0,2]
 *                  [--transports embedded,embedded-reuse,ws,ws-reuse] [--obs raw,paper]
 *                  [--emulators blocks,interpreter]
 *                  [--reference sync|ale]
 *
 * Every round of ours opens a new session in the same process (server), so compiled blocks (shared per process
 * and ROM) are compiled in the first round and reused by the next ones: with several rounds, the best round of the
 * blocks rows is the warm figure, and the "first round" column (both sides' first rounds) the cold one. With several
 * games the table ends with the geometric mean of each row kind over the games.
 */
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { EmbeddedVectorEnv, RemoteVectorEnv, type VectorEnv } from '@vinegym/agent';
import { EnvService, createDefaultRegistry } from '@vinegym/env-server/embedded';
import { ndarray, type NDArray } from '@vinegym/protocol';
import { ATARI_OBS_KWARGS, envIdOf } from './atari-games.js';
import { processCpuTimes } from './processes.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const PYTHON = join(ROOT, '.venv/bin/python');

type Transport = 'embedded' | 'embedded-reuse' | 'ws' | 'ws-reuse';
/** Transports whose step arrays are valid until the next step (compared with `SyncVectorEnv(copy=False)`). */
const REUSING: readonly Transport[] = ['embedded-reuse', 'ws-reuse'];

export interface AtariEnvBenchOptions {
  /** ale-py game names (`pong`, `space_invaders`), one block of rows each. */
  games: string[];
  envs: number[];
  steps: number;
  rounds: number;
  workers: number[];
  transports: Transport[];
  obs: ('raw' | 'paper')[];
  /** Our emulator: compiled blocks (the default), the interpreter (kwarg compile_blocks: false), or one row of each. */
  emulators: ('interpreter' | 'blocks')[];
  /** ale-py's side: gymnasium's `SyncVectorEnv` (the default), or ale-py's threaded `AtariVectorEnv`. */
  reference?: Reference;
}

type Reference = 'sync' | 'ale';
const REFERENCE_LABELS: Record<Reference, string> = {
  sync: 'gymnasium + ale-py SyncVectorEnv (one process)',
  ale: "ale-py's AtariVectorEnv (C++, one thread per worker of ours, one for workers 0)",
};

/** The emulator column: which row is what a session gets without the kwarg. */
const EMULATOR_LABELS = { blocks: 'blocks (default)', interpreter: 'interpreter' } as const;

interface Timing {
  steps: number;
  cpuSeconds: number;
  wallSeconds: number;
  /** Ours: CPU seconds of the bench process (the client) and of the server process, user and system. */
  split?: { clientUser: number; clientSystem: number; serverUser: number; serverSystem: number };
}

const ACTION_BATCHES = 64;
const WARMUP_BATCHES = 20;

interface ReferenceRun {
  envId: string;
  numEnvs: number;
  steps: number;
  preprocess: boolean;
  copy: boolean;
  vector: Reference;
  threads: number;
}

function reference({ envId, numEnvs, steps, preprocess, copy, vector, threads }: ReferenceRun): Timing {
  const run = spawnSync(PYTHON, [join(ROOT, 'bench/atari_env_reference.py')], {
    input: JSON.stringify({
      env_id: envId,
      num_envs: numEnvs,
      steps,
      warmup: WARMUP_BATCHES,
      preprocess,
      seed: 0,
      copy,
      vector,
      threads,
    }),
    encoding: 'utf8',
  });
  if (run.status !== 0) throw new Error(`atari_env_reference.py failed: ${run.stderr}`);
  return JSON.parse(run.stdout.trim().split('\n').at(-1)!) as Timing;
}

async function timeOurs(env: VectorEnv, numEnvs: number, steps: number, serverPid: number | null): Promise<Timing> {
  const n = env.spec.single_action_space.type === 'discrete' ? env.spec.single_action_space.n : 0;
  const actions: NDArray[] = Array.from({ length: ACTION_BATCHES }, () => {
    const data = new BigInt64Array(numEnvs);
    for (let i = 0; i < numEnvs; i++) data[i] = BigInt(Math.floor(Math.random() * n));
    return ndarray('int64', [numEnvs], data);
  });
  await env.reset({ seed: 0 });
  for (let k = 0; k < WARMUP_BATCHES; k++) await env.step(actions[k % ACTION_BATCHES]!);
  const batches = Math.max(1, Math.floor(steps / numEnvs));
  const serverTimes = () => (serverPid === null ? { user: 0, system: 0 } : processCpuTimes(serverPid));
  const c0 = process.cpuUsage();
  const s0 = serverTimes();
  const w0 = performance.now();
  for (let k = 0; k < batches; k++) await env.step(actions[k % ACTION_BATCHES]!);
  const wallSeconds = (performance.now() - w0) / 1000;
  const cpu = process.cpuUsage(c0);
  const s1 = serverTimes();
  const split = {
    clientUser: cpu.user / 1e6,
    clientSystem: cpu.system / 1e6,
    serverUser: s1.user - s0.user,
    serverSystem: s1.system - s0.system,
  };
  const cpuSeconds = split.clientUser + split.clientSystem + split.serverUser + split.serverSystem;
  return { steps: batches * numEnvs, cpuSeconds, wallSeconds, split };
}

interface ServerProcess {
  url: string;
  pid: number;
  stop(): Promise<void>;
}

async function startServer(workers: number): Promise<ServerProcess> {
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      '--conditions',
      'source',
      join(ROOT, 'packages/env-server/src/cli.ts'),
      '--port',
      '0',
      '--workers',
      String(workers),
      '--log-level',
      'warn',
    ],
    { cwd: ROOT, stdio: ['ignore', 'pipe', 'ignore'] },
  );
  const [url] = (await once(createInterface({ input: child.stdout! }), 'line')) as [string];
  return {
    url,
    pid: child.pid!,
    stop: async () => {
      child.kill('SIGTERM');
      await once(child, 'exit');
    },
  };
}

const fmt = (x: number) => Math.round(x).toLocaleString('en-US');

const rate = (t: Timing, key: 'cpuSeconds' | 'wallSeconds') => t.steps / t[key];

/** The best (least disturbed) of a side's rounds, and its first round (which pays V8's compilation in this process). */
class Rounds {
  first: Timing | null = null;
  bestWall: Timing | null = null;
  bestCpu: Timing | null = null;

  add(t: Timing): void {
    this.first ??= t;
    if (this.bestWall === null || rate(t, 'wallSeconds') > rate(this.bestWall, 'wallSeconds')) this.bestWall = t;
    if (this.bestCpu === null || rate(t, 'cpuSeconds') > rate(this.bestCpu, 'cpuSeconds')) this.bestCpu = t;
  }
}

export async function runAtariEnvBench(options: AtariEnvBenchOptions): Promise<void> {
  console.log(
    `\nEnv level: ALE/<Game>-v5 sessions (v5: frameskip 4, sticky 0.25), next-step autoreset; ${options.steps} env steps per round, ` +
      `best of ${options.rounds} rounds per side; reference = ${REFERENCE_LABELS[options.reference ?? 'sync']}, measured once ` +
      'per round for all emulator rows; "first round" = both sides\' first round (ours pays V8\'s compilation there)',
  );
  console.log(
    `load average (1/5/15 min) at start: ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
  );
  console.log(
    '| game | obs | transport | emulator | workers | envs | ours steps/s | ale-py steps/s | ours/ale-py (wall) | ours steps/CPU-s | ' +
      'ale-py steps/CPU-s | ours/ale-py (CPU) | first round: ours/ale-py (CPU) | load |',
  );
  console.log('|---|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
  /** CPU ratios by obs, transport, emulator, workers and envs, for the geometric means over games. */
  const ratios = new Map<string, number[]>();
  /** Where our CPU went in each case's best-CPU round, printed after the table. */
  const splits: string[] = [];
  for (const obs of options.obs) {
    for (const transport of options.transports) {
      for (const workers of options.workers) {
        const embedded = transport === 'embedded' || transport === 'embedded-reuse';
        const reusing = REUSING.includes(transport);
        const server = embedded ? null : await startServer(workers);
        const service = embedded ? new EnvService({ registry: createDefaultRegistry(), workers }) : undefined;
        try {
          for (const game of options.games) {
            const envId = envIdOf(game);
            for (const numEnvs of options.envs) {
              const theirs = new Rounds();
              const ours = options.emulators.map(() => new Rounds());
              for (let round = 0; round < options.rounds; round++) {
                theirs.add(
                  reference({
                    envId,
                    numEnvs,
                    steps: options.steps,
                    preprocess: obs === 'paper',
                    copy: !reusing,
                    vector: options.reference ?? 'sync',
                    threads: Math.max(1, workers),
                  }),
                );
                for (const [i, emulator] of options.emulators.entries()) {
                  const kwargs = { ...ATARI_OBS_KWARGS[obs], compile_blocks: emulator === 'blocks' };
                  const vectorOptions = { envId, numEnvs, kwargs, seed: 0 };
                  const env = server
                    ? await RemoteVectorEnv.connect(server.url, {
                        ...vectorOptions,
                        reuseReceiveBuffers: reusing,
                      })
                    : await EmbeddedVectorEnv.make({ ...vectorOptions, reuseObservations: reusing }, service);
                  try {
                    ours[i]!.add(await timeOurs(env, numEnvs, options.steps, server?.pid ?? null));
                  } finally {
                    await env.close();
                  }
                }
              }
              for (const [i, emulator] of options.emulators.entries()) {
                const mine = ours[i]!;
                const wallRatio = rate(mine.bestWall!, 'wallSeconds') / rate(theirs.bestWall!, 'wallSeconds');
                const cpuRatio = rate(mine.bestCpu!, 'cpuSeconds') / rate(theirs.bestCpu!, 'cpuSeconds');
                const firstRatio = rate(mine.first!, 'cpuSeconds') / rate(theirs.first!, 'cpuSeconds');
                const key = `${obs} | ${transport} | ${EMULATOR_LABELS[emulator]} | ${workers} | ${numEnvs}`;
                ratios.set(key, [...(ratios.get(key) ?? []), cpuRatio]);
                console.log(
                  `| ${game} | ${key} | ${fmt(rate(mine.bestWall!, 'wallSeconds'))} | ${fmt(rate(theirs.bestWall!, 'wallSeconds'))} | ` +
                    `${wallRatio.toFixed(2)} | ${fmt(rate(mine.bestCpu!, 'cpuSeconds'))} | ${fmt(rate(theirs.bestCpu!, 'cpuSeconds'))} | ` +
                    `${cpuRatio.toFixed(2)} | ${firstRatio.toFixed(2)} | ${loadavg()[0]!.toFixed(2)} |`,
                );
                const { split, steps } = mine.bestCpu!;
                const perStep = (seconds: number) => ((1e6 * seconds) / steps).toFixed(0);
                splits.push(
                  `| ${game} | ${key} | ${perStep(split!.clientUser)} | ${perStep(split!.clientSystem)} | ` +
                    `${perStep(split!.serverUser)} | ${perStep(split!.serverSystem)} | ${perStep(mine.bestCpu!.cpuSeconds)} | ` +
                    `${perStep(theirs.bestCpu!.cpuSeconds)} |`,
                );
              }
            }
          }
        } finally {
          service?.closeAll();
          await server?.stop();
        }
      }
    }
  }
  if (options.games.length > 1) {
    console.log('\nGeometric mean over the games of ours/ale-py (CPU), best rounds:');
    console.log('| obs | transport | emulator | workers | envs | ours/ale-py (CPU) | lowest | highest |');
    console.log('|---|---|---|---:|---:|---:|---:|---:|');
    for (const [key, values] of ratios) {
      const mean = Math.exp(values.reduce((sum, r) => sum + Math.log(r), 0) / values.length);
      console.log(
        `| ${key} | ${mean.toFixed(2)} | ${Math.min(...values).toFixed(2)} | ${Math.max(...values).toFixed(2)} |`,
      );
    }
  }
  console.log(
    '\nOur CPU per env step in microseconds (best-CPU round; embedded: all of it is the bench process, "client"):',
  );
  console.log(
    '| game | obs | transport | emulator | workers | envs | client user | client system | server user | server system | ours total | ale-py total |',
  );
  console.log('|---|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|');
  for (const line of splits) console.log(line);
  console.log(
    `load average (1/5/15 min) at the end: ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
  );
}
