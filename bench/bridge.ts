/**
 * pnpm bench:bridge — env-steps/s through the Python bridge (TypeScript RemoteVectorEnv → `python -m vinegym serve`
 * over loopback WebSocket) vs the same Gymnasium envs stepped directly in Python (bench/gym_direct.py), for
 * CartPole-v1, Hopper-v5, ALE/Pong-v5 (raw 210×160×3 frames) and ALE/Pong-v5 with the bridge's
 * --atari-preprocess (52×40×4 frames) with 1 and 16 envs per session. Both sides step with random actions drawn
 * before the timed loop and autoreset the next_step way, so the difference is the bridge: decoding actions,
 * encoding observations, the WebSocket round trip and the client's decoding.
 *
 * overhead = direct steps/s ÷ bridge steps/s − 1 (the extra time per env step, relative). Goal: ≤ 15% at 16 envs.
 * A third column steps through the bridge with the Python client (bench/bridge_python_client.py): the bridge's own
 * cost without the TypeScript client's (but with the Python client's encoding and decoding).
 * A fourth column steps through a second bridge started with `--workers BENCH_WORKERS` (default 2; 1 leaves the column
 * out): each session's envs split across that many processes (the server's and N - 1 workers). It is not like for
 * like (the direct loop uses one core), so its overhead is labelled as such.
 * Each case is measured BENCH_ROUNDS times (default 3), direct and bridge alternating, BENCH_SECONDS each (default
 * 2), and the best round of each side is reported: on a shared machine the best round is the one least disturbed
 * by other work; the last column is the 1-minute load average when the row was done. BENCH_CASES=CartPole-v1,Hopper-v5
 * picks cases.
 */
import { spawnSync } from 'node:child_process';
import { loadavg } from 'node:os';
import { RemoteVectorEnv } from '@vinegym/agent';
import { ndarray, type NDArray, type Space } from '@vinegym/protocol';
import { REPO_ROOT, requireVenvPython, startPythonBridge } from '../examples/python-bridge/bridge-process.js';

const SECONDS_PER_CASE = Number(process.env.BENCH_SECONDS ?? 2);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const NUM_ENVS = [1, 16];
const WORKERS = Number(process.env.BENCH_WORKERS ?? 2);

interface Case {
  name: string;
  envId: string;
  /** Bridge options, also given to bench/gym_direct.py (which knows --atari-preprocess). */
  args: string[];
}
const CASES: Case[] = [
  { name: 'CartPole-v1', envId: 'CartPole-v1', args: [] },
  { name: 'Hopper-v5', envId: 'Hopper-v5', args: [] },
  { name: 'ALE/Pong-v5', envId: 'ALE/Pong-v5', args: [] },
  { name: 'ALE/Pong-v5 --atari-preprocess', envId: 'ALE/Pong-v5', args: ['--atari-preprocess'] },
].filter((c) => !process.env.BENCH_CASES || process.env.BENCH_CASES.split(',').includes(c.name));
const ACTION_BATCHES = 64;

function randomActionBatch(space: Space, numEnvs: number): NDArray {
  if (space.type === 'discrete') {
    const data = new BigInt64Array(numEnvs);
    for (let i = 0; i < numEnvs; i++) data[i] = BigInt(space.start + Math.floor(Math.random() * space.n));
    return ndarray('int64', [numEnvs], data);
  }
  if (space.type === 'box') {
    const size = space.shape.reduce((a, b) => a * b, 1);
    const low = space.low.data as ArrayLike<number>;
    const high = space.high.data as ArrayLike<number>;
    const data = space.dtype === 'float64' ? new Float64Array(numEnvs * size) : new Float32Array(numEnvs * size);
    for (let i = 0; i < data.length; i++) data[i] = low[i % size] + Math.random() * (high[i % size] - low[i % size]);
    return ndarray(space.dtype === 'float64' ? 'float64' : 'float32', [numEnvs, ...space.shape], data);
  }
  throw new Error(`bench:bridge has no random actions for ${space.type} spaces`);
}

