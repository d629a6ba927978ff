import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { encodeFrame, ndarray } from '@vinegym/protocol';
import type { NDArray } from '@vinegym/protocol';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadPlugin } from '../src/plugin.js';
import { createDefaultRegistry } from '../src/registry.js';
import { createServer } from '../src/server.js';
import type { VinegymServer } from '../src/server.js';
import { EnvService } from '../src/service.js';
import { TestClient } from './fixtures/test-client.js';

const PLUGIN = fileURLToPath(new URL('../../../examples/plugin/pendulum-plugin.ts', import.meta.url));
const MAX_MESSAGE_BYTES = 64 * 1024;
/** Ids of the default registry (CartPole, MuJoCo, ...); the servers below add the Pendulum plug-in or not. */
const BUILT_IN_IDS = createDefaultRegistry()
  .list()
  .map((e) => e.id);

let server: VinegymServer;

beforeAll(async () => {
  const registry = createDefaultRegistry();
  await loadPlugin(registry, PLUGIN);
  server = await createServer({
    port: 0,
    registry,
    maxSessions: 3,
    maxEnvsPerSession: 64,
    maxMessageBytes: MAX_MESSAGE_BYTES,
  });
});
afterAll(async () => {
  await server?.close();
});

const discreteActions = (...values: number[]) => ndarray('int64', [values.length], values);

describe('protocol over a loopback WebSocket', () => {
  it('serves hello, list, make, reset, step, snapshot/restore, render and close', async () => {
    const client = await TestClient.connect(server.url);
    const hello = await client.call('hello', { protocol_versions: [1], client: { name: 't', version: '0' } });
    expect(hello).toMatchObject({
      protocol_version: 1,
      limits: { max_sessions: 3, max_envs_per_session: 64, max_message_bytes: MAX_MESSAGE_BYTES },
      ping_interval_s: 30,
    });
    // The version comes from package.json, the one place it is written.
    const packageJson = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
      version: string;
    };
    expect(hello.server).toEqual({ name: 'vinegym-env-server', version: packageJson.version });
    const list = await client.call('list', {});
    const ids = list.envs.map((e: { id: string }) => e.id);
    expect(ids).toEqual([...BUILT_IN_IDS, 'Pendulum-v1'].sort());

    const made = await client.call('make', { env_id: 'CartPole-v1', num_envs: 4, seed: 3 });
    expect(made).toMatchObject({
      env_id: 'CartPole-v1',
      num_envs: 4,
      autoreset_mode: 'next_step',
      max_episode_steps: 500,
      snapshot_supported: true,
      render_supported: true,
    });
    expect(made.observation_space).toMatchObject({ type: 'box', shape: [4, 4] });
    expect(made.action_space.type).toBe('multi_discrete');
    const id = made.session_id;

    const reset = await client.call('reset', { session_id: id });
    expect(reset.env_indices).toEqual([0, 1, 2, 3]);
    expect(reset.observations).toMatchObject({ dtype: 'float32', shape: [4, 4] });
    expect(reset.infos).toEqual([{}, {}, {}, {}]);

    const step = await client.call('step', { session_id: id, actions: discreteActions(0, 1, 0, 1) });
    expect(step.rewards).toMatchObject({ dtype: 'float64', shape: [4] });
    expect(Array.from(step.rewards.data)).toEqual([1, 1, 1, 1]);
    expect(step.terminated.dtype).toBe('bool');

    const { snapshots } = await client.call('snapshot', { session_id: id, env_indices: [2] });
    expect(snapshots[0]).toBeInstanceOf(Uint8Array);
    const before = await client.call('step', { session_id: id, actions: discreteActions(1, 1, 1, 1) });
    expect(await client.call('restore', { session_id: id, env_index: 2, snapshot: snapshots[0] })).toEqual({});
    const again = await client.call('step', { session_id: id, actions: discreteActions(0, 0, 1, 0) });
    const row = (o: NDArray, i: number) => Array.from((o.data as Float32Array).subarray(i * 4, i * 4 + 4));
    expect(row(again.observations, 2)).toEqual(row(before.observations, 2));

    const { frame } = await client.call('render', { session_id: id, env_index: 1 });
    expect(frame).toMatchObject({ dtype: 'uint8', shape: [400, 600, 3] });
    expect(frame.data.length).toBe(400 * 600 * 3);

    expect(await client.call('close', { session_id: id })).toEqual({});
    expect((await client.request('step', { session_id: id, actions: discreteActions(0, 0, 0, 0) })).error?.code).toBe(
      'UNKNOWN_SESSION',
    );
    client.close();
  });

  it('serves /healthz, /v1/envs and /metrics', async () => {
    expect(await (await fetch(`${server.httpUrl}/healthz`)).json()).toEqual({ status: 'ok' });
    const envs = await (await fetch(`${server.httpUrl}/v1/envs`)).json();
    expect(envs.envs.find((e: { id: string }) => e.id === 'CartPole-v1')).toMatchObject({ max_episode_steps: 500 });
    const metrics = await fetch(`${server.httpUrl}/metrics`);
    expect(metrics.headers.get('content-type')).toMatch(/text\/plain/);
    const text = await metrics.text();
    for (const name of [
      'vinegym_connections',
      'vinegym_sessions',
      'vinegym_env_steps_total',
      'vinegym_step_latency_seconds_count',
    ]) {
      expect(text).toMatch(new RegExp(`^${name} \\d+`, 'm'));
    }
    expect(Number(/^vinegym_env_steps_total (\d+)/m.exec(text)![1])).toBeGreaterThan(0);
  });

  it('answers 404 to WebSocket upgrades on other paths', async () => {
    const ws = new WebSocket(server.url.replace('/v1/ws', '/elsewhere'));
    await expect(new Promise((_, reject) => ws.once('error', reject))).rejects.toThrow(/404/);
  });
});

