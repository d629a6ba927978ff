/**
 * The agent side of bench:netlinks, run as its own process (inside the agent network namespace when the harness
 * has one). argv[2] is a JSON `MeasureRequest`. Cells come in rows (same servers and sampler, one cell per link and
 * mode: "before" is the lockstep order with one session per server, "after" the pipelined samplers with each
 * server's slots in `groups` sessions): every cell of a row connects its vector envs and takes a warm-up batch, then the row's cells take turns,
 * `rounds` slices of `seconds / rounds` each, so that the machine's changing load hits all links of a row alike.
 * Prints one JSON line per cell: `{ label, sampler, rates, cpu }`, env steps/s of each slice and the CPU
 * seconds per second of wall time that this process (the agent), the proxy and the env servers used during the
 * cell's slices: is the agent saturated, and how much did the proxy, which stands in for a network, take.
 */
import {
  RemoteVectorEnv,
  Rng,
  SinglePathSampler,
  VineSampler,
  adapterFor,
  buildPolicy,
  loadTf,
  slotGroups,
  trainConfig,
  type VectorEnv,
} from '@vinegym/agent';
import { processCpuSeconds } from '../processes.js';
import { median } from '../stats.js';

export interface MeasureCell {
  label: string;
  urls: string[];
  sampler: 'single-path' | 'vine';
  /** Lockstep (before latency hiding) or pipelined. */
  lockstep: boolean;
  /** Sessions per server, each with its share of the slots (pipelineGroups). */
  groups: number;
}

export interface MeasureRequest {
  envId: string;
  kwargs: Record<string, number | boolean | string | null>;
  /** Env slots per server (per vector env). */
  numEnvs: number;
  /** Measured seconds per cell, after the warm-up batch, split into `rounds` interleaved slices. */
  seconds: number;
  rounds: number;
  rows: MeasureCell[][];
  /** Processes whose CPU use is reported per cell (0 / [] where unknown). */
  proxyPid: number;
  serverPids: number[];
}

/**
 * Where a lane's (vector env's) cycle goes, medians over the cell's steps in ms: `flight` from sending a step to its
 * answer being decoded in this process (network, proxy, server, and any wait for this process's event loop),
 * `cycle` from sending a step to sending that lane's next one (the flight plus the time the answer waits for its
 * turn and the turn itself).
 */
export interface LaneTimes {
  flight: number;
  cycle: number;
}

/** CPU seconds per second of the cell's slices: this process (the agent), the proxy, all env servers. */
export interface CellCpu {
  agent: number;
  proxy: number;
  servers: number;
}

/** Lockstep rounds per single-path batch; the vine's trunk and rollouts are scaled down to the same order. */
const ROUNDS_PER_BATCH = 16;

const request = JSON.parse(process.argv[2]) as MeasureRequest;
const { tf } = await loadTf();
const config = trainConfig({ envId: request.envId, seed: 0 });

/**
 * Step timings of a cell's lanes, recorded while `on` (during its slices, not its warm-up); `slice` counts the
 * slices, so that no cycle spans the time other cells ran.
 */
interface LaneLog {
  on: boolean;
  slice: number;
  flight: number[];
  cycle: number[];
}

