/**
 * Fuzzes the protocol decoder and live env servers with random and mutated frames (fast-check).
 *
 *   npx tsx --conditions=source scripts/fuzz-server.ts [--frames 1000000] [--before-hello-frames 1000000]
 *                                                      [--seconds 600] [--seed 1]
 *
 * After hello (`--frames`): half of the frames go through the decoding path in-process, half to a vinegym-server
 * child process on 127.0.0.1 (so a crash of the server is seen as its exit). Before hello (`--before-hello-frames`):
 * the same split, with the budget before hello, against a server child started with a token, from peers that never
 * get through hello (test/support/fuzz/before-hello.ts). Prints frames/s, outcome counts and each server's resident
 * memory (start, peak, end); exits 1 on any untyped exception, INTERNAL error, wrong or missing response or close,
 * dropped connection or server exit. 0 frames skips a part. `--seconds` bounds each part.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { BUDGET_BEFORE_HELLO, beforeHelloFrames, fuzzBeforeHello } from '../test/support/fuzz/before-hello.js';
import { formatReport, fuzzDecoder, fuzzLive } from '../test/support/fuzz/run.js';
import type { FuzzReport } from '../test/support/fuzz/run.js';

const { values } = parseArgs({
  options: {
    frames: { type: 'string', default: '1000000' },
    'before-hello-frames': { type: 'string', default: '1000000' },
    seconds: { type: 'string', default: '600' },
    seed: { type: 'string', default: '1' },
  },
});
const seconds = Number(values.seconds);
const seed = Number(values.seed);
const root = fileURLToPath(new URL('..', import.meta.url));
const MiB = 1024 * 1024;

interface ServerChild {
  url: string;
  /** Resident memory now (bytes), and the largest seen while sampling. */
  rss(): number;
  peakRss(): number;
  exited(): number | null;
  stop(): void;
}

async function startServer(args: string[]): Promise<ServerChild> {
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      '--conditions',
      'source',
      'packages/env-server/src/cli.ts',
      '--port',
      '0',
      '--log-level',
      'error',
      ...args,
    ],
    {
      cwd: root,
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  let exit: number | null = null;
  child.on('exit', (code) => (exit = code ?? -1));
  const [url] = (await new Promise((resolve) =>
    createInterface({ input: child.stdout! }).once('line', (line) => resolve([line])),
  )) as [string];
  const rss = () => {
    try {
      return Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'))?.[1] ?? 0) * 1024;
    } catch {
      return 0;
    }
  };
  let peak = rss();
  const sampler = setInterval(() => (peak = Math.max(peak, rss())), 200);
  sampler.unref();
  return {
    url,
    rss,
    peakRss: () => peak,
    exited: () => exit,
    stop: () => (clearInterval(sampler), child.kill('SIGTERM')),
  };
}

/** Checks a server after its part: alive, /healthz 200, and how its memory went. */
async function afterwards(name: string, server: ServerChild, startRss: number): Promise<boolean> {
  const base = server.url.replace('ws://', 'http://').replace('/v1/ws', '');
  const health = await fetch(`${base}/healthz`).then(
    (r) => r.status,
    () => 0,
  );
  const metrics = await fetch(`${base}/metrics`).then(
    (r) => r.text(),
    () => '',
  );
  const sessions = /^vinegym_sessions (\d+)/m.exec(metrics)?.[1];
  const mib = (bytes: number) => (bytes / MiB).toFixed(1);
  process.stdout.write(
    `${name} server after fuzzing: /healthz ${health}, exited ${server.exited() === null ? 'no' : `yes (${server.exited()})`}, ` +
      `open sessions ${sessions}, RSS start ${mib(startRss)} MiB, peak ${mib(server.peakRss())} MiB, end ${mib(server.rss())} MiB\n`,
  );
  return server.exited() === null && health === 200;
}

const reports: FuzzReport[] = [];
let ok = true;

const after = Number(values.frames);
if (after > 0) {
  const decoder = fuzzDecoder({ frames: Math.ceil(after / 2), seed, timeLimitMs: (seconds * 1000) / 2 });
  process.stdout.write(formatReport('decoder, after hello', decoder) + '\n');
  const server = await startServer([]);
  const startRss = server.rss();
  const live = await fuzzLive({
    url: server.url,
    frames: Math.floor(after / 2),
    seed: seed + 1,
    timeLimitMs: (seconds * 1000) / 2,
  });
  process.stdout.write(formatReport('live server, after hello', live) + '\n');
  ok = (await afterwards('after-hello', server, startRss)) && ok;
  server.stop();
  reports.push(decoder, live);
}

const before = Number(values['before-hello-frames']);
if (before > 0) {
  const decoder = fuzzDecoder({
    frames: Math.ceil(before / 2),
    seed: seed + 2,
    timeLimitMs: (seconds * 1000) / 2,
    arbitrary: beforeHelloFrames(),
    budget: BUDGET_BEFORE_HELLO,
  });
  process.stdout.write(formatReport('decoder, before hello', decoder) + '\n');
  const token = `fuzz-${Math.random().toString(36).slice(2)}${Math.random().toString(36).slice(2)}`;
  const server = await startServer(['--token', token]);
  const startRss = server.rss();
  const live = await fuzzBeforeHello({
    url: server.url,
    frames: Math.floor(before / 2),
    seed: seed + 3,
    timeLimitMs: (seconds * 1000) / 2,
    batch: 2000,
    connections: 4,
  });
  process.stdout.write(formatReport('live server with a token, before hello', live) + '\n');
  ok = (await afterwards('before-hello', server, startRss)) && ok;
  server.stop();
  reports.push(decoder, live);
}

ok = ok && reports.every((r) => r.failures.length === 0);
process.stdout.write(`total: ${reports.reduce((n, r) => n + r.frames, 0)} frames, ${ok ? 'PASS' : 'FAIL'}\n`);
process.exit(ok ? 0 : 1);
