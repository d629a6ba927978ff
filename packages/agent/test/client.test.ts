import { EnvService, createDefaultRegistry, createServer, type VinegymServer } from '@vinegym/env-server';
import { VinegymError, ndarray, type NDArray, type StepResult } from '@vinegym/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Connection, ConnectionError } from '../src/client/connection.js';
import { EmbeddedVectorEnv } from '../src/client/embedded-vector-env.js';
import { RemoteVectorEnv } from '../src/client/remote-vector-env.js';
import type { VectorEnv } from '../src/env/vector-env.js';

let server: VinegymServer;
beforeAll(async () => {
  server = await createServer({ port: 0, token: 'secret' });
});
afterAll(async () => {
  await server?.close();
});

const actions = (values: number[]) => ndarray('int64', [values.length], values);

/** A fixed pseudo-random action sequence (no RNG shared with the envs). */
function actionSequence(numEnvs: number, steps: number): NDArray[] {
  let x = 12345;
  return Array.from({ length: steps }, () =>
    actions(
      Array.from({ length: numEnvs }, () => {
        x = (x * 1103515245 + 12345) % 2 ** 31;
        return (x >> 16) & 1;
      }),
    ),
  );
}

async function trajectory(env: VectorEnv, steps: NDArray[]): Promise<StepResult[]> {
  await env.reset({ seed: 7 });
  const out: StepResult[] = [];
  for (const a of steps) out.push(await env.step(a));
  return out;
}

describe('RemoteVectorEnv and EmbeddedVectorEnv', () => {
  it('give identical trajectories for the same seed and actions, across episode ends', async () => {
    const steps = actionSequence(4, 300);
    for (const autoresetMode of ['next_step', 'same_step'] as const) {
      const remote = await RemoteVectorEnv.connect(server.url, {
        envId: 'CartPole-v1',
        numEnvs: 4,
        autoresetMode,
        token: 'secret',
      });
      const embedded = await EmbeddedVectorEnv.make({ envId: 'CartPole-v1', numEnvs: 4, autoresetMode });
      const [a, b] = [await trajectory(remote, steps), await trajectory(embedded, steps)];
      expect(a.some((r) => r.terminated.data.some((t) => t === 1))).toBe(true);
      expect(a).toEqual(b);
      await remote.close();
      await embedded.close();
    }
  });

  it('restores a snapshot so that the continuation repeats exactly', async () => {
    const env = await RemoteVectorEnv.connect(server.url, { envId: 'CartPole-v1', numEnvs: 2, token: 'secret' });
    const steps = actionSequence(2, 40);
    await env.reset({ seed: 3 });
    for (const a of steps.slice(0, 5)) await env.step(a);
    const [snapshot] = await env.snapshot([1]);
    const first: StepResult[] = [];
    for (const a of steps.slice(5)) first.push(await env.step(a));
    await env.restore(1, snapshot);
    const second: StepResult[] = [];
    for (const a of steps.slice(5)) second.push(await env.step(a));
    const env1 = (rs: StepResult[]) =>
      rs.map((r) => [
        Array.from((r.observations as NDArray<'float32'>).data.slice(4, 8)),
        r.rewards.data[1],
        r.terminated.data[1],
      ]);
    expect(env1(second)).toEqual(env1(first));
    await env.close();
  });

  it('renderScene gets a MuJoCo scene once and poses after, in both modes', async () => {
    const remote = await RemoteVectorEnv.connect(server.url, { envId: 'Hopper-v5', token: 'secret' });
    const embedded = await EmbeddedVectorEnv.make({ envId: 'Hopper-v5' });
    for (const env of [remote, embedded]) {
      expect(env.spec.render_modes).toEqual(['scene', 'poses']);
      await env.reset({ seed: 0 });
      const { scene, poses } = await env.renderScene!(0, 'scene');
      expect(scene!.geoms.map((g) => g.type)).toEqual(['plane', 'capsule', 'capsule', 'capsule', 'capsule']);
      expect(poses!.positions.shape).toEqual([5, 3]);
      expect(Object.keys(await env.renderScene!(0, 'poses'))).toEqual(['poses']);
      await env.close();
    }
  });

  it('throws the same typed errors in both modes', async () => {
    const remote = await RemoteVectorEnv.connect(server.url, { envId: 'CartPole-v1', numEnvs: 2, token: 'secret' });
    const embedded = await EmbeddedVectorEnv.make({ envId: 'CartPole-v1', numEnvs: 2 });
    for (const env of [remote, embedded]) {
      await env.reset({ seed: 0 });
      await expect(env.step(actions([0, 2]))).rejects.toMatchObject({ code: 'INVALID_ACTION' });
      await expect(env.render(5)).rejects.toBeInstanceOf(VinegymError);
      // The session keeps working after a bad request.
      expect((await env.step(actions([0, 1]))).rewards.data).toEqual(new Float64Array([1, 1]));
    }
    await expect(RemoteVectorEnv.connect(server.url, { envId: 'NoSuchEnv-v0', token: 'secret' })).rejects.toMatchObject(
      { code: 'UNKNOWN_ENV' },
    );
    await expect(EmbeddedVectorEnv.make({ envId: 'NoSuchEnv-v0' })).rejects.toMatchObject({ code: 'UNKNOWN_ENV' });
    await expect(RemoteVectorEnv.connect(server.url, { envId: 'CartPole-v1', token: 'wrong' })).rejects.toMatchObject({
      code: 'UNAUTHORIZED',
    });
    await remote.close();
    await embedded.close();
  });

  it('pipelines requests of several sessions over one connection', async () => {
    const connection = await Connection.open(server.url, { token: 'secret' });
    const envs = await Promise.all(
      [0, 1, 2].map(() => RemoteVectorEnv.make(connection, { envId: 'CartPole-v1', numEnvs: 3, seed: 1 })),
    );
    await Promise.all(envs.map((env) => env.reset()));
    const results = await Promise.all(envs.map((env) => env.step(actions([1, 1, 1]))));
    expect(results[1]).toEqual(results[0]);
    expect(results[2]).toEqual(results[0]);
    await Promise.all(envs.map((env) => env.close()));
    await connection.close();
  });

  it('fails pending and later requests with a ConnectionError when the server goes away', async () => {
    const own = await createServer({ port: 0 });
    const env = await RemoteVectorEnv.connect(own.url, { envId: 'CartPole-v1' });
    await env.reset();
    await own.close();
    await expect(env.step(actions([0]))).rejects.toBeInstanceOf(ConnectionError);
  });

  it('shares one service between embedded envs when given one, keeping sessions apart', async () => {
    const service = new EnvService({ registry: createDefaultRegistry(), limits: { maxSessions: 1 } });
    const a = await EmbeddedVectorEnv.make({ envId: 'CartPole-v1' }, service);
    const b = await EmbeddedVectorEnv.make({ envId: 'CartPole-v1' }, service);
    await a.reset({ seed: 1 });
    await b.reset({ seed: 2 });
    await a.close();
    await expect(a.step(actions([0]))).rejects.toMatchObject({ code: 'UNKNOWN_SESSION' });
    expect((await b.step(actions([0]))).rewards.data[0]).toBe(1);
    await b.close();
  });
});
