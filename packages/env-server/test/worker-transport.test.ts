/**
 * The shared-memory step transport between a ParallelSession and its worker threads (src/parallel/handoff.ts,
 * step-buffers.ts, info-columns.ts): results equal to the in-process session's step for step, infos of every
 * shape carried exactly, failures in a worker surfacing as typed errors, and a thread stopped mid-step reported.
 */
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { ndarray, VinegymError } from '@vinegym/protocol';
import type { AutoresetMode, Info, SpaceValue } from '@vinegym/protocol';
import { CARTPOLE_V1 } from '../src/envs/cartpole.js';
import { HOPPER_V5, loadMujocoRuntime } from '../src/envs/mujoco/index.js';
import type { EnvDefinition } from '../src/env.js';
import type { EnvSession } from '../src/env-session.js';
import {
  INFO_IN_MESSAGE,
  InfoColumnReader,
  InfoColumnWriter,
  MAX_INFO_LAYOUTS,
  NO_INFO,
} from '../src/parallel/info-columns.js';
import { ParallelSession } from '../src/parallel/parallel-session.js';
import type { EnvOrigin } from '../src/parallel/worker-messages.js';
import { validateKwargs } from '../src/registry.js';
import { VectorSession } from '../src/session.js';
import { VARIED_INFO_ENV } from './fixtures/varied-info-plugin.js';
import { FAULT_ENV } from './fixtures/worker-fault-plugin.js';
import { uniform } from './fixtures/uniform.js';

// These tests create MuJoCo envs themselves, without a service to load the module at the first make.
await loadMujocoRuntime();

const TIMEOUT = 120_000;
const plugin = (file: string): EnvOrigin => ({
  kind: 'plugin',
  module: fileURLToPath(new URL(`./fixtures/${file}`, import.meta.url)),
});
const open: EnvSession[] = [];
afterAll(() => open.forEach((session) => session.close()));

async function sessions(
  definition: EnvDefinition,
  origin: EnvOrigin,
  numEnvs: number,
  autoresetMode: AutoresetMode,
  kwargs: Record<string, boolean | string> = {},
  callTimeoutMs = 0,
): Promise<[VectorSession, ParallelSession]> {
  const options = { definition, kwargs: validateKwargs(definition, kwargs), numEnvs, autoresetMode, seed: 4 };
  const parallel = await ParallelSession.create({ ...options, origin, workers: 2, callTimeoutMs });
  const local = new VectorSession(options);
  open.push(parallel, local);
  return [local, parallel];
}

