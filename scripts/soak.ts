/**
 * Soak test: many concurrent clients against one env server on 127.0.0.1, for a bounded time.
 *
 *   npx tsx --conditions=source scripts/soak.ts [--clients 100] [--seconds 60] [--seed 1]
 *
 * The server runs in a child process (node --expose-gc) and reports its memory after a full GC before and after the
 * soak. Each client makes random CartPole sessions, steps/resets/snapshots/restores them and checks every answer
 * against an in-process replica, and disconnects cleanly or abruptly. Passes (exit 0) when no client saw a wrong
 * answer or an unexpected error, every session was freed, and the server's heap is back near its baseline.
 */
import { fork } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { soakClient, type ClientStats } from '../test/support/soak/client.js';

const { values } = parseArgs({
  options: {
    clients: { type: 'string', default: '100' },
    seconds: { type: 'string', default: '60' },
    seed: { type: 'string', default: '1' },
  },
});
const clients = Number(values.clients);
const seconds = Number(values.seconds);
const MiB = (bytes: number) => `${(bytes / 2 ** 20).toFixed(1)} MiB`;

interface Measured {
  memory: NodeJS.MemoryUsage;
  stats: { sessions: number; envs: number; owners: number };
  connections: number;
  gc: boolean;
}

const child = fork(fileURLToPath(new URL('../test/support/soak/server.ts', import.meta.url)), [], {
  execArgv: ['--expose-gc', '--import', 'tsx', '--conditions', 'source'],
  stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
});
const [ready] = (await once(child, 'message')) as [{ url: string; httpUrl: string }];
const measure = async (): Promise<Measured> => {
  child.send({ type: 'measure' });
  for (;;) {
    const [message] = (await once(child, 'message')) as [{ type: string } & Measured];
    if (message.type === 'measured') return message;
  }
};

/** A small deterministic PRNG per client (mulberry32), so runs with the same seed make the same choices. */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// Warm-up (JIT, module caches, first sessions), then the baseline.
await soakClient(ready.url, Date.now() + 2000, mulberry32(0));
await new Promise((resolve) => setTimeout(resolve, 300));
const baseline = await measure();
process.stdout.write(
  `server baseline after warm-up and GC: heap ${MiB(baseline.memory.heapUsed)}, rss ${MiB(baseline.memory.rss)}, external ${MiB(baseline.memory.external)}\n`,
);

const started = Date.now();
let peak = baseline;
const sampler = setInterval(() => {
  void fetch(`${ready.httpUrl}/metrics`)
    .then((r) => r.text())
    .then((text) => {
      const rss = Number(/^process_resident_memory_bytes (\d+)/m.exec(text)?.[1] ?? 0);
      if (rss > peak.memory.rss) peak = { ...peak, memory: { ...peak.memory, rss } };
    })
    .catch(() => undefined);
}, 1000);
const results: ClientStats[] = await Promise.all(
  Array.from({ length: clients }, (_, c) =>
    soakClient(ready.url, started + seconds * 1000, mulberry32(Number(values.seed) * 1000 + c + 1)),
  ),
);
clearInterval(sampler);
const elapsed = (Date.now() - started) / 1000;
await new Promise((resolve) => setTimeout(resolve, 1000)); // abrupt disconnects are noticed by the server
const after = await measure();

const sum = (key: keyof Omit<ClientStats, 'errors'>) => results.reduce((total, r) => total + r[key], 0);
const errors = results.flatMap((r) => r.errors);
const heapGrowth = after.memory.heapUsed - baseline.memory.heapUsed;
process.stdout.write(
  `${clients} clients for ${elapsed.toFixed(1)} s: ${sum('connections')} connections (${sum('abrupt')} dropped abruptly), ` +
    `${sum('operations')} operations, ${sum('envSteps')} env steps (${Math.round(sum('envSteps') / elapsed)}/s)\n` +
    `wrong answers: ${sum('mismatches')}, unexpected errors: ${errors.length}${errors.length ? ` (first: ${errors[0]})` : ''}\n` +
    `server after soak: ${after.stats.sessions} sessions, ${after.stats.envs} envs, ${after.connections} connections; ` +
    `heap ${MiB(after.memory.heapUsed)} (baseline ${MiB(baseline.memory.heapUsed)}, ${heapGrowth >= 0 ? '+' : ''}${MiB(heapGrowth)}), ` +
    `rss ${MiB(after.memory.rss)} (baseline ${MiB(baseline.memory.rss)}, peak during soak ${MiB(peak.memory.rss)})\n`,
);
child.send({ type: 'stop' });
await once(child, 'exit');
const pass =
  sum('mismatches') === 0 &&
  errors.length === 0 &&
  after.stats.sessions === 0 &&
  after.connections === 0 &&
  heapGrowth < 16 * 2 ** 20;
process.stdout.write(`${pass ? 'PASS' : 'FAIL'}\n`);
process.exit(pass ? 0 : 1);
