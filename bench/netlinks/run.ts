/**
 * pnpm bench:netlinks — env steps/s of the single-path and vine samplers across real network links: env
 * servers in one network namespace, the agent in another, a veth pair between them (test/netlinks/links.ts), and
 * the project's delaying TCP proxy on the agent side for round-trip times the veth alone does not have (the
 * kernel here has no netem qdisc; the run says which it used). Columns: the veth with no proxy, the proxy with
 * no delay (its own cost), and 0.2 / 2 / 10 ms RTT; rows: 1, 2, 4 servers × sampler. The cells of a row take
 * turns in short slices (bench/netlinks/measure.ts); each cell shows the median slice and its ratio to the no-proxy
 * cell of the same row and mode; "after" cells also their ratio to the no-proxy cell of "before" (lockstep), and
 * cells with 2+ groups to the no-proxy cell of one group (the default sampler's no-delay rate). Ratios
 * are paired: the median over rounds of the ratio of the two cells' slices in that round (a round's slices are
 * seconds apart, so slow changes of the machine's load cancel out). Modes: "before" is the samplers' lockstep order with one session per server
 * (no latency hiding), "after" the pipelined samplers with each server's slots split into sessions, one mode per
 * entry of BENCH_GROUPS.
 *
 *   pnpm bench:netlinks   (runs under nice -n 10)
 *   BENCH_SECONDS (per cell, default 3), BENCH_ROUNDS (slices per cell, default 3), BENCH_ENVS (default CartPole-v1,Hopper-v5,ALE/Pong-v5),
 *   BENCH_SERVERS (default 1,2,4), BENCH_NUM_ENVS (env slots per server, default 8),
 *   BENCH_RATE_MBIT (proxy rate limit per direction and connection, default 0 = none), BENCH_RTTS (default 0,0.2,2,10),
 *   BENCH_SAMPLERS (default single-path,vine), BENCH_GROUPS (sessions per server of each "after" mode, default 1,2),
 *   BENCH_CPU_PROF (a directory: the agent process writes a V8 CPU profile there)
 *
 * After each env's table, a second one gives the CPU seconds per second that the agent, the proxy and the env
 * servers used in each cell (two cores: 2.00 is all of the machine), and a third where a vector env's step cycle
 * goes: the flight of a step (sent → answer decoded by the agent) and the whole cycle (sent → the same vector env's
 * next step sent); cycle − flight is the time the answer waited for its turn plus the turn.
 */
import { availableParallelism, loadavg } from 'node:os';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { firstLine, netemAvailable, openLinks, type Links } from '../../test/netlinks/links.js';
import type { CellCpu, LaneTimes, MeasureCell, MeasureRequest } from './measure.js';
import { median } from '../stats.js';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 3);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const ENVS = (process.env.BENCH_ENVS ?? 'CartPole-v1,Hopper-v5,ALE/Pong-v5').split(',');
const SERVERS = (process.env.BENCH_SERVERS ?? '1,2,4').split(',').map(Number);
const NUM_ENVS = Number(process.env.BENCH_NUM_ENVS ?? 8);
const RATE = (Number(process.env.BENCH_RATE_MBIT ?? 0) * 1e6) / 8;
const RTTS_MS = (process.env.BENCH_RTTS ?? '0,0.2,2,10').split(',').map(Number);
const SAMPLERS = (process.env.BENCH_SAMPLERS ?? 'single-path,vine').split(',') as MeasureCell['sampler'][];
/** One "after" mode per entry: the pipelined samplers with that many sessions (pipelineGroups) per server. */
const GROUPS = (process.env.BENCH_GROUPS ?? '1,2').split(',').map(Number);
const MODES = [
  { name: 'before', lockstep: true, groups: 1 },
  ...GROUPS.map((groups) => ({ name: `after${groups}`, lockstep: false, groups })),
];
/** The example's Pong preprocessing: the paper's CNN input (grayscale, downsampled by 4, 4 frames stacked). */
const KWARGS: Record<string, MeasureRequest['kwargs']> = {
  'ALE/Pong-v5': { obs_type: 'grayscale', downsample: 4, frame_stack: 4 },
};

const root = fileURLToPath(new URL('../../', import.meta.url));
const tsNode = (file: string, ...args: string[]) =>
  [process.execPath, ['--import', 'tsx', '--conditions=source', `${root}${file}`, ...args]] as const;
/** BENCH_CPU_PROF=<dir>: the agent process writes a V8 CPU profile there (where its turns' time goes). */
const CPU_PROF = process.env.BENCH_CPU_PROF;
const load = () =>
  loadavg()
    .map((x) => x.toFixed(2))
    .join(', ');
