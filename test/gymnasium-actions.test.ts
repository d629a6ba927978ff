/**
 * Gymnasium's action semantics through a session: Box actions outside the bounds reach the env as in Gymnasium
 * (MuJoCo clamps ctrl to ctrlrange inside mj_step; the control cost sees the action as sent), NaN and infinities
 * are INVALID_ACTION, `strict_actions` rejects out-of-bounds actions, Discrete actions stay exact (Gymnasium's
 * CartPole asserts them), and stepping an ended episode with autoreset disabled fails as Gymnasium's vector env
 * does. Needs the venv made by `pnpm test:setup`.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ndarray, VinegymError } from '@vinegym/protocol';
import type { NDArray } from '@vinegym/protocol';
import {
  CARTPOLE_V1,
  VectorSession,
  createDefaultRegistry,
  loadMujocoRuntime,
  validateKwargs,
} from '@vinegym/env-server';
import { NumpyGenerator } from '@vinegym/rng';
import { beforeAll, describe, expect, it } from 'vitest';

await loadMujocoRuntime();

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const PYTHON = `${ROOT}.venv/bin/python`;
const SEED = 3;

function hopperSession(strictActions?: boolean): VectorSession {
  const definition = createDefaultRegistry().get('Hopper-v5');
  return new VectorSession({
    definition,
    kwargs: validateKwargs(definition, {}),
    numEnvs: 1,
    autoresetMode: 'disabled',
    strictActions,
  });
}

/** Three times the action range: almost every step has elements outside [-1, 1]. */
const ACTIONS = (() => {
  const generator = new NumpyGenerator(77);
  return Array.from({ length: 40 }, () => Array.from({ length: 3 }, () => Math.fround(generator.uniform(-3, 3))));
})();
const batch = (action: number[]): NDArray => ndarray('float32', [1, action.length], action);

function expectCode(f: () => unknown, code: string): void {
  try {
    f();
  } catch (error) {
    expect(error).toBeInstanceOf(VinegymError);
    expect((error as VinegymError).code).toBe(code);
    return;
  }
  expect.fail(`expected ${code}`);
}

interface Reference {
  observations: number[][];
  rewards: number[];
  contacts: number[];
}

