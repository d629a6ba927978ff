/**
 * Sessions on worker threads (ParallelSession) against the in-process VectorSession: the same requests must give
 * identical answers, snapshots included, in every autoreset mode; env errors and dying worker threads must end
 * as ENV_ERROR for that session only. Also the service's choice between the two, and request order over WS.
 */
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { ndarray, VinegymError } from '@vinegym/protocol';
import type { AutoresetMode, SpaceValue, StepResult } from '@vinegym/protocol';
import { ATARI_ENVS } from '../src/envs/atari.js';
import { CARTPOLE_V1 } from '../src/envs/cartpole.js';
import { HOPPER_V5, loadMujocoRuntime } from '../src/envs/mujoco/index.js';
import type { EnvDefinition } from '../src/env.js';
import type { EnvSession } from '../src/env-session.js';
import { ParallelSession, sliceRanges } from '../src/parallel/parallel-session.js';
import { loadPlugin } from '../src/plugin.js';
import { createDefaultRegistry, validateKwargs } from '../src/registry.js';
import { createServer } from '../src/server.js';
import { EnvService } from '../src/service.js';
import { VectorSession } from '../src/session.js';
import { TestClient } from './fixtures/test-client.js';
import { uniform } from './fixtures/uniform.js';

// These tests create MuJoCo envs themselves, without a service to load the module at the first make.
await loadMujocoRuntime();

const TIMEOUT = 120_000;
const FAULT_PLUGIN = fileURLToPath(new URL('./fixtures/worker-fault-plugin.ts', import.meta.url));
const open: EnvSession[] = [];
afterAll(() => open.forEach((session) => session.close()));

const PONG_V5 = ATARI_ENVS.find((d) => d.id === 'ALE/Pong-v5')!;
/**
 * Kwargs per env: Pong with the paper's preprocessing (uint8 frame stacks, sticky actions on); Hopper in wrappers
 * (a short time limit, a frame stack whose state snapshots carry between threads, rescaled and clipped actions).
 */
const KWARGS = new Map<EnvDefinition, Record<string, unknown>>([
  [PONG_V5, { obs_type: 'grayscale', downsample: 4, frame_stack: 4 }],
  [
    HOPPER_V5,
    { max_episode_steps: 7, frame_stack: 2, rescale_action_min: -2, rescale_action_max: 2, clip_action: true },
  ],
]);

function actionsFor(definition: EnvDefinition, n: number, next: () => number): SpaceValue {
  if (definition === CARTPOLE_V1)
    return ndarray(
      'int64',
      [n],
      BigInt64Array.from({ length: n }, () => BigInt(next() < 0.5 ? 0 : 1)),
    );
  if (definition === PONG_V5)
    return ndarray(
      'int64',
      [n],
      BigInt64Array.from({ length: n }, () => BigInt(Math.floor(6 * next()))),
    );
  return ndarray(
    'float32',
    [n, 3],
    Float32Array.from({ length: 3 * n }, () => 2 * next() - 1),
  );
}

async function pair(
  definition: EnvDefinition,
  numEnvs: number,
  autoresetMode: AutoresetMode,
  workers = 2,
): Promise<[EnvSession, EnvSession]> {
  const kwargs = validateKwargs(definition, KWARGS.get(definition) ?? {});
  const options = { definition, kwargs, numEnvs, autoresetMode, seed: 11 };
  const parallel = await ParallelSession.create({ ...options, origin: { kind: 'builtin' }, workers });
  const local = new VectorSession(options);
  open.push(parallel, local);
  return [local, parallel];
}

/**
 * Everything a client may do, recorded: seeded and partial resets, steps with random actions (resetting ended envs
 * when autoreset is disabled), snapshots of envs in different slices and restores across slices.
 */
async function script(session: EnvSession, definition: EnvDefinition, steps: number): Promise<unknown[]> {
  const n = session.numEnvs;
  const next = uniform(5);
  const log: unknown[] = [await session.reset({ seed: 3 })];
  let snapshots: Uint8Array[] = [];
  for (let k = 0; k < steps; k++) {
    const out: StepResult = await session.step(actionsFor(definition, n, next));
    log.push(out);
    if (session.autoresetMode === 'disabled') {
      const ended = [...Array(n).keys()].filter((i) => out.terminated.data[i] || out.truncated.data[i]);
      if (ended.length > 0) log.push(await session.reset({ env_indices: ended }));
    }
    if (k === 5) log.push(await session.reset({ env_indices: [1, n - 1], seeds: [100, null] }));
    if (k === 8) log.push((snapshots = await session.snapshot([0, n - 1, 0])));
    if (k === 12) {
      await session.restore(n - 1, snapshots[0]);
      await session.restore(0, snapshots[1]);
    }
  }
  return log;
}