const linkName = (rtt: number | null) => (rtt === null ? 'veth, no proxy' : `proxy ${rtt} ms`);

interface Started {
  urls: URL[];
  pids: number[];
}

async function startServers(links: Links, count: number): Promise<Started> {
  const started = await Promise.all(
    Array.from({ length: count }, async () => {
      // No pings: the cells of a row waiting for their turn hold idle connections while another cell computes.
      // Every cell of a row keeps its sessions open, each MuJoCo or Atari session with its worker threads.
      const cli = [
        '--host',
        links.envHost,
        '--port',
        '0',
        '--log-level',
        'warn',
        '--ping-interval',
        '0',
        '--max-worker-threads',
        '256',
      ];
      const [command, args] = tsNode('packages/env-server/src/cli.ts', ...cli);
      const child = links.spawnEnvSide(command, [...args], { stdio: ['ignore', 'pipe', 'pipe'] });
      return { url: new URL(await firstLine(child, 120_000)), pid: child.pid ?? 0 };
    }),
  );
  return { urls: started.map((s) => s.url), pids: started.map((s) => s.pid) };
}

/** One proxy process on the agent side with a listener per (server, RTT); returns proxy URLs [rtt][server]. */
async function startProxies(links: Links, servers: URL[]): Promise<{ urls: URL[][]; pid: number }> {
  const routes = RTTS_MS.flatMap((rttMs) =>
    servers.map((url) => ({
      target: { host: links.envHost, port: Number(url.port) },
      rttMs,
      rateBytesPerSecond: RATE,
    })),
  );
  const [command, args] = tsNode('test/netlinks/proxy-main.ts', JSON.stringify(routes));
  const child = links.spawnAgentSide(command, [...args], { stdio: ['pipe', 'pipe', 'pipe'] });
  const ports = JSON.parse(await firstLine(child, 60_000)) as number[];
  const urls = RTTS_MS.map((_, r) =>
    servers.map((url, s) => {
      const proxied = new URL(url);
      proxied.hostname = '127.0.0.1';
      proxied.port = String(ports[r * servers.length + s]);
      return proxied;
    }),
  );
  return { urls, pid: child.pid ?? 0 };
}

interface CellResult {
  label: string;
  sampler: string;
  /** Env steps/s of each slice. */
  rates: number[];
  cpu?: CellCpu;
  lanes?: LaneTimes;
  error?: string;
}