async function bridgeStepsPerSecond(url: string, envId: string, numEnvs: number): Promise<number> {
  const env = await RemoteVectorEnv.connect(url, { envId, numEnvs, seed: 0 });
  try {
    const actions = Array.from({ length: ACTION_BATCHES }, () =>
      randomActionBatch(env.spec.single_action_space, numEnvs),
    );
    await env.reset({ seed: 0 });
    for (let k = 0; k < 16; k++) await env.step(actions[k]); // warm-up
    let steps = 0;
    let k = 0;
    const start = performance.now();
    const deadline = start + SECONDS_PER_CASE * 1000;
    while (performance.now() < deadline) {
      for (let j = 0; j < 16; j++) await env.step(actions[k++ % ACTION_BATCHES]);
      steps += 16 * numEnvs;
    }
    return steps / ((performance.now() - start) / 1000);
  } finally {
    await env.close();
  }
}

/** Runs one of the bench's Python scripts, which print {"steps_per_s": ...} as their last stdout line. */
function pythonStepsPerSecond(script: string, args: string[]): number {
  const run = spawnSync(requireVenvPython(), [script, ...args], { cwd: REPO_ROOT, encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`${script} ${args.join(' ')} failed: ${run.stderr}`);
  return JSON.parse(run.stdout.trim().split('\n').at(-1)!).steps_per_s;
}

function directStepsPerSecond({ envId, args }: Case, numEnvs: number): number {
  return pythonStepsPerSecond('bench/gym_direct.py', [envId, String(numEnvs), String(SECONDS_PER_CASE), ...args]);
}

function pythonClientStepsPerSecond(url: string, envId: string, numEnvs: number): number {
  return pythonStepsPerSecond('bench/bridge_python_client.py', [url, envId, String(numEnvs), String(SECONDS_PER_CASE)]);
}

const fmt = (x: number) => Math.round(x).toLocaleString('en-US');

async function main(): Promise<void> {
  const load = () =>
    loadavg()
      .map((x) => x.toFixed(2))
      .join(', ');
  console.log(
    `vinegym bench:bridge — best of ${ROUNDS} rounds of ${SECONDS_PER_CASE} s per side and case, node ${process.version}`,
  );
  console.log(`load average (1, 5, 15 min) at start: ${load()}\n`);
  const workersColumns =
    WORKERS > 1 ? ` bridge --workers ${WORKERS}, TS client steps/s | overhead (not like for like) |` : '';
  console.log(
    `| env | envs/session | direct Python steps/s | bridge, TS client steps/s | bridge / direct | overhead | bridge, Python client steps/s | overhead |${workersColumns} load |`,
  );
  console.log(`|---|---:|---:|---:|---:|---:|---:|---:|${WORKERS > 1 ? '---:|---:|' : ''}---:|`);
  for (const benchCase of CASES) {
    const bridge = await startPythonBridge(benchCase.envId, benchCase.args);
    const workersBridge =
      WORKERS > 1
        ? await startPythonBridge(benchCase.envId, [...benchCase.args, '--workers', String(WORKERS)])
        : undefined;
    try {
      for (const numEnvs of NUM_ENVS) {
        let direct = 0;
        let through = 0;
        let pythonClient = 0;
        let throughWorkers = 0;
        for (let round = 0; round < ROUNDS; round++) {
          // Alternating the sides spreads changes in machine load over all of them.
          direct = Math.max(direct, directStepsPerSecond(benchCase, numEnvs));
          through = Math.max(through, await bridgeStepsPerSecond(bridge.url, benchCase.envId, numEnvs));
          pythonClient = Math.max(pythonClient, pythonClientStepsPerSecond(bridge.url, benchCase.envId, numEnvs));
          if (workersBridge && numEnvs > 1) {
            throughWorkers = Math.max(
              throughWorkers,
              await bridgeStepsPerSecond(workersBridge.url, benchCase.envId, numEnvs),
            );
          }
        }
        const overhead = (steps: number) => `${((direct / steps - 1) * 100).toFixed(0)}%`;
        // A one-env session has nothing to split: it runs in the server process, as without --workers.
        const workersCells = !workersBridge
          ? ''
          : numEnvs > 1
            ? ` ${fmt(throughWorkers)} | ${overhead(throughWorkers)} |`
            : ' — | — |';
        console.log(
          `| ${benchCase.name} | ${numEnvs} | ${fmt(direct)} | ${fmt(through)} | ${(through / direct).toFixed(2)} | ${overhead(through)} | ${fmt(pythonClient)} | ${overhead(pythonClient)} |${workersCells} ${loadavg()[0].toFixed(2)} |`,
        );
      }
    } finally {
      await Promise.all([bridge.stop(), workersBridge?.stop()]);
    }
  }
  console.log(`load average at end: ${load()}`);
}

await main();