describe('ParallelSession gives the same answers as VectorSession', () => {
  it('splits envs into contiguous slices of nearly equal size', () => {
    expect(sliceRanges(5, 2)).toEqual([
      { start: 0, count: 3 },
      { start: 3, count: 2 },
    ]);
    expect(sliceRanges(16, 3).map((r) => r.count)).toEqual([6, 5, 5]);
  });

  for (const definition of [CARTPOLE_V1, HOPPER_V5, PONG_V5]) {
    for (const mode of ['next_step', 'same_step', 'disabled'] as const) {
      it(
        `${definition.id}, autoreset ${mode}, 5 envs on 2 workers`,
        async () => {
          const [local, parallel] = await pair(definition, 5, mode);
          expect(parallel.observationSpace).toEqual(local.observationSpace);
          expect(parallel.actionSpace).toEqual(local.actionSpace);
          expect(parallel.maxEpisodeSteps).toBe(local.maxEpisodeSteps);
          const [expected, actual] = await Promise.all([
            script(local, definition, 40),
            script(parallel, definition, 40),
          ]);
          expect(actual).toEqual(expected);
          // Snapshots travel between the two kinds of session.
          const fromWorker = await parallel.snapshot([4]);
          await local.restore(2, fromWorker[0]);
          expect(await local.snapshot([2])).toEqual(fromWorker);
        },
        TIMEOUT,
      );
    }
  }

  for (const mode of ['next_step', 'same_step'] as const) {
    it(
      `transient steps (autoreset ${mode}) give VectorSession's answers in one reused observation batch`,
      async () => {
        const [local, parallel] = await pair(PONG_V5, 5, mode);
        await Promise.all([local.reset({ seed: 4 }), parallel.reset({ seed: 4 })]);
        const next = uniform(6);
        let batch: SpaceValue | null = null;
        for (let t = 0; t < 30; t++) {
          const actions = actionsFor(PONG_V5, 5, next);
          const expected = await local.step(actions);
          const got = await parallel.step(actions, true);
          batch ??= got.observations;
          // Compared before the next step rewrites the batch, as a connection encodes a result at once.
          expect(got.observations).toBe(batch);
          expect(got).toEqual(expected);
        }
        // A step that is not transient still gets a batch of its own.
        const actions = actionsFor(PONG_V5, 5, next);
        const fresh = await parallel.step(actions);
        expect(fresh.observations).not.toBe(batch);
        expect(fresh).toEqual(await local.step(actions));
      },
      TIMEOUT,
    );
  }

  it(
    'rejects bad requests with the same errors and stays usable',
    async () => {
      const [local, parallel] = await pair(CARTPOLE_V1, 3, 'disabled');
      const errorOf = async (call: () => unknown) => {
        try {
          await call();
        } catch (error) {
          return [(error as VinegymError).code, (error as Error).message];
        }
        return null;
      };
      const calls: ((s: EnvSession) => unknown)[] = [
        (s) => s.step(ndarray('int64', [3], [0, 1, 0])),
        (s) => s.reset({ env_indices: [2, 1] }),
        (s) => s.reset({ seed: 1, seeds: [1, 2, 3] }),
        (s) => s.snapshot([3]),
        (s) => s.restore(0, new Uint8Array([1, 2, 3])),
        (s) => s.render(7),
      ];
      for (const call of calls) {
        const expected = await errorOf(() => call(local));
        expect(expected).not.toBeNull();
        expect(await errorOf(() => call(parallel))).toEqual(expected);
      }
      await parallel.reset({ seed: 1 });
      await local.reset({ seed: 1 });
      expect(await errorOf(() => parallel.step(ndarray('int64', [2], [0, 1])))).toEqual(
        await errorOf(() => local.step(ndarray('int64', [2], [0, 1]))),
      );
      expect(await parallel.step(ndarray('int64', [3], [0, 1, 0]))).toEqual(
        await local.step(ndarray('int64', [3], [0, 1, 0])),
      );
      expect(parallel.broken).toBe(false);
    },
    TIMEOUT,
  );
});