describe('Box actions outside the bounds behave as in Gymnasium', () => {
  let reference: Reference;
  let qpos: number[];
  let qvel: number[];

  beforeAll(() => {
    if (!existsSync(PYTHON)) throw new Error(`Python venv missing (${PYTHON}): run \`pnpm test:setup\``);
    const definition = createDefaultRegistry().get('Hopper-v5');
    const env = definition.create(validateKwargs(definition, {})) as unknown as {
      reset(seed: number): void;
      sim: { qpos: Float64Array; qvel: Float64Array };
      close(): void;
    };
    env.reset(SEED);
    [qpos, qvel] = [Array.from(env.sim.qpos), Array.from(env.sim.qvel)];
    env.close();
    const input = JSON.stringify([{ env_id: 'Hopper-v5', qpos, qvel, actions: ACTIONS }]);
    const run = spawnSync(PYTHON, [`${ROOT}test/python/mujoco_reference.py`], {
      input,
      encoding: 'utf8',
      maxBuffer: 64 << 20,
    });
    if (run.status !== 0) throw new Error(`mujoco_reference.py failed:\n${run.stderr}`);
    reference = JSON.parse(run.stdout).cases[0];
  });

  it('Hopper-v5 takes them and reproduces Gymnasium’s episode until the first contact', () => {
    const session = hopperSession();
    session.reset({ seed: SEED });
    const contact = reference.contacts.findIndex((n) => n > 0);
    expect(contact).toBeGreaterThan(3);
    expect(
      ACTIONS.slice(0, contact)
        .flat()
        .some((a) => Math.abs(a) > 1),
    ).toBe(true);
    for (let t = 0; t < contact; t++) {
      const result = session.step(batch(ACTIONS[t]));
      const obs = (result.observations as NDArray<'float64'>).data;
      reference.observations[t].forEach((v, i) =>
        expect(Math.abs(obs[i] - v), `step ${t + 1} obs[${i}]`).toBeLessThanOrEqual(1e-12 * (1 + Math.abs(v))),
      );
      expect(Math.abs(result.rewards.data[0] - reference.rewards[t]), `step ${t + 1} reward`).toBeLessThanOrEqual(
        1e-12 * (1 + Math.abs(reference.rewards[t])),
      );
    }
  });

  it('MuJoCo clamps ctrl itself: clipped and unclipped actions give the same physics, the control cost differs', () => {
    const [wide, clipped] = [hopperSession(), hopperSession()];
    wide.reset({ seed: SEED });
    clipped.reset({ seed: SEED });
    for (const action of ACTIONS.slice(0, 10)) {
      const a = wide.step(batch(action));
      const b = clipped.step(batch(action.map((x) => Math.min(1, Math.max(-1, x)))));
      expect(Array.from((a.observations as NDArray).data as Float64Array)).toEqual(
        Array.from((b.observations as NDArray).data as Float64Array),
      );
      const outside = action.some((x) => Math.abs(x) > 1);
      if (outside) expect(a.rewards.data[0]).toBeLessThan(b.rewards.data[0]);
    }
  });

  it('NaN and infinities are INVALID_ACTION; strict_actions rejects out-of-bounds actions; no env moves', () => {
    const session = hopperSession();
    session.reset({ seed: SEED });
    expectCode(() => session.step(batch([0, Number.NaN, 0])), 'INVALID_ACTION');
    expectCode(() => session.step(batch([0, 0, Number.NEGATIVE_INFINITY])), 'INVALID_ACTION');
    const strict = hopperSession(true);
    strict.reset({ seed: SEED });
    expectCode(() => strict.step(batch([0, 1.5, 0])), 'INVALID_ACTION');
    const inBounds = strict.step(batch([0, 1, -1]));
    const lenient = session.step(batch([0, 1, -1]));
    expect(Array.from((inBounds.observations as NDArray).data as Float64Array)).toEqual(
      Array.from((lenient.observations as NDArray).data as Float64Array),
    );
  });

  it('Discrete actions stay exact (Gymnasium’s CartPole asserts action_space.contains(action))', () => {
    const session = new VectorSession({ definition: CARTPOLE_V1, kwargs: { sutton_barto_reward: false }, numEnvs: 1 });
    session.reset({ seed: 0 });
    expectCode(() => session.step(ndarray('int64', [1], [2])), 'INVALID_ACTION');
    expectCode(() => session.step(ndarray('int64', [1], [-1])), 'INVALID_ACTION');
  });
});

describe('stepping an ended episode', () => {
  it('with autoreset disabled fails with BAD_REQUEST, as Gymnasium’s vector env asserts; the other modes reset', () => {
    const probe = spawnSync(
      PYTHON,
      [
        '-c',
        [
          'import gymnasium as gym, numpy as np',
          'from gymnasium.vector import AutoresetMode, SyncVectorEnv',
          'envs = SyncVectorEnv([lambda: gym.make("CartPole-v1")], autoreset_mode=AutoresetMode.DISABLED)',
          'envs.reset(seed=0)',
          'done = False',
          'while not done:',
          '    _, _, term, trunc, _ = envs.step(np.array([1]))',
          '    done = bool(term[0] or trunc[0])',
          'try:',
          '    envs.step(np.array([1])); print("stepped")',
          'except AssertionError:',
          '    print("AssertionError")',
        ].join('\n'),
      ],
      { encoding: 'utf8' },
    );
    expect(probe.stdout.trim(), probe.stderr).toBe('AssertionError');

    for (const mode of ['disabled', 'next_step', 'same_step'] as const) {
      const session = new VectorSession({
        definition: CARTPOLE_V1,
        kwargs: { sutton_barto_reward: false },
        numEnvs: 1,
        autoresetMode: mode,
      });
      session.reset({ seed: 0 });
      let ended = false;
      while (!ended) {
        const result = session.step(ndarray('int64', [1], [1]));
        ended = result.terminated.data[0] === 1 || result.truncated.data[0] === 1;
      }
      if (mode === 'disabled') expectCode(() => session.step(ndarray('int64', [1], [1])), 'BAD_REQUEST');
      else expect(session.step(ndarray('int64', [1], [1])).terminated.data[0]).toBe(0);
    }
  });
});
