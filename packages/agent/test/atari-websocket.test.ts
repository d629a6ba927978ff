/**
 * Atari observations over a real loopback WebSocket equal the embedded ones byte for byte (ALE/Pong-v5 from
 * ale-py's ROMs): raw RGB and the paper's preprocessed input, with fresh receive buffers (the default) and with
 * reused ones (`reuseReceiveBuffers`), through the server's reused step-response buffer, one session at a time,
 * several pipelined on one connection, and pipelined steps of one session. Also what reuse means: a response's
 * arrays are rewritten once the next request is sent, while the default's stay the caller's. The embedded
 * session's `reuseObservations` likewise.
 */
import { EnvService, createDefaultRegistry, createServer, type VinegymServer } from '@vinegym/env-server';
import { ndarray, type NDArray, type SpaceValue } from '@vinegym/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Connection } from '../src/client/connection.js';
import { EmbeddedVectorEnv } from '../src/client/embedded-vector-env.js';
import { RemoteVectorEnv } from '../src/client/remote-vector-env.js';
import type { VectorEnv } from '../src/env/vector-env.js';

const NUM_ENVS = 2;
const STEPS = 16;
type Kwargs = Record<string, number | boolean | string | null>;
const RAW: Kwargs = {};
const PAPER: Kwargs = { obs_type: 'grayscale', downsample: 4, frame_stack: 4 };

let server: VinegymServer;
beforeAll(async () => {
  server = await createServer({ port: 0, workers: 0 });
});
afterAll(async () => {
  await server?.close();
});

const options = (kwargs: Kwargs) => ({ envId: 'ALE/Pong-v5', numEnvs: NUM_ENVS, kwargs, seed: 3 });

function actions(): NDArray[] {
  let x = 99;
  return Array.from({ length: STEPS }, () =>
    ndarray(
      'int64',
      [NUM_ENVS],
      Array.from({ length: NUM_ENVS }, () => {
        x = (x * 1103515245 + 12345) % 2 ** 31;
        return (x >> 16) % 6;
      }),
    ),
  );
}

/** The bytes of a batch of Atari observations (one NDArray). */
const pixels = (observations: SpaceValue) => (observations as NDArray<'uint8'>).data;

/** The observations of every step, copied as they arrive (so reused buffers do not matter). */
async function observations(env: VectorEnv): Promise<Buffer[]> {
  const out = [Buffer.from(pixels((await env.reset({ seed: 3 })).observations))];
  for (const a of actions()) out.push(Buffer.from(pixels((await env.step(a)).observations)));
  await env.close();
  return out;
}

/** The embedded observations for `kwargs`, computed once per kwargs. */
const embeddedRuns = new Map<Kwargs, Promise<Buffer[]>>();
function embeddedObservations(kwargs: Kwargs): Promise<Buffer[]> {
  if (!embeddedRuns.has(kwargs)) embeddedRuns.set(kwargs, EmbeddedVectorEnv.make(options(kwargs)).then(observations));
  return embeddedRuns.get(kwargs)!;
}

function expectSame(actual: Buffer[], expected: Buffer[]): void {
  expect(actual.length).toBe(expected.length);
  actual.forEach((obs, i) => expect(obs.equals(expected[i]!), `step ${i}`).toBe(true));
}

describe('Atari observations over WebSocket', () => {
  for (const [name, kwargs] of [
    ['raw RGB', RAW],
    ['paper input', PAPER],
  ] as const) {
    it(`${name}: equal the embedded ones byte for byte, with fresh and with reused receive buffers`, async () => {
      const embedded = await embeddedObservations(kwargs);
      expect(embedded[1]!.length).toBe(name === 'raw RGB' ? NUM_ENVS * 210 * 160 * 3 : NUM_ENVS * 52 * 40 * 4);
      for (const reuseReceiveBuffers of [false, true]) {
        const remote = await RemoteVectorEnv.connect(server.url, { ...options(kwargs), reuseReceiveBuffers });
        expectSame(await observations(remote), embedded);
      }
    });
  }

  it('keeps pipelined responses of several sessions on one connection apart, in both buffer modes', async () => {
    const embedded = await embeddedObservations(RAW);
    for (const reuseReceiveBuffers of [false, true]) {
      const connection = await Connection.open(server.url, { reuseReceiveBuffers });
      const envs = await Promise.all([0, 1].map(() => RemoteVectorEnv.make(connection, options(RAW))));
      const seen: Buffer[][] = [[], []];
      const copy = (results: { observations: SpaceValue }[]) =>
        results.forEach((r, k) => seen[k]!.push(Buffer.from(pixels(r.observations))));
      // Both requests are in flight before any answer is read: the server encodes the second step
      // response while the first one's buffer may still be being written.
      copy(await Promise.all(envs.map((env) => env.reset({ seed: 3 }))));
      for (const a of actions()) copy(await Promise.all(envs.map((env) => env.step(a))));
      for (const s of seen) expectSame(s, embedded);
      await Promise.all(envs.map((env) => env.close()));
      await connection.close();
    }
  });

  it('keeps the observations of pipelined steps of one session apart', async () => {
    // All the steps are in flight at once: the server handles them one after another while the earlier responses
    // are still being written.
    const embedded = await embeddedObservations(RAW);
    const env = await RemoteVectorEnv.connect(server.url, options(RAW));
    const first = Buffer.from(pixels((await env.reset({ seed: 3 })).observations));
    const steps = await Promise.all(actions().map((a) => env.step(a)));
    expectSame([first, ...steps.map((step) => Buffer.from(pixels(step.observations)))], embedded);
    await env.close();
  });

  it('with reused buffers, a response is rewritten once the next request is sent; by default it stays', async () => {
    const [a, b] = actions();
    for (const reuseReceiveBuffers of [false, true]) {
      const env = await RemoteVectorEnv.connect(server.url, { ...options(RAW), reuseReceiveBuffers });
      await env.reset({ seed: 3 });
      const first = pixels((await env.step(a!)).observations);
      const kept = Buffer.from(first);
      const second = pixels((await env.step(b!)).observations);
      expect(Buffer.from(second).equals(kept)).toBe(false); // Pong moves between steps
      expect(second.buffer === first.buffer).toBe(reuseReceiveBuffers);
      expect(Buffer.from(first).equals(kept)).toBe(!reuseReceiveBuffers);
      await env.close();
    }
  });

  it('embedded with reuseObservations: the same bytes, in one batch that the next step rewrites', async () => {
    // Sessions stepped on the caller's thread reuse the batch (worker sessions may hand out fresh ones).
    const service = new EnvService({ registry: createDefaultRegistry(), workers: 0 });
    const embedded = await embeddedObservations(RAW);
    const reusing = await EmbeddedVectorEnv.make({ ...options(RAW), reuseObservations: true }, service);
    expectSame(await observations(reusing), embedded);
    const [a, b] = actions();
    for (const reuseObservations of [false, true]) {
      const env = await EmbeddedVectorEnv.make({ ...options(RAW), reuseObservations }, service);
      await env.reset({ seed: 3 });
      const first = pixels((await env.step(a!)).observations);
      const kept = Buffer.from(first);
      const second = pixels((await env.step(b!)).observations);
      expect(Buffer.from(second).equals(kept)).toBe(false);
      expect(second.buffer === first.buffer).toBe(reuseObservations);
      expect(Buffer.from(first).equals(kept)).toBe(!reuseObservations);
      await env.close();
    }
  });
});
