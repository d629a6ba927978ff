/**
 * The env-level table of `pnpm bench:ale`: env steps/s of ALE/<Game>-v5 sessions on our server against gymnasium +
 * ale-py's `SyncVectorEnv` (bench/atari_env_reference.py) measured in the same run, for raw RGB observations
 * ([210, 160, 3]) and the paper's preprocessed ones (grayscale, 52 x 40, 4 frames stacked), embedded (in-process
 * service, no encoding) and over loopback WebSocket (a server process started for the bench, our TypeScript
 * client). Everything but the transport is the same: v5 defaults (frameskip 4, sticky actions 0.25), next-step
 * autoreset, uniform random actions drawn before the timed loop. Transport `ws-reuse` is WebSocket with the client's
 * `reuseReceiveBuffers` (a step's arrays valid until the next request, like Gymnasium's `copy=False`).
 *
 * Each case is measured ROUNDS times, reference and ours alternating, and the best round of each side counts (the
 * least disturbed on a shared machine). Two measures: wall-clock steps/s, and steps per CPU-second (CPU of every
 * process involved: ale-py's; ours: the bench process plus, over WebSocket, the server process), which moves less
 * with the load. `workers` is the server's worker threads per session (0: the envs step on the main thread, one
 * core like SyncVectorEnv; 2: one per core of this machine).
 *
 *   pnpm bench:ale --env-only [--game pong] [--envs 8,16] [--steps 4000] [--rounds 3] [--workers 0,2]
 *                  [--transports embedded,ws,ws-reuse] [--obs raw,paper] [--emulators interpreter,blocks]
 *
 * Every round of ours opens a new session in the same process (server), so compiled blocks (shared per process
 * and ROM) are compiled in the first round and reused by the next ones: with several rounds, the blocks rows are
 * the warm figure.
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
import { processCpuTimes } from './processes.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const PYTHON = join(ROOT, '.venv/bin/python');

export interface AtariEnvBenchOptions {
  game: string;
  envs: number[];
  steps: number;
  rounds: number;
  workers: number[];
  transports: ('embedded' | 'ws' | 'ws-reuse')[];
  obs: ('raw' | 'paper')[];
  /** Our emulator: the interpreter, compiled blocks (kwarg compile_blocks), or one row of each. */
  emulators: ('interpreter' | 'blocks')[];
}

const OBS_KWARGS = {
  raw: {},
  paper: { obs_type: 'grayscale', downsample: 4, frame_stack: 4 },
} as const;

interface Timing {
  steps: number;
  cpuSeconds: number;
  wallSeconds: number;
  /** Ours: CPU seconds of the bench process (the client) and of the server process, user and system. */
  split?: { clientUser: number; clientSystem: number; serverUser: number; serverSystem: number };
}

const ACTION_BATCHES = 64;
const WARMUP_BATCHES = 20;