async function measureEnv(links: Links, envId: string, servers: Started, proxies: { urls: URL[][]; pid: number }) {
  const rows: MeasureCell[][] = [];
  for (const count of SERVERS) {
    for (const sampler of SAMPLERS) {
      rows.push(
        MODES.flatMap(({ name, lockstep, groups }) => [
          {
            label: `${count}|${name}|${linkName(null)}`,
            sampler,
            lockstep,
            groups,
            urls: servers.urls.slice(0, count).map(String),
          },
          ...RTTS_MS.map((rtt, r) => ({
            label: `${count}|${name}|${linkName(rtt)}`,
            sampler,
            lockstep,
            groups,
            urls: proxies.urls[r].slice(0, count).map(String),
          })),
        ]),
      );
    }
  }
  const request: MeasureRequest = {
    envId,
    kwargs: KWARGS[envId] ?? {},
    numEnvs: NUM_ENVS,
    seconds: SECONDS,
    rounds: ROUNDS,
    rows,
    proxyPid: proxies.pid,
    serverPids: servers.pids,
  };
  const cells = rows.flat();
  const [command, args] = tsNode('bench/netlinks/measure.ts', JSON.stringify(request));
  const profile = CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${CPU_PROF}`] : [];
  const child = links.spawnAgentSide(command, [...profile, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  // Bounded: every cell gets its seconds plus a generous allowance for connecting and the warm-up batch.
  const timer = setTimeout(() => child.kill('SIGKILL'), cells.length * (SECONDS + 60) * 1000);
  const results: CellResult[] = [];
  for await (const line of createInterface({ input: child.stdout! })) {
    const result = JSON.parse(line) as CellResult;
    results.push(result);
    const rate = result.error
      ? `error: ${result.error}`
      : `${result.rates.map((x) => x.toFixed(0)).join(', ')} steps/s; CPU s/s ${cpuText(result.cpu)}`;
    console.error(`  ${envId} ${result.label} ${result.sampler}: ${rate}`);
  }
  clearTimeout(timer);
  return results;
}

/** "agent / proxy / servers" CPU seconds per second. */
function cpuText(cpu: CellCpu | undefined): string {
  return cpu ? [cpu.agent, cpu.proxy, cpu.servers].map((x) => x.toFixed(2)).join(' / ') : '-';
}

/** The median over rounds of slice rate / reference slice rate of the same round. */
function pairedRatio(cell: CellResult, reference: CellResult): number {
  const rounds = Math.min(cell.rates.length, reference.rates.length);
  return median(Array.from({ length: rounds }, (_, r) => cell.rates[r] / reference.rates[r]));
}

/** The no-proxy cells a cell is compared with: its own mode's, lockstep's, one group's (null: none or failed). */
interface References {
  own: CellResult | null;
  lockstep: CellResult | null;
  oneGroup: CellResult | null;
}

/**
 * One table row per (servers, sampler, mode), one column per link; `format` makes a cell's text from its result
 * and its references.
 */
function printTable(
  title: string,
  results: CellResult[],
  format: (cell: CellResult, references: References, first: boolean) => string,
): void {
  const columns = [null, ...RTTS_MS].map(linkName);
  console.log(`\n${title}\n`);
  console.log(`| servers | sampler | mode | ${columns.join(' | ')} |`);
  console.log(`|---:|---|---|${columns.map(() => '---:').join('|')}|`);
  for (const count of SERVERS) {
    for (const sampler of SAMPLERS) {
      for (const { name, groups } of MODES) {
        const find = (mode: string, column: string) => {
          const cell = results.find((r) => r.label === `${count}|${mode}|${column}` && r.sampler === sampler);
          return cell && !cell.error && cell.rates.length > 0 ? cell : null;
        };
        const references = {
          own: find(name, columns[0]),
          lockstep: name === 'before' ? null : find('before', columns[0]),
          oneGroup: name === 'before' || groups === 1 ? null : find('after1', columns[0]),
        };
        const cells = columns.map((column, k) => {
          const cell = find(name, column);
          return cell === null ? 'failed' : format(cell, references, k === 0);
        });
        const mode = name === 'before' ? 'before' : `after, ${groups} group${groups === 1 ? '' : 's'}`;
        console.log(`| ${count} | ${sampler} | ${mode} | ${cells.join(' | ')} |`);
      }
    }
  }
}

function printTables(envId: string, results: CellResult[]): void {
  const env = `${envId}${KWARGS[envId] ? ` (${JSON.stringify(KWARGS[envId])})` : ''}`;
  const percent = (x: number) => `${(100 * x).toFixed(0)}%`;
  printTable(
    `### ${env}, ${NUM_ENVS} env slots per server: env steps/s (% of the same mode without proxy; after: / % of before without proxy; 2+ groups: / % of 1 group without proxy)`,
    results,
    (cell, { own, lockstep, oneGroup }, first) => {
      const ratios = [
        ...(first || own === null ? [] : [pairedRatio(cell, own)]),
        ...[lockstep, oneGroup].flatMap((reference) => (reference === null ? [] : [pairedRatio(cell, reference)])),
      ];
      const rate = median(cell.rates).toFixed(0);
      return ratios.length === 0 ? rate : `${rate} (${ratios.map(percent).join(' / ')})`;
    },
  );
  printTable(`CPU seconds per second, agent / proxy / env servers (${env})`, results, (cell) => cpuText(cell.cpu));
  printTable(
    `A vector env's step cycle, ms (medians): flight (sent → answer decoded) / cycle (sent → its next step sent) (${env})`,
    results,
    (cell) => (cell.lanes ? `${cell.lanes.flight.toFixed(2)} / ${cell.lanes.cycle.toFixed(2)}` : '-'),
  );
}

async function main(): Promise<void> {
  const links = openLinks();
  try {
    console.log(
      `vinegym bench:netlinks — node ${process.version}, ${availableParallelism()} cores, load average ${load()}`,
    );
    console.log(
      links.kind === 'namespaces'
        ? `links: two network namespaces joined by a veth pair (agent side ↔ env side ${links.envHost})`
        : `links: loopback only (${links.why})`,
    );
    console.log(
      netemAvailable(links)
        ? 'delay: netem is available but not used; delay from the project delaying TCP proxy, as everywhere'
        : 'delay: the kernel has no netem qdisc; delay from the project delaying TCP proxy on the agent side',
    );
    console.log(
      `${SECONDS} s per cell after one warm-up batch, in ${ROUNDS} interleaved slices (before and after alike); rate limit ${RATE > 0 ? `${(RATE * 8) / 1e6} Mbit/s` : 'none'}; the proxy's releases are timed by a sleeping worker thread (no busy wait)`,
    );
    const servers = await startServers(links, Math.max(...SERVERS));
    const proxies = await startProxies(links, servers.urls);
    for (const envId of ENVS) {
      const results = await measureEnv(links, envId, servers, proxies);
      printTables(envId, results);
      console.log(`\nload average after ${envId}: ${load()}`);
    }
  } finally {
    links.cleanup();
  }
}

await main();
