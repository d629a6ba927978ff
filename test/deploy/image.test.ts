/**
 * What the images run, run outside a container (the image itself cannot be built or run on this kind of machine:
 * docs/deploy.md): deploy/assemble-app.sh assembles /app as the Dockerfile's build stage does (pnpm deploy of the
 * server and the agent, tfjs-node's binding built by the project's install script), into a temporary directory;
 * then the image's entry point serves with a token from a file and the default limits, its HEALTHCHECK command
 * says healthy, unhealthy while draining and when nothing listens, SIGTERM ends the server with exit 0, a server
 * without a token refuses to start, and the trainer's entry point trains on the native TensorFlow backend.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Connection } from '../../packages/agent/src/client/connection.js';
import { ROOT } from '../adversarial/harness/server-under-test.js';

const ENTRYPOINT = join(ROOT, 'deploy', 'docker-entrypoint.sh');
const HEALTHCHECK = join(ROOT, 'deploy', 'healthcheck.mjs');
const dir = mkdtempSync(join(tmpdir(), 'vinegym-image-'));
const app = join(dir, 'app');
const children: ChildProcess[] = [];
afterAll(() => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

beforeAll(async () => {
  const started = performance.now();
  // Asynchronously: the test worker must keep answering vitest meanwhile.
  const result = await run('sh', [join(ROOT, 'deploy', 'assemble-app.sh'), app], process.env);
  expect(result.status, result.output).toBe(0);
  console.log(`image.test.ts: assemble-app.sh took ${((performance.now() - started) / 1000).toFixed(0)} s`);
}, 900_000);

function run(
  command: string,
  args: string[],
  env: NodeJS.ProcessEnv,
): Promise<{ status: number | null; output: string; stderr: string }> {
  const child = spawn(command, args, { cwd: dir, env, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let output = '';
  let stderr = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => {
    output += chunk.toString();
    stderr += chunk.toString();
  });
  return new Promise((resolve) => child.once('close', (status) => resolve({ status, output, stderr })));
}

/** The image's environment: only what the Dockerfile sets, plus the test's own. */
function imageEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  return { PATH: process.env.PATH, HOME: dir, NODE_ENV: 'production', VINEGYM_APP: app, ...extra };
}