/** `env` with its steps timed into `log` (the answer is passed on unchanged; the sampler cannot tell). */
function timedSteps(env: VectorEnv, log: LaneLog): VectorEnv {
  let last = { sent: -1, slice: -1 };
  const step = (actions: Parameters<VectorEnv['step']>[0]) => {
    const sent = performance.now();
    if (log.on && last.slice === log.slice) log.cycle.push(sent - last.sent);
    last = { sent, slice: log.slice };
    const answer = env.step(actions);
    answer.then(
      () => log.on && log.flight.push(performance.now() - sent),
      () => undefined,
    );
    return answer;
  };
  return new Proxy(env, {
    get: (target, key) => {
      if (key === 'step') return step;
      const value = Reflect.get(target, key, target) as unknown;
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}

/** Connects a cell's envs and builds its sampler; `batch` collects one batch and returns its env steps. */
async function openCell(cell: MeasureCell, envs: VectorEnv[], log: LaneLog): Promise<() => Promise<number>> {
  const timed: VectorEnv[] = [];
  for (const url of cell.urls) {
    for (const numEnvs of slotGroups(request.numEnvs, cell.groups)) {
      const options = { envId: request.envId, kwargs: request.kwargs, numEnvs, autoresetMode: 'same_step' as const };
      envs.push(await RemoteVectorEnv.connect(url, { ...options, seed: envs.reduce((n, env) => n + env.numEnvs, 0) }));
      timed.push(timedSteps(envs[envs.length - 1], log));
    }
  }
  const adapter = adapterFor(envs[0]);
  const policy = buildPolicy(tf, adapter, config);
  const rng = new Rng(0);
  const totalEnvs = request.numEnvs * cell.urls.length;
  if (cell.sampler === 'single-path') {
    const sampler = new SinglePathSampler({
      envs: timed,
      adapter,
      normalizer: null,
      noise: rng,
      seed: 0,
      lockstep: cell.lockstep,
    });
    return async () => (await sampler.collect(policy, ROUNDS_PER_BATCH * totalEnvs)).steps;
  }
  const vine = { ...config.vine, rolloutSetSize: 8, rolloutLength: 10, trunkSteps: ROUNDS_PER_BATCH * totalEnvs };
  const sampler = new VineSampler({
    envs: timed,
    adapter,
    normalizer: null,
    rng,
    seed: 0,
    gamma: 0.99,
    config: vine,
    lockstep: cell.lockstep,
  });
  return async () => (await sampler.collect(policy)).steps;
}

/** CPU seconds used so far: the agent (this process), the proxy, the servers. */
function cpuNow(): CellCpu {
  const { user, system } = process.cpuUsage();
  return {
    agent: (user + system) / 1e6,
    proxy: request.proxyPid > 0 ? processCpuSeconds(request.proxyPid) : 0,
    servers: request.serverPids.reduce((sum, pid) => sum + processCpuSeconds(pid), 0),
  };
}

/**
 * Env steps/s of whole batches over about `seconds` (a batch started before the deadline is finished and counted);
 * adds the slice's wall seconds and CPU seconds to `usage`.
 */
async function slice(
  batch: () => Promise<number>,
  seconds: number,
  usage: { wall: number; cpu: CellCpu },
  log: LaneLog,
): Promise<number> {
  let steps = 0;
  const cpuBefore = cpuNow();
  const start = performance.now();
  [log.on, log.slice] = [true, log.slice + 1];
  while (performance.now() - start < seconds * 1000) steps += await batch();
  log.on = false;
  const wall = (performance.now() - start) / 1000;
  const cpuAfter = cpuNow();
  usage.wall += wall;
  for (const key of ['agent', 'proxy', 'servers'] as const) usage.cpu[key] += cpuAfter[key] - cpuBefore[key];
  return steps / wall;
}

async function measureRow(
  row: MeasureCell[],
): Promise<{ rates: number[]; cpu?: CellCpu; lanes?: LaneTimes; error?: string }[]> {
  const envs = row.map(() => [] as VectorEnv[]);
  const logs: LaneLog[] = row.map(() => ({ on: false, slice: 0, flight: [], cycle: [] }));
  try {
    const batches = await Promise.all(row.map((cell, k) => openCell(cell, envs[k], logs[k])));
    for (const batch of batches) await batch();
    const rates = row.map(() => [] as number[]);
    const usage = row.map(() => ({ wall: 0, cpu: { agent: 0, proxy: 0, servers: 0 } }));
    for (let round = 0; round < request.rounds; round++) {
      for (const [k, batch] of batches.entries()) {
        rates[k].push(await slice(batch, request.seconds / request.rounds, usage[k], logs[k]));
      }
    }
    return rates.map((r, k) => {
      const { wall, cpu } = usage[k];
      return {
        rates: r,
        cpu: { agent: cpu.agent / wall, proxy: cpu.proxy / wall, servers: cpu.servers / wall },
        lanes: { flight: median(logs[k].flight), cycle: median(logs[k].cycle) },
      };
    });
  } catch (err) {
    return row.map(() => ({ rates: [], error: (err as Error).message }));
  } finally {
    await Promise.all(envs.flat().map((env) => env.close().catch(() => undefined)));
  }
}

for (const row of request.rows) {
  const results = await measureRow(row);
  row.forEach((cell, k) =>
    process.stdout.write(
      `${JSON.stringify({ label: cell.label, sampler: cell.sampler, lockstep: cell.lockstep, ...results[k] })}\n`,
    ),
  );
}
process.exit(0);
