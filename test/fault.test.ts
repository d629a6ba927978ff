/**
 * Fault injection with real processes: `vinegym train` against a `vinegym-server` child; the server is killed
 * with SIGKILL mid-training and restarted on the same port (the agent reconnects and keeps training), then the
 * agent itself is killed with SIGKILL and `vinegym train --resume` finishes the run with the planned iteration
 * count and an unbroken learning curve.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const ITERATIONS = 10;
const children: ChildProcess[] = [];
const dir = mkdtempSync(join(tmpdir(), 'vinegym-fault-'));
afterAll(() => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

/** node --import tsx (not the tsx CLI, whose signal relay would stand between us and the process). */
function run(script: string, args: string[]): { child: ChildProcess; output: () => string } {
  const child = spawn(process.execPath, ['--import', 'tsx', '--conditions', 'source', script, ...args], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let output = '';
  child.stdout!.on('data', (chunk) => (output += chunk));
  child.stderr!.on('data', (chunk) => (output += chunk));
  return { child, output: () => output };
}

async function startServer(port: number): Promise<{ child: ChildProcess; url: string }> {
  const { child } = run('packages/env-server/src/cli.ts', ['--port', String(port), '--log-level', 'warn']);
  const [url] = (await once(createInterface({ input: child.stdout! }), 'line')) as [string];
  return { child, url };
}

const metricsRows = (runDir: string): { iteration: number; env_steps: number }[] => {
  const path = join(runDir, 'metrics.jsonl');
  if (!existsSync(path)) return [];
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line));
};

async function waitFor(what: string, condition: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('fault injection: kill -9 of the env server and of the agent', () => {
  it('survives a server restart mid-training and resumes after the agent is killed', async () => {
    let server = await startServer(0);
    const port = Number(new URL(server.url).port);
    const runDir = join(dir, 'run');
    const configPath = join(dir, 'config.json');
    writeFileSync(
      configPath,
      JSON.stringify({
        checkpointEvery: 1,
        stepsPerIteration: 400,
        numEnvs: 4,
        iterations: ITERATIONS,
        totalSteps: null,
      }),
    );
    const args = [
      'train',
      '--env',
      'CartPole-v1',
      '--server',
      server.url,
      '--config',
      configPath,
      '--out',
      runDir,
      '--quiet',
    ];
    const agent = run('packages/agent/src/cli/main.ts', args);
    const agentExit = once(agent.child, 'exit');

    await waitFor('2 iterations', () => metricsRows(runDir).length >= 2, 40_000);
    server.child.kill('SIGKILL');
    await once(server.child, 'exit');
    await new Promise((resolve) => setTimeout(resolve, 500)); // the agent finds the server gone and retries
    server = await startServer(port);
    const beforeRestart = metricsRows(runDir).length;
    await waitFor(
      'progress on the restarted server',
      () => metricsRows(runDir).length >= Math.max(beforeRestart + 2, 5),
      40_000,
    );
    // The agent re-made its session on the new server process.
    const metrics = await (await fetch(server.url.replace('ws://', 'http://').replace('/v1/ws', '/metrics'))).text();
    expect(metrics).toMatch(/^vinegym_sessions 1$/m);
    expect(Number(/^vinegym_env_steps_total (\d+)/m.exec(metrics)![1])).toBeGreaterThan(0);

    agent.child.kill('SIGKILL');
    const [, signal] = await agentExit;
    expect(signal).toBe('SIGKILL');
    const killedAt = metricsRows(runDir).length;
    expect(killedAt).toBeLessThan(ITERATIONS);

    const resumed = run('packages/agent/src/cli/main.ts', ['train', '--resume', runDir, '--quiet']);
    const [code] = await once(resumed.child, 'exit');
    expect(code, resumed.output()).toBe(0);
    const rows = metricsRows(runDir);
    expect(rows.map((r) => r.iteration)).toEqual(Array.from({ length: ITERATIONS }, (_, i) => i + 1));
    for (let i = 1; i < rows.length; i++) expect(rows[i].env_steps).toBeGreaterThan(rows[i - 1].env_steps);
    expect(rows.at(-1)!.env_steps).toBe(ITERATIONS * 400);
    server.child.kill('SIGTERM');
    await once(server.child, 'exit');
  }, 120_000);
});