describe('failures on worker threads', () => {
  async function faultSession(failHow: 'throw' | 'exit'): Promise<{ service: EnvService; owner: object; id: string }> {
    const registry = createDefaultRegistry();
    await loadPlugin(registry, FAULT_PLUGIN);
    const service = new EnvService({ registry, workers: 2 });
    const owner = {};
    const made = await service.make(
      { env_id: 'Fault-v0', num_envs: 4, kwargs: { fail_at: 3, fail_how: failHow } },
      owner,
    );
    return { service, owner, id: made.session_id };
  }

  for (const failHow of ['throw', 'exit'] as const) {
    it(
      `an env that fails by ${failHow === 'throw' ? 'throwing' : 'ending its worker thread'} gives ENV_ERROR for its session only`,
      async () => {
        const { service, owner, id } = await faultSession(failHow);
        const other = await service.make({ env_id: 'Hopper-v5', num_envs: 2, seed: 0 }, owner);
        const cartpole = service.make({ env_id: 'CartPole-v1', num_envs: 2, seed: 0 }, owner);
        expect(cartpole).not.toBeInstanceOf(Promise); // cheap envs stay in-process
        const step = () => service.step({ session_id: id, actions: ndarray('int64', [4], [0, 0, 0, 0]) }, owner);
        await service.reset({ session_id: id }, owner);
        await step();
        await step();
        const failure = await Promise.resolve(step()).catch((error: unknown) => error as VinegymError);
        expect(failure).toBeInstanceOf(VinegymError);
        expect((failure as VinegymError).code).toBe('ENV_ERROR');
        expect((failure as VinegymError).message).toMatch(
          failHow === 'throw' ? /Fault-v0 env \d step failed: fault at step 3/ : /worker thread exited with code 7/,
        );
        // The session stays broken; the others carry on.
        await expect(Promise.resolve().then(step)).rejects.toMatchObject({
          code: 'ENV_ERROR',
          message: /session is unusable/,
        });
        await service.reset({ session_id: other.session_id }, owner);
        const hopper = await service.step({ session_id: other.session_id, actions: ndarray('float32', [2, 3]) }, owner);
        expect(hopper.rewards.data.length).toBe(2);
        service.closeAll();
      },
      TIMEOUT,
    );
  }
});

describe('EnvService and the server with workers', () => {
  it(
    'answers pipelined requests in order over WS, with the same results as workers=0',
    async () => {
      const results: unknown[][] = [];
      for (const workers of [0, 2]) {
        const server = await createServer({ port: 0, workers });
        const client = await TestClient.open(server.url);
        const made = await client.call('make', {
          env_id: 'Hopper-v5',
          num_envs: 4,
          seed: 2,
          autoreset_mode: 'same_step',
        });
        const cartpole = await client.call('make', { env_id: 'CartPole-v1', num_envs: 2, seed: 2 });
        const order: number[] = [];
        const next = uniform(9);
        const requests = [
          client.request('reset', { session_id: made.session_id }),
          client.request('reset', { session_id: cartpole.session_id }),
          ...Array.from({ length: 30 }, () =>
            client.request('step', { session_id: made.session_id, actions: actionsFor(HOPPER_V5, 4, next) }),
          ),
          client.request('step', { session_id: cartpole.session_id, actions: ndarray('int64', [2], [1, 0]) }),
          client.request('snapshot', { session_id: made.session_id, env_indices: [3] }),
          client.request('step', { session_id: made.session_id, actions: ndarray('float32', [3, 3]) }),
        ].map((request, k) => request.then((frame) => (order.push(k), frame)));
        const frames = await Promise.all(requests);
        expect(order).toEqual([...order].sort((a, b) => a - b));
        expect(frames.at(-1)!.error?.code).toBe('INVALID_ACTION');
        results.push(frames.map((frame) => (frame.ok ? frame.body : frame.error!.code)));
        client.ws.close();
        await server.close();
      }
      expect(results[1]).toEqual(results[0]);
    },
    TIMEOUT,
  );
});