function reference(envId: string, numEnvs: number, steps: number, preprocess: boolean): Timing {
  const run = spawnSync(PYTHON, [join(ROOT, 'bench/atari_env_reference.py')], {
    input: JSON.stringify({ env_id: envId, num_envs: numEnvs, steps, warmup: WARMUP_BATCHES, preprocess, seed: 0 }),
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

export async function runAtariEnvBench(options: AtariEnvBenchOptions): Promise<void> {
  const envId = `ALE/${options.game.replace(/(^|_)(\w)/g, (_, _u, c: string) => c.toUpperCase())}-v5`;
  console.log(
    `\nEnv level: ${envId} sessions (v5: frameskip 4, sticky 0.25), next-step autoreset; ${options.steps} env steps per round, ` +
      `best of ${options.rounds} rounds per side; reference = gymnasium + ale-py SyncVectorEnv (one process)`,
  );
  console.log(
    `load average (1/5/15 min) at start: ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
  );
  console.log(
    '| obs | transport | emulator | workers | envs | ours steps/s | ale-py steps/s | ours/ale-py (wall) | ours steps/CPU-s | ale-py steps/CPU-s | ours/ale-py (CPU) | load |',
  );
  console.log('|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
  /** Where our CPU went in each case's best-CPU round, printed after the table. */
  const splits: string[] = [];
  for (const obs of options.obs) {
    for (const transport of options.transports) {
      for (const workers of options.workers) {
        const server = transport === 'embedded' ? null : await startServer(workers);
        const service =
          transport === 'embedded' ? new EnvService({ registry: createDefaultRegistry(), workers }) : undefined;
        try {
          for (const numEnvs of options.envs) {
            for (const emulator of options.emulators) {
              const kwargs = { ...OBS_KWARGS[obs], ...(emulator === 'blocks' ? { compile_blocks: true } : {}) };
              const vectorOptions = { envId, numEnvs, kwargs, seed: 0 };
              let ours: Timing | null = null;
              let theirs: Timing | null = null;
              const faster = (a: Timing | null, b: Timing, key: 'cpuSeconds' | 'wallSeconds') =>
                a === null || b.steps / b[key] > a.steps / a[key] ? b : a;
              let oursCpu: Timing | null = null;
              let theirsCpu: Timing | null = null;
              for (let round = 0; round < options.rounds; round++) {
                const ref = reference(envId, numEnvs, options.steps, obs === 'paper');
                const env = server
                  ? await RemoteVectorEnv.connect(server.url, {
                      ...vectorOptions,
                      reuseReceiveBuffers: transport === 'ws-reuse',
                    })
                  : await EmbeddedVectorEnv.make(vectorOptions, service);
                let mine: Timing;
                try {
                  mine = await timeOurs(env, numEnvs, options.steps, server?.pid ?? null);
                } finally {
                  await env.close();
                }
                theirs = faster(theirs, ref, 'wallSeconds');
                ours = faster(ours, mine, 'wallSeconds');
                theirsCpu = faster(theirsCpu, ref, 'cpuSeconds');
                oursCpu = faster(oursCpu, mine, 'cpuSeconds');
              }
              const rate = (t: Timing, key: 'cpuSeconds' | 'wallSeconds') => t.steps / t[key];
              const wallRatio = rate(ours!, 'wallSeconds') / rate(theirs!, 'wallSeconds');
              const cpuRatio = rate(oursCpu!, 'cpuSeconds') / rate(theirsCpu!, 'cpuSeconds');
              console.log(
                `| ${obs} | ${transport} | ${emulator} | ${workers} | ${numEnvs} | ${fmt(rate(ours!, 'wallSeconds'))} | ${fmt(rate(theirs!, 'wallSeconds'))} | ` +
                  `${wallRatio.toFixed(2)} | ${fmt(rate(oursCpu!, 'cpuSeconds'))} | ${fmt(rate(theirsCpu!, 'cpuSeconds'))} | ${cpuRatio.toFixed(2)} | ` +
                  `${loadavg()[0]!.toFixed(2)} |`,
              );
              const { split, steps } = oursCpu!;
              const perStep = (seconds: number) => ((1e6 * seconds) / steps).toFixed(0);
              splits.push(
                `| ${obs} | ${transport} | ${emulator} | ${workers} | ${numEnvs} | ${perStep(split!.clientUser)} | ` +
                  `${perStep(split!.clientSystem)} | ${perStep(split!.serverUser)} | ${perStep(split!.serverSystem)} | ` +
                  `${perStep(oursCpu!.cpuSeconds)} | ${perStep(theirsCpu!.cpuSeconds)} |`,
              );
            }
          }
        } finally {
          service?.closeAll();
          await server?.stop();
        }
      }
    }
  }
  console.log(
    '\nOur CPU per env step in microseconds (best-CPU round; embedded: all of it is the bench process, "client"):',
  );
  console.log(
    '| obs | transport | emulator | workers | envs | client user | client system | server user | server system | ours total | ale-py total |',
  );
  console.log('|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|');
  for (const line of splits) console.log(line);
  console.log(
    `load average (1/5/15 min) at the end: ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
  );
}
