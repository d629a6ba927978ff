/**
 * Fuzzes the protocol decoder and a live env server with random and mutated frames (fast-check).
 *
 *   npx tsx --conditions=source scripts/fuzz-server.ts [--frames 1000000] [--seconds 600] [--seed 1]
 *
 * Half of the frames go through the decoding path in-process, half to a vinegym-server child process on
 * 127.0.0.1 (so a crash of the server is seen as its exit). Prints frames/s and outcome counts by error code;
 * exits 1 on any untyped exception, INTERNAL error, wrong or missing response, dropped connection or server exit.
 */
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { formatReport, fuzzDecoder, fuzzLive } from '../test/support/fuzz/run.js';

const { values } = parseArgs({
  options: { frames: { type: 'string', default: '1000000' }, seconds: { type: 'string', default: '600' }, seed: { type: 'string', default: '1' } },
});
const total = Number(values.frames);
const seconds = Number(values.seconds);
const seed = Number(values.seed);
const root = fileURLToPath(new URL('..', import.meta.url));

const decoder = fuzzDecoder({ frames: Math.ceil(total / 2), seed, timeLimitMs: (seconds * 1000) / 2 });
process.stdout.write(formatReport('decoder', decoder) + '\n');

const server = spawn(process.execPath, ['--import', 'tsx', '--conditions', 'source', 'packages/env-server/src/cli.ts', '--port', '0', '--log-level', 'error'], {
  cwd: root,
  stdio: ['ignore', 'pipe', 'inherit'],
});
let serverExit: number | null = null;
server.on('exit', (code) => (serverExit = code ?? -1));
const [url] = (await new Promise((resolve) => createInterface({ input: server.stdout! }).once('line', (line) => resolve([line])))) as [string];
const live = await fuzzLive({ url, frames: Math.floor(total / 2), seed: seed + 1, timeLimitMs: (seconds * 1000) / 2 });
process.stdout.write(formatReport('live server', live) + '\n');
const health = await fetch(url.replace('ws://', 'http://').replace('/v1/ws', '/healthz')).then((r) => r.status, () => 0);
const metrics = await fetch(url.replace('ws://', 'http://').replace('/v1/ws', '/metrics')).then((r) => r.text(), () => '');
const sessions = /^vinegym_sessions (\d+)/m.exec(metrics)?.[1];
process.stdout.write(`server after fuzzing: /healthz ${health}, exited ${serverExit === null ? 'no' : `yes (${serverExit})`}, open sessions ${sessions}\n`);
server.kill('SIGTERM');
const ok = decoder.failures.length === 0 && live.failures.length === 0 && serverExit === null && health === 200;
process.stdout.write(`total: ${decoder.frames + live.frames} frames, ${ok ? 'PASS' : 'FAIL'}\n`);
process.exit(ok ? 0 : 1);
