/**
 * The Ray launcher end to end: `python -m vinegym ray-serve CartPole-v1 --servers 2` starts a local Ray instance and
 * two Python-bridge servers as Ray actors and prints their URLs; the TypeScript agent trains TRPO against both
 * for a few iterations; SIGTERM to the launcher stops the servers (exit codes 0) and the launcher exits 0.
 * bridges/python/tests/test_ray_servers.py covers the API, the Node backend and the fallbacks.
 * Needs the test venv with Ray (scripts/setup-python.sh installs it); without it the test says so and skips.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, describe, expect, it } from 'vitest';
import { trainConfig } from '../packages/agent/src/config/train-config.js';
import { train } from '../packages/agent/src/train/trainer.js';
import { serverMetric } from './adversarial/harness/attack.js';
import { ROOT } from './adversarial/harness/server-under-test.js';

const PYTHON = join(ROOT, '.venv', 'bin', 'python');
const missing = !existsSync(PYTHON)
  ? 'no .venv (run scripts/setup-python.sh)'
  : spawnSync(PYTHON, ['-c', 'import ray, vinegym.ray_servers']).status !== 0
    ? 'the .venv has no Ray (pip install "vinegym[ray]", or run scripts/setup-python.sh)'
    : null;
if (missing) console.warn(`ray.test.ts: SKIPPED: ${missing}`);

const TOKEN = 'ray-test-token';
let launcher: ReturnType<typeof spawn> | null = null;
afterAll(() => {
  if (launcher && launcher.exitCode === null) launcher.kill('SIGKILL');
});

type Launch =
  { ok: true; urls: string[]; exited: Promise<number | null>; stderr: string } | { ok: false; stderr: string };

/** Starts the launcher and resolves with the 2 URLs it prints, or with its stderr when it exits first. */
function launch(): Promise<Launch> {
  const child = spawn(
    PYTHON,
    ['-m', 'vinegym', 'ray-serve', 'CartPole-v1', '--servers', '2', '--backend', 'python', '--host', '127.0.0.1'],
    {
      cwd: ROOT,
      env: { ...process.env, VINEGYM_TOKEN: TOKEN, RAY_USAGE_STATS_ENABLED: '0' },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  launcher = child;
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return new Promise<Launch>((resolve, reject) => {
    const result = { ok: true as const, urls: [] as string[], exited, stderr: '' };
    child.stderr!.on('data', (chunk: Buffer) => (result.stderr += chunk.toString()));
    const timer = setTimeout(() => reject(new Error(`no URLs within 240 s: ${result.stderr}`)), 240_000);
    void exited.then(() => {
      clearTimeout(timer);
      resolve({ ok: false, stderr: result.stderr });
    });
    createInterface({ input: child.stdout! }).on('line', (line) => {
      result.urls.push(line.trim());
      if (result.urls.length === 2) {
        clearTimeout(timer);
        resolve(result);
      }
    });
  });
}

async function until(condition: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!condition()) {
    if (performance.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe.skipIf(missing !== null)('vinegym ray-serve on a local Ray instance', () => {
  it('starts 2 servers as actors, the TS agent trains against them, SIGTERM stops everything', async () => {
    // Ray gives its raylet a fixed 30 s to register; on a loaded machine that can pass: one more try then.
    let started = await launch();
    if (!started.ok && /timed out during startup/.test(started.stderr)) started = await launch();
    if (!started.ok) throw new Error(`ray-serve did not start: ${started.stderr}`);
    const { urls, exited } = started;
    const stderr = () => started.stderr;
    expect(urls.every((url) => /^ws:\/\/127\.0\.0\.1:\d+\/v1\/ws$/.test(url))).toBe(true);
    expect(new Set(urls).size).toBe(2);
    await until(() => stderr().includes('2 servers of CartPole-v1 (python)'), 30_000);

    const config = trainConfig({
      envId: 'CartPole-v1',
      servers: urls,
      numEnvs: 2,
      stepsPerIteration: 256,
      iterations: 3,
    });
    const result = await train({ config, runDir: null, progress: false, token: TOKEN });
    expect(result.iterations).toBe(3);
    const http = urls.map((url) => ({ httpUrl: url.replace(/^ws/, 'http').replace(/\/v1\/ws$/, '') }));
    for (const server of http)
      expect(await serverMetric(server, 'vinegym_env_steps_total')).toBeGreaterThanOrEqual(3 * 128);

    launcher!.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(stderr()).toContain('stopped 2 servers (exit codes [0, 0])');
    for (const server of http) await expect(fetch(`${server.httpUrl}/healthz`)).rejects.toThrow();
  }, 420_000);
});
