/**
 * Reliability limits of the network server: connection cap, snapshot bytes, backpressure on clients that do not
 * read, idle and hello timeouts, env crashes confined to their session, structured logs and memory metrics.
 */
import { Writable } from 'node:stream';
import { decodeFrame, ndarray } from '@vinegym/protocol';
import WebSocket from 'ws';
import { afterEach, describe, expect, it } from 'vitest';
import { createDefaultRegistry } from '../src/registry.js';
import { helloLimits } from '../src/limits.js';
import { createServer } from '../src/server.js';
import type { ServerOptions, VinegymServer } from '../src/server.js';
import { counterDefinition } from './fixtures/counter-env.js';
import { TestClient } from './fixtures/test-client.js';

let servers: VinegymServer[] = [];
async function start(options: ServerOptions = {}): Promise<VinegymServer> {
  const server = await createServer({ port: 0, ...options });
  servers.push(server);
  return server;
}
afterEach(async () => {
  await Promise.all(servers.map((s) => s.close()));
  servers = [];
});

const metric = async (server: VinegymServer, name: string): Promise<number> => {
  const text = await (await fetch(`${server.httpUrl}/metrics`)).text();
  const match = new RegExp(`^${name.replace(/[{}"]/g, (c) => `\\${c}`)} (\\S+)$`, 'm').exec(text);
  return match ? Number(match[1]) : 0;
};

describe('server limits', () => {
  it('reports every limit in hello', async () => {
    const server = await start({ maxConnections: 7, maxSnapshotBytes: 1234, maxInFlight: 9, idleTimeoutMs: 60_000 });
    const client = await TestClient.connect(server.url);
    const hello = await client.call('hello', { protocol_versions: [1], client: { name: 't', version: '0' } });
    expect(hello.limits).toEqual({
      max_sessions: 16,
      max_envs_per_session: 1024,
      max_message_bytes: 64 * 1024 * 1024,
      max_connections: 7,
      max_snapshot_bytes: 1234,
      max_in_flight: 9,
      idle_timeout_s: 60,
      max_total_sessions: 4096,
      max_pending_connections: 128,
      max_buffered_bytes: 16 * 1024 * 1024,
      hello_timeout_s: 10,
      message_timeout_s: 30,
      ping_timeout_s: 300,
      max_message_bytes_before_hello: 8192,
      max_frame_values: 65_536,
      max_frame_containers: 4096,
      max_frame_depth: 32,
      max_string_bytes: 16 * 1024 * 1024,
      max_frame_values_before_hello: 256,
      max_frame_containers_before_hello: 16,
      max_frame_depth_before_hello: 8,
      max_string_bytes_before_hello: 4096,
      max_worker_threads: 32,
      max_worker_threads_per_connection: 16,
      max_session_memory_bytes: 4 * 1024 ** 3,
      max_total_session_memory_bytes: 8 * 1024 ** 3,
      step_timeout_s: 60,
      max_mjcf_bytes: 1024 * 1024,
      mjcf_compile_timeout_s: 5,
      max_mjcf_compile_bytes: 256 * 1024 * 1024,
      max_model_bytes: 64 * 1024 * 1024,
    });
    expect(hello.limits).toEqual(helloLimits(server.limits));
    client.close();
  });

  it('answers a connection beyond max_connections with LIMIT_EXCEEDED, then closes it with 1013', async () => {
    const server = await start({ maxConnections: 2 });
    const [a, b] = [await TestClient.open(server.url), await TestClient.open(server.url)];
    // A raw socket: the refusal can arrive in the same packet as the handshake answer.
    const c = new WebSocket(server.url);
    const refusal = new Promise((resolve) => c.once('message', (data: Buffer) => resolve(decodeFrame(data))));
    const closed = new Promise((resolve) => c.once('close', resolve));
    expect(await refusal).toMatchObject({
      id: null,
      ok: false,
      error: { code: 'LIMIT_EXCEEDED', details: { limit: 'max_connections', max: 2 } },
    });
    expect(await closed).toBe(1013);
    expect(await metric(server, 'vinegym_errors_total{code="LIMIT_EXCEEDED"}')).toBe(1);
    a.close();
    await a.closed;
    await expect(TestClient.open(server.url)).resolves.toBeDefined(); // a slot is free again
    b.close();
  });

  it('rejects snapshots larger than max_snapshot_bytes and keeps the session', async () => {
    const server = await start({ maxSnapshotBytes: 4096 });
    const client = await TestClient.open(server.url);
    const { session_id } = await client.call('make', { env_id: 'CartPole-v1', seed: 1 });
    await client.call('reset', { session_id });
    const big = await client.request('restore', { session_id, env_index: 0, snapshot: new Uint8Array(4097) });
    expect(big.error).toMatchObject({ code: 'LIMIT_EXCEEDED', details: { limit: 'max_snapshot_bytes', max: 4096 } });
    const [snapshot] = (await client.call('snapshot', { session_id, env_indices: [0] })).snapshots;
    await client.call('restore', { session_id, env_index: 0, snapshot });
    await client.call('step', { session_id, actions: ndarray('int64', [1], [1]) });
    client.close();
  });

  it('stops reading a client that does not read its responses, and loses nothing', async () => {
    const server = await start({ maxInFlight: 16, maxBufferedBytes: 256 * 1024 });
    const client = await TestClient.open(server.url);
    const numEnvs = 512;
    const { session_id } = await client.call('make', { env_id: 'CartPole-v1', num_envs: numEnvs, seed: 3 });
    await client.call('reset', { session_id });
    const stepsBefore = await metric(server, 'vinegym_env_steps_total');
    client.ws.pause(); // stop reading: responses pile up in the kernel, then on the server
    const requests = 1000; // ~25 KB per response: ~25 MB if the server kept answering into memory
    const answers = Array.from({ length: requests }, () =>
      client.request('step', { session_id, actions: ndarray('int64', [numEnvs], new Array(numEnvs).fill(0)) }),
    );
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const handled = ((await metric(server, 'vinegym_env_steps_total')) - stepsBefore) / numEnvs;
    // Bounded by the server's byte threshold plus the kernel socket buffers, far below everything sent.
    expect(handled).toBeLessThan(requests / 2);
    client.ws.resume();
    const frames = await Promise.all(answers);
    expect(frames.every((f) => f.ok)).toBe(true);
    expect(await metric(server, 'vinegym_env_steps_total')).toBe(stepsBefore + requests * numEnvs);
    client.close();
  });

  it('closes idle connections and connections that never say hello with 4001', async () => {
    const server = await start({ idleTimeoutMs: 300, helloTimeoutMs: 200 });
    const silent = await TestClient.connect(server.url);
    const idle = await TestClient.open(server.url);
    const started = Date.now();
    expect((await silent.closed).code).toBe(4001);
    expect((await idle.closed).code).toBe(4001);
    expect(Date.now() - started).toBeLessThan(3000);
  });

  it('ends only the session whose env crashed (ENV_ERROR); other sessions and connections keep working', async () => {
    const registry = createDefaultRegistry();
    registry.register(counterDefinition().definition);
    const server = await start({ registry });
    const [crashing, bystander] = [await TestClient.open(server.url), await TestClient.open(server.url)];
    const bad = (
      await crashing.call('make', { env_id: 'Counter-v0', kwargs: { explode_on_step: 2, terminate_at: 50 } })
    ).session_id;
    const good = (await crashing.call('make', { env_id: 'CartPole-v1', seed: 0 })).session_id;
    const other = (await bystander.call('make', { env_id: 'CartPole-v1', seed: 0 })).session_id;
    for (const [client, id] of [
      [crashing, bad],
      [crashing, good],
      [bystander, other],
    ] as const)
      await client.call('reset', { session_id: id });
    const action = ndarray('int64', [1], [1]);
    await crashing.call('step', { session_id: bad, actions: action });
    expect((await crashing.request('step', { session_id: bad, actions: action })).error?.code).toBe('ENV_ERROR');
    expect((await crashing.request('reset', { session_id: bad })).error?.code).toBe('ENV_ERROR');
    await crashing.call('step', { session_id: good, actions: action });
    await bystander.call('step', { session_id: other, actions: action });
    await crashing.call('close', { session_id: bad });
    expect(await metric(server, 'vinegym_errors_total{code="ENV_ERROR"}')).toBe(2);
    crashing.close();
    bystander.close();
  });
});

