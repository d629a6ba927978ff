/**
 * Fuzzes the Python bridge started the documented way (`.venv/bin/python -m vinegym serve CartPole-v1 --port 0`):
 * half of the frames after hello (test/support/fuzz/run.ts `fuzzLive`, on a bridge without a token), half before
 * hello on a bridge started with `--token` (test/support/fuzz/before-hello.ts `fuzzBeforeHello`). Samples each bridge's resident memory
 * once a second (/proc) and reports its start, peak and end.
 *
 *   npx tsx --conditions=source scripts/fuzz-bridge.ts [--frames 1000000] [--seconds 1800] [--seed 1]
 *
 * Exits 1 on any failure: an untyped or INTERNAL answer, a wrong id, a missing answer, an unexpected close, a
 * request that succeeded without the token, or a bridge that exited or stopped answering /healthz.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { startPythonBridge, type PythonBridge } from '../examples/python-bridge/bridge-process.js';
import { fuzzBeforeHello } from '../test/support/fuzz/before-hello.js';
import { formatReport, fuzzLive, type FuzzReport } from '../test/support/fuzz/run.js';

const { values } = parseArgs({
  options: {
    frames: { type: 'string', default: '1000000' },
    seconds: { type: 'string', default: '1800' },
    seed: { type: 'string', default: '1' },
  },
});
const total = Number(values.frames);
const seconds = Number(values.seconds);
const seed = Number(values.seed);

function residentMiB(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8')
    .split('\n')
    .find((l) => l.startsWith('VmRSS:'));
  return line ? Number(line.split(/\s+/)[1]) / 1024 : NaN;
}

async function fuzzBridge(
  name: string,
  extraArgs: string[],
  run: (url: string) => Promise<FuzzReport>,
): Promise<boolean> {
  const bridge: PythonBridge = await startPythonBridge('CartPole-v1', extraArgs);
  const pid = bridge.process.pid!;
  let exited: number | null = null;
  bridge.process.on('exit', (code) => (exited = code ?? -1));
  const start = residentMiB(pid);
  let peak = start;
  const sampler = setInterval(() => {
    if (exited === null) peak = Math.max(peak, residentMiB(pid));
  }, 1000);
  const report = await run(bridge.url);
  clearInterval(sampler);
  const http = bridge.url.replace('ws://', 'http://').replace('/v1/ws', '');
  const health = await fetch(`${http}/healthz`).then(
    (r) => r.status,
    () => 0,
  );
  const metrics = await fetch(`${http}/metrics`).then(
    (r) => r.text(),
    () => '',
  );
  const survived = exited === null;
  const end = survived ? residentMiB(pid) : NaN;
  process.stdout.write(formatReport(name, report) + '\n');
  process.stdout.write(
    `  bridge: /healthz ${health}, exited ${exited === null ? 'no' : `yes (${exited})`}, open sessions ` +
      `${/^vinegym_sessions (\d+)/m.exec(metrics)?.[1]}, RSS start ${start.toFixed(0)} MiB, peak ${peak.toFixed(0)} MiB, end ${end.toFixed(0)} MiB\n`,
  );
  await bridge.stop();
  const graceful = bridge.process.exitCode === 0;
  if (!graceful)
    process.stdout.write(
      `  bridge did not exit 0 on SIGTERM (${bridge.process.exitCode}, ${bridge.process.signalCode})\n`,
    );
  return report.failures.length === 0 && survived && health === 200 && graceful;
}

const live = await fuzzBridge('bridge after hello', [], (url) =>
  fuzzLive({ url, frames: Math.ceil(total / 2), seed, timeLimitMs: (seconds * 1000) / 2 }),
);
const preAuth = await fuzzBridge('bridge before hello (--token)', ['--token', 'fuzz-token-not-guessable'], (url) =>
  fuzzBeforeHello({ url, frames: Math.floor(total / 2), seed: seed + 1, timeLimitMs: (seconds * 1000) / 2 }),
);
process.stdout.write(`total: ${live && preAuth ? 'PASS' : 'FAIL'}\n`);
process.exit(live && preAuth ? 0 : 1);
