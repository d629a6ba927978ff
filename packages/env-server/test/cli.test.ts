import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { TestClient } from './fixtures/test-client.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const CLI = 'packages/env-server/src/cli.ts';

function startCli(args: string[]) {
  // node --import tsx rather than the tsx CLI, whose signal relay SIGKILLs a child that is slow to see the signal.
  const child = spawn(process.execPath, ['--import', 'tsx', '--conditions', 'source', CLI, ...args], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk) => (stderr += chunk));
  const firstLine = new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout }).once('line', resolve);
    child.once('exit', (code) => reject(new Error(`cli exited ${code}: ${stderr}`)));
  });
  firstLine.catch(() => undefined); // tests that expect an early exit never read the line
  return { child, firstLine, stderr: () => stderr };
}

describe('vinegym-server CLI', () => {
  it('prints the ws URL first, serves plug-ins, and exits 0 on SIGTERM', async () => {
    const { child, firstLine } = startCli([
      '--port',
      '0',
      '--plugin',
      './examples/plugin/pendulum-plugin.ts',
      '--log-level',
      'warn',
    ]);
    const url = await firstLine;
    expect(url).toMatch(/^ws:\/\/127\.0\.0\.1:\d+\/v1\/ws$/);
    const client = await TestClient.open(url);
    expect((await client.call('list', {})).envs.map((e: { id: string }) => e.id)).toContain('Pendulum-v1');
    child.kill('SIGTERM');
    const [code] = await once(child, 'exit');
    expect(code).toBe(0);
    expect((await client.closed).code).toBe(1001);
  });

  it('prints help', async () => {
    const { child } = startCli(['--help']);
    let out = '';
    child.stdout.on('data', (chunk) => (out += chunk));
    const [code] = await once(child, 'exit');
    expect(code).toBe(0);
    expect(out).toMatch(/--max-envs-per-session/);
  });

  it('rejects bad options', async () => {
    const { child, stderr } = startCli(['--port', 'abc']);
    const [code] = await once(child, 'exit');
    expect(code).toBe(2);
    expect(stderr()).toMatch(/--port/);
  });
});