describe('logs and metrics', () => {
  it('logs connections at info, requests at debug and errors at warn, with connection and request ids', async () => {
    const lines: Record<string, unknown>[] = [];
    const stream = new Writable({
      write(chunk, _encoding, done) {
        for (const line of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(line));
        done();
      },
    });
    const server = await start({ logger: { level: 'debug', stream } });
    const client = await TestClient.open(server.url);
    await client.request('make', { env_id: 'Nope-v0' });
    client.close();
    await client.closed;
    await new Promise((resolve) => setTimeout(resolve, 50));
    const conn = (lines.find((l) => l.msg === 'connection opened from 127.0.0.1') ?? {}).conn;
    expect(conn).toBeTypeOf('number');
    expect(lines).toContainEqual(expect.objectContaining({ level: 20, conn, reqId: 2, type: 'make', msg: 'request' }));
    expect(lines).toContainEqual(expect.objectContaining({ level: 40, conn, reqId: 2, code: 'UNKNOWN_ENV' }));
    expect(lines).toContainEqual(expect.objectContaining({ level: 30, conn, requests: 2, msg: 'connection closed' }));
  });

  it('reports memory and env gauges in /metrics', async () => {
    const server = await start();
    const text = await (await fetch(`${server.httpUrl}/metrics`)).text();
    for (const name of [
      'process_resident_memory_bytes',
      'nodejs_heap_size_used_bytes',
      'nodejs_external_memory_bytes',
      'vinegym_envs',
    ]) {
      expect(text).toMatch(new RegExp(`^${name} \\d+`, 'm'));
    }
  });

  it('refuses new connections while shutting down', async () => {
    const server = await start();
    const client = await TestClient.open(server.url);
    const closing = server.close();
    const ws = new WebSocket(server.url);
    await expect(new Promise((_, reject) => ws.once('error', reject))).rejects.toThrow(/503|ECONNREFUSED/);
    expect((await client.closed).code).toBe(1001);
    await closing;
  });
});