describe('bad requests fail alone while another connection keeps stepping', () => {
  let bystander: TestClient;
  let bystanderSession: string;
  /** The same env stepped in-process: what the bystander must keep seeing. */
  const reference = new EnvService({ registry: createDefaultRegistry() });
  const owner = {};
  let referenceSession: string;
  let t = 0;

  beforeAll(async () => {
    bystander = await TestClient.open(server.url);
    bystanderSession = (await bystander.call('make', { env_id: 'CartPole-v1', num_envs: 8, seed: 11 })).session_id;
    referenceSession = (await reference.make({ env_id: 'CartPole-v1', num_envs: 8, seed: 11 }, owner)).session_id;
    await bystander.call('reset', { session_id: bystanderSession });
    reference.reset({ session_id: referenceSession }, owner);
  });
  afterAll(() => bystander.close());

  /** One bystander step, compared with the in-process reference. */
  async function bystanderSteps(): Promise<void> {
    const actions = discreteActions(...Array.from({ length: 8 }, (_, i) => (t + i) % 2));
    t++;
    const remote = await bystander.call('step', { session_id: bystanderSession, actions });
    const local = await reference.step({ session_id: referenceSession, actions }, owner);
    expect(Array.from(remote.observations.data)).toEqual(Array.from((local.observations as NDArray<'float32'>).data));
    expect(Array.from(remote.terminated.data)).toEqual(Array.from(local.terminated.data));
  }

  async function expectError(
    frame: Promise<{ id?: number | null; error?: { code: string; message: string } }>,
    code: string,
    id?: number | null,
  ) {
    const answer = await frame;
    expect(answer.error?.code, answer.error?.message).toBe(code);
    if (id !== undefined) expect(answer.id).toBe(id);
    await bystanderSteps();
    return answer;
  }

  it('malformed MessagePack, unknown types, bad bodies, text frames', async () => {
    const client = await TestClient.open(server.url);
    client.ws.send(Buffer.from([0xc1, 0xff, 0x00]), { binary: true });
    await expectError(client.nextUnsolicited(), 'BAD_REQUEST', null);
    client.send({ id: 77, type: 'dance', body: {} });
    await expectError(client.nextUnsolicited(), 'BAD_REQUEST', 77);
    await expectError(client.request('make', { env_id: 'CartPole-v1', num_envs: 'many' }), 'BAD_REQUEST');
    await expectError(client.request('make', { env_id: 'NoSuchEnv-v0' }), 'UNKNOWN_ENV');
    await expectError(client.request('make', { env_id: 'CartPole-v1', kwargs: { gravity: 3 } }), 'INVALID_KWARGS');
    client.ws.send('{"id": 1, "type": "list"}');
    await expectError(client.nextUnsolicited(), 'BAD_REQUEST', null);
    expect((await client.call('list', {})).envs.length).toBe(BUILT_IN_IDS.length + 1); // still working
    client.close();
  });

  it('wrong shapes and dtypes, out-of-space and NaN actions, unknown sessions', async () => {
    const client = await TestClient.open(server.url);
    const cartpole = (await client.call('make', { env_id: 'CartPole-v1', num_envs: 2 })).session_id;
    await client.call('reset', { session_id: cartpole });
    const step = (actions: unknown, session = cartpole) => client.request('step', { session_id: session, actions });
    await expectError(step(discreteActions(0, 1, 0)), 'INVALID_ACTION');
    await expectError(step(ndarray('float32', [2], [0, 1])), 'INVALID_ACTION');
    await expectError(step(discreteActions(0, 2)), 'INVALID_ACTION');
    await expectError(step(1), 'INVALID_ACTION');

    const pendulum = (await client.call('make', { env_id: 'Pendulum-v1', num_envs: 2, seed: 1 })).session_id;
    await client.call('reset', { session_id: pendulum });
    await expectError(step(ndarray('float32', [2, 1], [0.5, Number.NaN]), pendulum), 'INVALID_ACTION');
    await expectError(step(ndarray('float32', [2, 1], [0.5, Number.POSITIVE_INFINITY]), pendulum), 'INVALID_ACTION');
    await expectError(step(ndarray('float32', [2], [0.5, 1]), pendulum), 'INVALID_ACTION');
    // Outside the Box bounds: passed to the env as Gymnasium does, unless the session asked for strict actions.
    const outside = await client.call('step', { session_id: pendulum, actions: ndarray('float32', [2, 1], [0.5, 3]) });
    expect(outside.observations.shape).toEqual([2, 3]);
    const strict = await client.call('make', { env_id: 'Pendulum-v1', num_envs: 2, seed: 1, strict_actions: true });
    expect(strict.strict_actions).toBe(true);
    await client.call('reset', { session_id: strict.session_id });
    await expectError(step(ndarray('float32', [2, 1], [0.5, 3]), strict.session_id), 'INVALID_ACTION');
    await expectError(client.request('make', { env_id: 'Pendulum-v1', strict_actions: 1 }), 'BAD_REQUEST');
    await client.call('close', { session_id: strict.session_id });
    const ok = await client.call('step', { session_id: pendulum, actions: ndarray('float32', [2, 1], [0.5, -1]) });
    expect(ok.observations.shape).toEqual([2, 3]);
    await expectError(client.request('render', { session_id: pendulum, env_index: 0 }), 'NOT_SUPPORTED');

    await expectError(step(discreteActions(0, 1), 'no-such-session'), 'UNKNOWN_SESSION');
    await expectError(step(discreteActions(...Array(8).fill(0)), bystanderSession), 'UNKNOWN_SESSION'); // not this connection's
    expect(
      Array.from((await client.call('step', { session_id: cartpole, actions: discreteActions(1, 1) })).rewards.data),
    ).toEqual([1, 1]);
    client.close();
  });

  it('session limits', async () => {
    const client = await TestClient.open(server.url);
    await expectError(client.request('make', { env_id: 'CartPole-v1', num_envs: 65 }), 'LIMIT_EXCEEDED');
    for (let k = 0; k < 3; k++) await client.call('make', { env_id: 'CartPole-v1' });
    await expectError(client.request('make', { env_id: 'CartPole-v1' }), 'LIMIT_EXCEEDED');
    client.close();
    await client.closed;
    // Its sessions went with it: a new connection can make sessions again.
    const next = await TestClient.open(server.url);
    await next.call('make', { env_id: 'CartPole-v1' });
    next.close();
  });

  it('requests before hello and unsupported versions', async () => {
    const client = await TestClient.connect(server.url);
    await expectError(client.request('list', {}), 'BAD_REQUEST');
    await expectError(client.request('step', { session_id: 'x', actions: discreteActions(0) }), 'BAD_REQUEST');
    await expectError(
      client.request('hello', { protocol_versions: [2], client: { name: 't', version: '0' } }),
      'UNSUPPORTED_VERSION',
    );
    await client.call('hello', { protocol_versions: [2, 1], client: { name: 't', version: '0' } });
    await expectError(
      client.request('hello', { protocol_versions: [1], client: { name: 't', version: '0' } }),
      'BAD_REQUEST',
    );
    client.close();
  });

  it('an oversized frame closes that connection with 1009', async () => {
    const client = await TestClient.open(server.url);
    client.ws.send(encodeFrame({ id: 1, type: 'list', body: { pad: new Uint8Array(MAX_MESSAGE_BYTES + 1) } }), {
      binary: true,
    });
    expect((await client.closed).code).toBe(1009);
    await bystanderSteps();
    const text = await (await fetch(`${server.httpUrl}/metrics`)).text();
    expect(text).toMatch(/^vinegym_errors_total\{code="LIMIT_EXCEEDED"\} \d+/m);
    expect(text).toMatch(/^vinegym_errors_total\{code="INVALID_ACTION"\} \d+/m);
  });
});

