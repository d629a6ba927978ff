/**
 * TLS (https/wss with a self-signed certificate made by the openssl CLI at test time) and graceful shutdown of the
 * CLI on SIGTERM while a client has requests in flight.
 */
import { execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { get } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { decodeFrame, encodeFrame, ndarray } from '@vinegym/protocol';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer } from '../src/server.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

function hasOpenssl(): boolean {
  try {
    execFileSync('openssl', ['version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

let dir = '';
let cert = Buffer.alloc(0);
let key = Buffer.alloc(0);
beforeAll(() => {
  if (!hasOpenssl()) return;
  dir = mkdtempSync(join(tmpdir(), 'vinegym-tls-'));
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      join(dir, 'key.pem'),
      '-out',
      join(dir, 'cert.pem'),
      '-days',
      '1',
      '-subj',
      '/CN=localhost',
      '-addext',
      'subjectAltName=IP:127.0.0.1,DNS:localhost',
    ],
    { stdio: 'ignore' },
  );
  cert = readFileSync(join(dir, 'cert.pem'));
  key = readFileSync(join(dir, 'key.pem'));
});
afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** A raw protocol client: frames decoded in arrival order, nothing answered automatically but pings. */
async function openRaw(url: string, ca?: Buffer) {
  const ws = new WebSocket(url, { perMessageDeflate: false, ...(ca ? { ca } : {}) });
  const frames: Record<string, any>[] = [];
  let wake: (() => void) | null = null;
  ws.on('message', (data: Buffer) => {
    frames.push(decodeFrame(data) as Record<string, any>);
    wake?.();
  });
  const closed = new Promise<number>((resolve) => ws.once('close', resolve));
  await once(ws, 'open');
  let id = 0;
  const send = (type: string, body: object) => ws.send(encodeFrame({ id: ++id, type, body }), { binary: true });
  const next = async (count: number) => {
    while (frames.length < count) await new Promise<void>((resolve) => (wake = resolve));
    return frames[count - 1];
  };
  return { ws, frames, closed, send, next };
}

describe.skipIf(!hasOpenssl())('TLS', () => {
  it('serves wss:// and https:// with the given certificate', async () => {
    const server = await createServer({ port: 0, tls: { cert, key } });
    try {
      expect(server.url).toMatch(/^wss:\/\/127\.0\.0\.1:\d+\/v1\/ws$/);
      const client = await openRaw(server.url, cert);
      client.send('hello', { protocol_versions: [1], client: { name: 't', version: '0' } });
      expect((await client.next(1)).ok).toBe(true);
      const health = await new Promise<string>((resolve, reject) => {
        get(`${server.httpUrl}/healthz`, { ca: cert }, (res) => {
          let body = '';
          res.on('data', (chunk) => (body += chunk));
          res.on('end', () => resolve(body));
        }).on('error', reject);
      });
      expect(JSON.parse(health)).toEqual({ status: 'ok' });
      // Without trusting the self-signed certificate, the handshake fails.
      const untrusting = new WebSocket(server.url);
      await expect(new Promise((_, reject) => untrusting.once('error', reject))).rejects.toThrow(/self[- ]signed/);
      client.ws.close();
    } finally {
      await server.close();
    }
  });

  it('CLI: --tls-cert/--tls-key, and SIGTERM answers the requests in flight, closes with 1001 and exits 0', async () => {
    // node --import tsx, not the tsx CLI: the tsx wrapper SIGKILLs a child that takes > 30 ms to see a relayed signal.
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
        '--tls-cert',
        join(dir, 'cert.pem'),
        '--tls-key',
        join(dir, 'key.pem'),
        '--log-level',
        'info',
      ],
      { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stderr = '';
    child.stderr.on('data', (chunk) => (stderr += chunk));
    const [url] = (await once(createInterface({ input: child.stdout }), 'line')) as [string];
    expect(url).toMatch(/^wss:\/\//);
    const client = await openRaw(url, cert);
    client.send('hello', { protocol_versions: [1], client: { name: 't', version: '0' } });
    client.send('make', { env_id: 'CartPole-v1', num_envs: 8, seed: 0 });
    const { session_id } = (await client.next(2)).body;
    client.send('reset', { session_id });
    const sent = 400;
    for (let i = 0; i < sent; i++)
      client.send('step', { session_id, actions: ndarray('int64', [8], new Array(8).fill(i % 2)) });
    await client.next(4); // some steps are done, many are still in flight
    child.kill('SIGTERM');
    const [code, signal] = await once(child, 'exit');
    expect({ code, signal }).toEqual({ code: 0, signal: null });
    expect(await client.closed).toBe(1001);
    // Every answer that came is a success, in order: the server finished what it had read.
    const steps = client.frames.slice(3);
    expect(steps.length).toBeGreaterThan(0);
    steps.forEach((frame, i) => expect(frame).toMatchObject({ id: 4 + i, ok: true }));
    expect(stderr).toMatch(/shutting down/);
    expect(stderr).toMatch(/connection closed/);
  }, 30_000);
});
