/**
 * The protocol v1 conformance suite (test/conformance) against the TypeScript env server and against the Python
 * bridge (bridges/python, `python -m vinegym serve`) serving CartPole-v1, Hopper-v5 (MuJoCo) and ALE/Pong-v5, and
 * CartPole-v1 once more with `--workers 2` (sessions of several envs split across two worker processes).
 * Needs the repo's .venv with the bridge installed: `pnpm test:setup`.
 */
import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll } from 'vitest';
import { createServer } from '@vinegym/env-server';
import type { VinegymServer } from '@vinegym/env-server';
import { describeConformance } from './conformance/suite.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const PYTHON = `${ROOT}.venv/bin/python`;
const MAX_MESSAGE_BYTES = 1024 * 1024;

function requireBridgeVenv(): void {
  const hint = 'run `pnpm test:setup` (bash scripts/setup-python.sh) to create .venv with the vinegym Python bridge';
  if (!existsSync(PYTHON)) throw new Error(`${PYTHON} is missing: ${hint}`);
  const probe = spawnSync(PYTHON, ['-c', 'import vinegym, gymnasium, ale_py, mujoco'], { encoding: 'utf8' });
  if (probe.status !== 0) throw new Error(`the venv cannot import the bridge (${probe.stderr.trim()}): ${hint}`);
}

interface Bridge {
  process: ChildProcess;
  url: string;
}

async function startBridge(envId: string, extraArgs: string[] = []): Promise<Bridge> {
  const child = spawn(
    PYTHON,
    ['-m', 'vinegym', 'serve', envId, '--port', '0', '--max-message-bytes', String(MAX_MESSAGE_BYTES), ...extraArgs],
    { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const lines = createInterface({ input: child.stdout! });
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`bridge for ${envId} did not start: ${stderr}`)), 60_000);
    lines.once('line', (line) => {
      clearTimeout(timer);
      resolve(line.trim());
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`bridge for ${envId} exited with ${String(code)}: ${stderr}`));
    });
  });
  return { process: child, url };
}

async function stopBridge(bridge: Bridge | undefined): Promise<void> {
  if (!bridge || bridge.process.exitCode !== null) return;
  const exited = new Promise<void>((resolve) => bridge.process.once('exit', () => resolve()));
  bridge.process.kill('SIGTERM');
  await exited;
}

/**
 * Answers of PROTOCOL.md (test/conformance/spec-answers.ts) the bridge does not follow yet: they run as expected
 * failures, and each entry must go when the bridge conforms (the check then fails, saying so). None at present.
 */
const BRIDGE_PENDING: string[] = [];

let tsServer: VinegymServer | undefined;
const bridges: Record<string, Bridge> = {};
const BRIDGED: Array<{ name: string; envId: string; args: string[]; maxEpisodeSteps: number; pending: string[] }> = [
  { name: 'CartPole-v1', envId: 'CartPole-v1', args: [], maxEpisodeSteps: 600, pending: BRIDGE_PENDING },
  { name: 'Hopper-v5', envId: 'Hopper-v5', args: [], maxEpisodeSteps: 1000, pending: BRIDGE_PENDING },
  // Pong episodes last thousands of steps: a short time limit makes them end within the autoreset checks.
  {
    name: 'ALE/Pong-v5',
    envId: 'ALE/Pong-v5',
    args: ['--max-episode-steps', '40'],
    maxEpisodeSteps: 40,
    pending: BRIDGE_PENDING,
  },
  {
    name: 'CartPole-v1 --workers 2',
    envId: 'CartPole-v1',
    args: ['--workers', '2'],
    maxEpisodeSteps: 600,
    pending: BRIDGE_PENDING,
  },
];

beforeAll(async () => {
  requireBridgeVenv();
  const [server, ...started] = await Promise.all([
    createServer({ port: 0, maxMessageBytes: MAX_MESSAGE_BYTES }),
    ...BRIDGED.map(({ envId, args }) => startBridge(envId, args)),
  ]);
  tsServer = server;
  BRIDGED.forEach(({ name }, i) => {
    bridges[name] = started[i];
  });
}, 120_000);

afterAll(async () => {
  await Promise.all([tsServer?.close(), ...Object.values(bridges).map(stopBridge)]);
});

describeConformance('TypeScript env server, CartPole-v1', () => ({ url: tsServer!.url, envId: 'CartPole-v1' }));
for (const { name, envId, maxEpisodeSteps, pending } of BRIDGED) {
  describeConformance(`Python bridge, ${name}`, () => ({ url: bridges[name].url, envId, maxEpisodeSteps, pending }));
}