function entrypoint(
  args: string[],
  env: Record<string, string>,
): { child: ChildProcess; output: () => string; exited: Promise<number | null> } {
  const child = spawn(ENTRYPOINT, args, { cwd: dir, env: imageEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let output = '';
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, output: () => output, exited };
}

async function healthcheck(port: number): Promise<{ status: number | null; stderr: string }> {
  const { status, stderr } = await run(process.execPath, [HEALTHCHECK], imageEnv({ PORT: String(port) }));
  return { status, stderr };
}

async function freePort(): Promise<number> {
  const probe = createHttpServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as { port: number };
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

describe('the server image, outside a container', () => {
  it('serves with the token of VINEGYM_TOKEN_FILE and the limits on; healthy; SIGTERM: exit 0; then unhealthy', async () => {
    const tokenFile = join(dir, 'token');
    writeFileSync(tokenFile, 's3cret-from-a-secret');
    const port = await freePort();
    const server = entrypoint(['server', '--log-level', 'warn'], {
      PORT: String(port),
      VINEGYM_HOST: '127.0.0.1',
      VINEGYM_TOKEN_FILE: tokenFile,
      VINEGYM_WORKERS: '1',
    });
    const [url] = (await new Promise<string[]>((resolve, reject) => {
      void server.exited.then((code) => reject(new Error(`server exited ${code}: ${server.output()}`)));
      createInterface({ input: server.child.stdout! }).once('line', (line) => resolve([line]));
    })) as [string];
    expect(url).toBe(`ws://127.0.0.1:${port}/v1/ws`);
    // exec: the process we started is node running the deployed server, so signals reach it directly.
    expect(readFileSync(`/proc/${server.child.pid}/cmdline`, 'utf8').split('\0')).toContain(
      join(app, 'server', 'dist', 'cli.js'),
    );

    expect(await healthcheck(port)).toEqual({ status: 0, stderr: '' });
    await expect(Connection.open(url, { token: 'wrong' })).rejects.toThrow(/token/i);
    const connection = await Connection.open(url, { token: 's3cret-from-a-secret' });
    expect(connection.hello.limits.max_connections).toBe(256);
    expect(connection.hello.limits.max_message_bytes_before_hello).toBe(8192);
    await connection.close();

    server.child.kill('SIGTERM');
    expect(await server.exited).toBe(0);
    expect(server.output()).toContain('SIGTERM, closing');
    const after = await healthcheck(port);
    expect(after.status).toBe(1);
    expect(after.stderr).toContain('ECONNREFUSED');
  }, 120_000);

  it('refuses to serve without a token, unless told the network is trusted', async () => {
    const refused = entrypoint(['server'], { PORT: String(await freePort()), VINEGYM_HOST: '127.0.0.1' });
    expect(await refused.exited).toBe(64);
    expect(refused.output()).toContain('refusing to serve on 127.0.0.1 without a token');
    const unreadable = entrypoint(['server'], { VINEGYM_TOKEN_FILE: join(dir, 'no-such-file') });
    expect(await unreadable.exited).toBe(64);
    expect(unreadable.output()).toContain('cannot be read');

    const trusted = entrypoint(['server', '--log-level', 'warn'], {
      PORT: '0',
      VINEGYM_HOST: '127.0.0.1',
      VINEGYM_ALLOW_NO_TOKEN: '1',
    });
    const [line] = (await new Promise<string[]>((resolve) =>
      createInterface({ input: trusted.child.stdout! }).once('line', (l) => resolve([l])),
    )) as [string];
    expect(line).toMatch(/^ws:\/\/127\.0\.0\.1:\d+\/v1\/ws$/);
    trusted.child.kill('SIGTERM');
    expect(await trusted.exited).toBe(0);
  }, 60_000);

  it('the HEALTHCHECK command says unhealthy for a server that is draining (503)', async () => {
    const draining = createHttpServer((_request, response) => {
      response.writeHead(503, { 'content-type': 'application/json' }).end('{"status":"shutting_down"}');
    });
    await new Promise<void>((resolve) => draining.listen(0, '127.0.0.1', resolve));
    const { port } = draining.address() as { port: number };
    const result = await healthcheck(port);
    await new Promise((resolve) => draining.close(resolve));
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('answered 503 {"status":"shutting_down"}');
  });
});

describe('the trainer image, outside a container', () => {
  it('trains on the native TensorFlow backend against a server of the server image', async () => {
    expect(existsSync(join(app, 'trainer', 'scripts', 'install-tfjs-node.mjs'))).toBe(true);
    const server = entrypoint(['server', '--log-level', 'warn'], {
      PORT: '0',
      VINEGYM_HOST: '127.0.0.1',
      VINEGYM_TOKEN: 'tok',
    });
    const [url] = (await new Promise<string[]>((resolve) =>
      createInterface({ input: server.child.stdout! }).once('line', (l) => resolve([l])),
    )) as [string];
    const runDir = join(dir, 'runs', 'cartpole');
    const trainer = entrypoint(
      ['train', '--env', 'CartPole-v1', '--server', url, '--iterations', '2', '--out', runDir],
      { VINEGYM_TOKEN: 'tok' },
    );
    let stdout = '';
    trainer.child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    expect(await trainer.exited, `${stdout}\n${trainer.output()}`).toBe(0);
    expect(stdout).toContain('tf backend tensorflow');
    expect(readFileSync(join(runDir, 'metrics.csv'), 'utf8').trim().split('\n')).toHaveLength(3);
    server.child.kill('SIGTERM');
    expect(await server.exited).toBe(0);
  }, 180_000);
});