async function failureOf(promise: unknown): Promise<VinegymError> {
  const error = await Promise.resolve(promise).then(
    () => null,
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(VinegymError);
  return error as VinegymError;
}

describe('info columns', () => {
  function roundTrip(steps: (Info | null)[][]): (Info | null)[][] {
    const slots = steps[0].length;
    const ids = new Int32Array(new SharedArrayBuffer(4 * slots));
    const values = new SharedArrayBuffer(8 * 4);
    const writer = new InfoColumnWriter(slots, values, ids);
    const reader = new InfoColumnReader(values, ids);
    return steps.map((infos) => {
      const extras = writer.write(infos);
      reader.learn(extras);
      return reader.read(slots, extras.wholeInfos);
    });
  }

  it('carries numbers, booleans and float64 arrays as columns, everything else whole, nulls as null', () => {
    const steps: (Info | null)[][] = [
      [{ a: 1.5, b: true }, null, { a: -0, b: false }],
      [{ a: NaN, b: false }, { x: ndarray('float64', [2, 2], [1, 2, 3, Infinity]) }, { s: 'text' }],
      [{ n: { deep: 1 } }, { l: [1, 2] }, { i: ndarray('int32', [1], [3]) }],
      [{ b: true, a: 2 }, { x: ndarray('float64', [64], new Float64Array(64).fill(7)) }, null],
    ];
    expect(roundTrip(steps)).toEqual(steps);
  });

  it('sends only new layouts, and infos whole once a worker has defined MAX_INFO_LAYOUTS', () => {
    const ids = new Int32Array(new SharedArrayBuffer(4));
    const writer = new InfoColumnWriter(1, new SharedArrayBuffer(8), ids);
    expect(writer.write([{ a: 1 }]).newLayouts).toHaveLength(1);
    expect(writer.write([{ a: 2 }]).newLayouts).toBeNull();
    for (let k = 1; k < MAX_INFO_LAYOUTS; k++) writer.write([{ [`key${k}`]: k }]);
    expect(writer.write([{ another: 1 }])).toMatchObject({ newLayouts: null, wholeInfos: [[0, { another: 1 }]] });
    expect(ids[0]).toBe(INFO_IN_MESSAGE);
    writer.write([null]);
    expect(ids[0]).toBe(NO_INFO);
  });
});

describe('steps through shared memory', () => {
  const hopperActions = (n: number, next: () => number): SpaceValue =>
    ndarray(
      'float32',
      [n, 3],
      Float32Array.from({ length: 3 * n }, () => 2 * next() - 1),
    );

  for (const mode of ['same_step', 'next_step'] as const) {
    it(
      `Hopper-v5, 16 envs on 2 workers, ${mode}: every step equals the in-process session's`,
      async () => {
        const [local, parallel] = await sessions(HOPPER_V5, { kind: 'builtin' }, 16, mode);
        expect(await parallel.reset()).toEqual(local.reset());
        const next = uniform(17);
        let episodesEnded = 0;
        for (let k = 0; k < 300; k++) {
          const actions = hopperActions(16, next);
          const expected = local.step(actions);
          expect(await parallel.step(actions)).toEqual(expected);
          episodesEnded += expected.terminated.data.reduce((sum, flag) => sum + flag, 0);
        }
        expect(episodesEnded).toBeGreaterThan(16); // autoresets were exercised
      },
      TIMEOUT,
    );
  }

  it(
    'CartPole-v1 on 2 workers takes Discrete actions in any integer dtype, as in-process',
    async () => {
      const [local, parallel] = await sessions(CARTPOLE_V1, { kind: 'builtin' }, 4, 'next_step');
      expect(await parallel.reset()).toEqual(local.reset());
      for (const actions of [
        ndarray('int32', [4], [0, 1, 1, 0]),
        ndarray('uint8', [4], [1, 1, 0, 0]),
        ndarray('int64', [4], [0, 0, 1, 1]),
      ]) {
        expect(await parallel.step(actions)).toEqual(local.step(actions));
      }
    },
    TIMEOUT,
  );

  for (const uniqueKeys of [false, true]) {
    it(
      `VariedInfo-v0${uniqueKeys ? ' with a new key every step' : ''}: infos of every shape arrive exactly`,
      async () => {
        const [local, parallel] = await sessions(VARIED_INFO_ENV, plugin('varied-info-plugin.ts'), 5, 'same_step', {
          unique_keys: uniqueKeys,
        });
        expect(await parallel.reset()).toEqual(local.reset());
        const next = uniform(3);
        for (let k = 0; k < 120; k++) {
          const actions = ndarray(
            'int64',
            [5],
            BigInt64Array.from({ length: 5 }, () => BigInt(Math.floor(3 * next()))),
          );
          expect(await parallel.step(actions)).toEqual(local.step(actions));
        }
      },
      TIMEOUT,
    );
  }
});

describe('failures in worker threads', () => {
  async function faultSession(
    failHow: 'throw' | 'exit' | 'stall' | 'loop',
    callTimeoutMs = 0,
  ): Promise<ParallelSession> {
    const [, parallel] = await sessions(
      FAULT_ENV,
      plugin('worker-fault-plugin.ts'),
      4,
      'next_step',
      { fail_how: failHow },
      callTimeoutMs,
    );
    await parallel.reset();
    return parallel;
  }

  it(
    'an env error in a worker surfaces as a typed ENV_ERROR naming the env, and breaks the session',
    async () => {
      const session = await faultSession('throw');
      const actions = ndarray('int64', [4], [0, 1, 0, 1]);
      await session.step(actions);
      await session.step(actions);
      const failure = await failureOf(session.step(actions));
      expect(failure.code).toBe('ENV_ERROR');
      expect(failure.message).toMatch(/Fault-v0 env 0 step failed: fault at step 3/);
      expect(session.broken).toBe(true);
      expect((await failureOf(session.step(actions))).message).toMatch(/session is unusable/);
    },
    TIMEOUT,
  );

  it(
    'a worker thread that ends mid-step is reported as ENV_ERROR',
    async () => {
      const session = await faultSession('exit');
      const actions = ndarray('int64', [4], [0, 0, 0, 0]);
      await session.step(actions);
      await session.step(actions);
      const failure = await failureOf(session.step(actions));
      expect(failure.code).toBe('ENV_ERROR');
      // Both workers' envs fail at step 3; whichever thread ended first is named.
      expect(failure.message).toMatch(/Fault-v0 worker [01] \(envs [02]\.\.[13]\): worker thread exited with code 7/);
    },
    TIMEOUT,
  );

  it(
    'a step stuck in an endless loop fails with ENV_ERROR at the deadline; its threads are stopped',
    async () => {
      const session = await faultSession('loop', 1000);
      const actions = ndarray('int64', [4], [0, 0, 0, 0]);
      await session.step(actions);
      await session.step(actions);
      const started = performance.now();
      const failure = await failureOf(session.step(actions));
      expect(performance.now() - started).toBeLessThan(5_000);
      expect(failure.code).toBe('ENV_ERROR');
      expect(failure.message).toMatch(
        /Fault-v0 worker [01] \(envs [02]\.\.[13]\): no answer within 1 s: the thread was stopped/,
      );
      expect(session.broken).toBe(true);
      expect((await failureOf(session.reset())).message).toMatch(/session is unusable/);
    },
    TIMEOUT,
  );

  it(
    'closing a session whose workers are mid-step fails that step with ENV_ERROR at once',
    async () => {
      const session = await faultSession('stall');
      const actions = ndarray('int64', [4], [0, 0, 0, 0]);
      await session.step(actions);
      await session.step(actions);
      const started = performance.now();
      const stalled = failureOf(session.step(actions));
      setTimeout(() => session.close(), 200);
      const failure = await stalled;
      expect(performance.now() - started).toBeLessThan(5_000);
      expect(failure.code).toBe('ENV_ERROR');
      expect(failure.message).toBe('session is closed');
    },
    TIMEOUT,
  );
});