describe('server options', () => {
  it('requires the token when one is set, then closes with 1008', async () => {
    const guarded = await createServer({ port: 0, token: 's3cret' });
    try {
      const wrong = await TestClient.connect(guarded.url);
      const answer = await wrong.request('hello', {
        protocol_versions: [1],
        client: { name: 't', version: '0' },
        token: 'nope',
      });
      expect(answer.error?.code).toBe('UNAUTHORIZED');
      expect((await wrong.closed).code).toBe(1008);
      const missing = await TestClient.connect(guarded.url);
      expect(
        (await missing.request('hello', { protocol_versions: [1], client: { name: 't', version: '0' } })).error?.code,
      ).toBe('UNAUTHORIZED');
      const right = await TestClient.open(guarded.url, 's3cret');
      expect((await right.call('list', {})).envs.length).toBe(BUILT_IN_IDS.length);
      right.close();
    } finally {
      await guarded.close();
    }
  });

  it('pings idle connections and closes those that answer no ping for ping_timeout_s', async () => {
    const pinging = await createServer({ port: 0, pingIntervalMs: 40, pingTimeoutMs: 400 });
    try {
      const hello = await (
        await TestClient.connect(pinging.url)
      ).call('hello', {
        protocol_versions: [1],
        client: { name: 't', version: '0' },
      });
      expect(hello.limits.ping_timeout_s).toBe(0.4);
      const answering = await TestClient.open(pinging.url);
      const silent = await TestClient.open(pinging.url);
      silent.answerPings = false;
      const ping = await silent.nextUnsolicited((f) => f.type === 'ping');
      const firstPingAt = performance.now();
      expect(typeof ping.nonce).toBe('number');
      expect((await silent.closed).code).toBe(4000);
      // Not after two pings, as before: only once the first one has waited ping_timeout_s (timers may fire early by
      // a millisecond).
      expect(performance.now() - firstPingAt).toBeGreaterThan(390);
      expect(silent.unsolicited.filter((f) => f.type === 'ping').length).toBeGreaterThan(3);
      await answering.nextUnsolicited((f) => f.type === 'ping');
      await answering.nextUnsolicited((f) => f.type === 'ping');
      await answering.nextUnsolicited((f) => f.type === 'ping');
      expect(answering.ws.readyState).toBe(WebSocket.OPEN);
      expect((await answering.call('list', {})).envs.length).toBe(BUILT_IN_IDS.length);
      answering.close();
      const mute = await TestClient.connect(pinging.url); // never says hello: never pinged, closed all the same
      expect((await mute.closed).code).toBe(4000);
      expect(mute.unsolicited).toEqual([]);
    } finally {
      await pinging.close();
    }
  });

  it('keeps the connection of a client that is busy for many ping intervals and then answers', async () => {
    // Two unanswered pings used to close a connection: an agent busy in a long policy update lost it.
    const pinging = await createServer({ port: 0, pingIntervalMs: 40, pingTimeoutMs: 2000 });
    try {
      const busy = await TestClient.open(pinging.url);
      const session = (await busy.call('make', { env_id: 'CartPole-v1', num_envs: 1 })).session_id;
      // A blocked event loop reads nothing: the pings wait in the socket until it reads again.
      busy.ws.pause();
      await new Promise((resolve) => setTimeout(resolve, 600)); // 15 ping intervals
      busy.ws.resume();
      await busy.nextUnsolicited((f) => f.type === 'ping');
      expect(busy.ws.readyState).toBe(WebSocket.OPEN);
      expect((await busy.call('reset', { session_id: session })).env_indices).toEqual([0]);
      busy.close();
    } finally {
      await pinging.close();
    }
  });

  it('close() disconnects clients with 1001 and resolves', async () => {
    const closing = await createServer({ port: 0 });
    const client = await TestClient.open(closing.url);
    await client.call('make', { env_id: 'CartPole-v1' });
    await closing.close();
    expect((await client.closed).code).toBe(1001);
    expect(closing.service.stats().sessions).toBe(0);
  });
});
