import { ndarray } from '@vinegym/protocol';
import type { AutoresetMode, NDArray, SpaceValue, StepResult } from '@vinegym/protocol';
import { describe, expect, it } from 'vitest';
import { CARTPOLE_V0, CARTPOLE_V1 } from '../src/envs/cartpole.js';
import { decodeSnapshot, encodeSnapshot, SNAPSHOT_FORMAT_VERSION } from '../src/snapshot.js';
import { validateKwargs } from '../src/registry.js';
import { VectorSession } from '../src/session.js';
import { counterDefinition } from './fixtures/counter-env.js';

function counterSession(mode: AutoresetMode, numEnvs = 2, maxEpisodeSteps: number | null = 100, kwargs = {}) {
  const { definition, created } = counterDefinition(maxEpisodeSteps);
  const session = new VectorSession({
    definition,
    kwargs: validateKwargs(definition, kwargs),
    numEnvs,
    autoresetMode: mode,
  });
  return { session, envs: created };
}

const actions = (...values: number[]) => ndarray('int64', [values.length], values);
/** Observation rows of a [n, 2] float32 batch as plain arrays. */
const rows = (observations: SpaceValue) => {
  const { data, shape } = observations as NDArray<'float32'>;
  return Array.from({ length: shape[0] }, (_, i) => Array.from(data.subarray(i * 2, i * 2 + 2)));
};
const flags = (array: NDArray) => Array.from(array.data as Uint8Array, Boolean);
const summary = (r: StepResult) => ({
  obs: rows(r.observations),
  rewards: Array.from(r.rewards.data),
  terminated: flags(r.terminated),
  truncated: flags(r.truncated),
  autoreset: flags(r.autoreset),
});
function errorOf(fn: () => unknown): { code?: string; message: string } {
  try {
    fn();
  } catch (error) {
    return error as { code?: string; message: string };
  }
  throw new Error('expected an error');
}

describe('autoreset next_step', () => {
  it('ends an episode, then resets on the following step ignoring its action', () => {
    const { session, envs } = counterSession('next_step');
    session.reset({ seed: 2 }); // horizons: env 0 → 2 steps, env 1 → 3 steps
    expect(summary(session.step(actions(1, 1)))).toEqual({
      obs: [
        [1, 1],
        [1, 1],
      ],
      rewards: [1, 1],
      terminated: [false, false],
      truncated: [false, false],
      autoreset: [false, false],
    });
    const ending = session.step(actions(2 - 1, 0));
    expect(summary(ending)).toEqual({
      obs: [
        [1, 2],
        [1, 2],
      ],
      rewards: [1, 0],
      terminated: [true, false],
      truncated: [false, false],
      autoreset: [false, false],
    });
    expect(ending.infos).toEqual([{ step: 2 }, { step: 2 }]);
    const resetting = session.step(actions(2, 1));
    expect(summary(resetting)).toEqual({
      obs: [
        [2, 0],
        [1, 3],
      ],
      rewards: [0, 1],
      terminated: [false, true],
      truncated: [false, false],
      autoreset: [true, false],
    });
    expect(resetting.infos[0]).toEqual({ seed: null, options: null }); // the reset info
    expect(envs[0].received).toEqual([1, 1]); // action 2 of the resetting step never reached env 0
    expect('final_observations' in resetting).toBe(false);
    expect(summary(session.step(actions(0, 0)))).toEqual({
      obs: [
        [2, 1],
        [2, 0],
      ],
      rewards: [0, 0],
      terminated: [false, false],
      truncated: [false, false],
      autoreset: [false, true],
    });
    expect(envs[1].received).toEqual([1, 0, 1]);
  });

  it('passes the env truncated flag through and autoresets after it', () => {
    const { session } = counterSession('next_step', 1, 100, { terminate_at: 50 });
    session.reset();
    expect(summary(session.step(actions(2)))).toMatchObject({ terminated: [false], truncated: [true] });
    expect(summary(session.step(actions(0)))).toMatchObject({ obs: [[2, 0]], autoreset: [true] });
  });

  it('a manual reset of an ended env cancels its pending autoreset', () => {
    const { session } = counterSession('next_step', 2, 100, { terminate_at: 1 });
    session.reset({ seeds: [1, 5] });
    session.step(actions(0, 0)); // env 0 ends
    session.reset({ env_indices: [0] });
    expect(summary(session.step(actions(1, 1)))).toMatchObject({
      obs: [
        [2, 1],
        [1, 2],
      ],
      autoreset: [false, false],
    });
  });
});

describe('autoreset same_step', () => {
  it('returns the reset observation with final_observations/final_infos of the ended envs', () => {
    const { session, envs } = counterSession('same_step');
    session.reset({ seed: 2 });
    const first = session.step(actions(1, 1));
    expect(first.final_observations).toEqual([null, null]);
    expect(first.final_infos).toEqual([null, null]);
    const ending = session.step(actions(1, 0));
    expect(summary(ending)).toEqual({
      obs: [
        [2, 0],
        [1, 2],
      ],
      rewards: [1, 0],
      terminated: [true, false],
      truncated: [false, false],
      autoreset: [false, false],
    });
    expect(ending.final_observations![1]).toBeNull();
    expect(Array.from((ending.final_observations![0] as NDArray<'float32'>).data)).toEqual([1, 2]);
    expect(ending.final_infos).toEqual([{ step: 2 }, null]);
    expect(ending.infos[0]).toEqual({ seed: null, options: null });
    expect(ending.infos[1]).toEqual({ step: 2 });
    const next = session.step(actions(2, 1));
    // env 0 truncates itself (action 2) while env 1 terminates: both restart in the same step.
    expect(summary(next)).toMatchObject({
      obs: [
        [3, 0],
        [2, 0],
      ],
      terminated: [false, true],
      truncated: [true, false],
    });
    expect(Array.from((next.final_observations![0] as NDArray<'float32'>).data)).toEqual([2, 1]);
    expect(Array.from((next.final_observations![1] as NDArray<'float32'>).data)).toEqual([1, 3]);
    expect(envs[0].received).toEqual([1, 1, 2]); // no step was skipped
  });
});

describe('autoreset disabled', () => {
  it('refuses to step an ended env, naming it, without stepping any env', () => {
    const { session, envs } = counterSession('disabled');
    session.reset({ seed: 1 }); // env 0 ends after 1 step
    expect(summary(session.step(actions(1, 1)))).toMatchObject({
      terminated: [true, false],
      autoreset: [false, false],
    });
    const error = errorOf(() => session.step(actions(1, 1)));
    expect(error.code).toBe('BAD_REQUEST');
    expect(error.message).toMatch(/env 0/);
    expect(envs[1].received).toEqual([1]);
    session.reset({ env_indices: [0] });
    expect(summary(session.step(actions(0, 0)))).toMatchObject({
      obs: [
        [2, 1],
        [1, 2],
      ],
      terminated: [true, true],
    });
  });
});

describe('session rules in every mode', () => {
  for (const mode of ['next_step', 'same_step', 'disabled'] as const) {
    it(`${mode}: stepping before reset is BAD_REQUEST naming the env`, () => {
      const { session, envs } = counterSession(mode);
      expect(errorOf(() => session.step(actions(0, 0)))).toMatchObject({
        code: 'BAD_REQUEST',
        message: expect.stringMatching(/env 0/),
      });
      session.reset({ env_indices: [0] });
      expect(errorOf(() => session.step(actions(0, 0)))).toMatchObject({
        code: 'BAD_REQUEST',
        message: expect.stringMatching(/env 1/),
      });
      expect(envs[0].received).toEqual([]);
    });

    it(`${mode}: truncates at max_episode_steps`, () => {
      const { session } = counterSession(mode, 1, 3, { terminate_at: 99 });
      session.reset();
      session.step(actions(0));
      session.step(actions(0));
      const last = session.step(actions(0));
      expect(summary(last)).toMatchObject({ terminated: [false], truncated: [true] });
    });
  }

  it('rejects invalid action batches with INVALID_ACTION before any env moves', () => {
    const { session, envs } = counterSession('next_step');
    session.reset();
    for (const bad of [
      actions(0, 3),
      actions(0),
      ndarray('float32', [2], [0, 1]),
      1,
      null,
      ndarray('int64', [2, 1], [0, 1]),
    ]) {
      expect(errorOf(() => session.step(bad as SpaceValue)).code).toBe('INVALID_ACTION');
    }
    expect(envs.map((e) => e.received)).toEqual([[], []]);
  });

  it('validates reset arguments', () => {
    const { session } = counterSession('next_step', 3);
    for (const request of [
      { env_indices: [1, 0] },
      { env_indices: [0, 0] },
      { env_indices: [3] },
      { seed: -1 },
      { seed: 1.5 },
      { seeds: [1, 2] },
      { seed: 1, seeds: [1, 2, 3] },
    ]) {
      expect(errorOf(() => session.reset(request as never)).code).toBe('BAD_REQUEST');
    }
  });

  it('an env exception is ENV_ERROR and breaks the session', () => {
    const { session } = counterSession('next_step', 2, 100, { explode_on_step: 2 });
    session.reset();
    session.step(actions(0, 0));
    expect(errorOf(() => session.step(actions(0, 0)))).toMatchObject({
      code: 'ENV_ERROR',
      message: expect.stringMatching(/boom/),
    });
    expect(session.broken).toBe(true);
    expect(errorOf(() => session.reset()).code).toBe('ENV_ERROR');
  });

  it('render of an env without render is NOT_SUPPORTED', () => {
    const { session } = counterSession('next_step');
    expect(errorOf(() => session.render(0)).code).toBe('NOT_SUPPORTED');
  });
});

describe('seeding', () => {
  const seedsSeen = (infos: unknown[]) => infos.map((info) => (info as { seed: number | null }).seed);
  const make = (seed: number | null, numEnvs = 3) => {
    const { definition } = counterDefinition();
    return new VectorSession({ definition, kwargs: validateKwargs(definition, {}), numEnvs, seed });
  };

  it('make.seed seeds each env first reset with seed + i, once', () => {
    const session = make(10);
    expect(seedsSeen(session.reset({ env_indices: [1] }).infos)).toEqual([11]);
    expect(seedsSeen(session.reset().infos)).toEqual([10, null, 12]);
    expect(seedsSeen(session.reset().infos)).toEqual([null, null, null]);
  });

  it('a seed given to reset overrides make.seed', () => {
    const session = make(10);
    expect(seedsSeen(session.reset({ seed: 3 }).infos)).toEqual([3, 4, 5]);
    expect(seedsSeen(session.reset().infos)).toEqual([null, null, null]);
  });

  it('reset.seed gives env i seed + i for the reset indices; seeds gives one per reset env', () => {
    const session = make(null);
    expect(seedsSeen(session.reset({ seed: 20, env_indices: [0, 2] }).infos)).toEqual([20, 22]);
    expect(seedsSeen(session.reset({ seeds: [7, null], env_indices: [1, 2] }).infos)).toEqual([7, null]);
    expect(seedsSeen(session.reset({ seed: null }).infos)).toEqual([null, null, null]);
  });

  it('seeded CartPole sessions are reproducible', () => {
    const run = () => {
      const session = new VectorSession({
        definition: CARTPOLE_V1,
        kwargs: { sutton_barto_reward: false },
        numEnvs: 4,
        seed: 5,
      });
      const out = [session.reset().observations];
      for (let t = 0; t < 30; t++)
        out.push(session.step(ndarray('int64', [4], [t % 2, 1, 0, (t >> 1) % 2])).observations);
      return out;
    };
    expect(run()).toEqual(run());
  });

  it('transient steps (a connection encodes each result at once) reuse one observation batch with the same values', () => {
    const make4 = () =>
      new VectorSession({ definition: CARTPOLE_V1, kwargs: { sutton_barto_reward: false }, numEnvs: 4, seed: 5 });
    const fresh = make4();
    const reused = make4();
    fresh.reset();
    reused.reset();
    let batch: SpaceValue | null = null;
    for (let t = 0; t < 40; t++) {
      const a = ndarray('int64', [4], [t % 2, 1, 0, (t >> 1) % 2]);
      const expected = fresh.step(a);
      const got = reused.step(a, true);
      if (batch === null) batch = got.observations;
      expect(got.observations).toBe(batch);
      expect(expected.observations).not.toBe(batch);
      expect(got).toEqual(expected);
    }
  });
});

describe('CartPole-v1 time limit', () => {
  it('truncates at step 500 under a balancing policy', () => {
    const session = new VectorSession({
      definition: CARTPOLE_V1,
      kwargs: { sutton_barto_reward: false },
      numEnvs: 1,
      seed: 0,
    });
    let obs = session.reset().observations as NDArray<'float32'>;
    for (let t = 1; t <= 500; t++) {
      const [x, xDot, theta, thetaDot] = obs.data;
      const push = theta + 0.5 * thetaDot + 0.01 * x + 0.05 * xDot > 0 ? 1 : 0;
      const result = session.step(actions(push));
      obs = result.observations as NDArray<'float32'>;
      expect(result.terminated.data[0]).toBe(0);
      expect(result.truncated.data[0]).toBe(t === 500 ? 1 : 0);
    }
    expect(session.step(actions(0)).autoreset.data[0]).toBe(1);
  });
});

describe('snapshot and restore', () => {
  const cartpole = (definition = CARTPOLE_V1, kwargs = { sutton_barto_reward: false }) =>
    new VectorSession({ definition, kwargs, numEnvs: 2, seed: 1 });
  const policy = (t: number) => ndarray('int64', [2], [t % 2, (t >> 2) % 2]);

  it('snapshot, step k, restore, step k gives identical results', () => {
    const session = cartpole();
    session.reset();
    for (let t = 0; t < 5; t++) session.step(policy(t));
    const snapshots = session.snapshot([0, 1]);
    const first: StepResult[] = [];
    for (let t = 0; t < 40; t++) first.push(session.step(policy(t))); // crosses episode ends and autoresets
    session.restore(0, snapshots[0]);
    session.restore(1, snapshots[1]);
    for (let t = 0; t < 40; t++) expect(session.step(policy(t))).toEqual(first[t]);
  });

  it('restores elapsed steps, so the time limit resumes where it was', () => {
    const { session } = counterSession('next_step', 1, 5, { terminate_at: 99 });
    session.reset();
    for (let t = 0; t < 3; t++) session.step(actions(0));
    const [snapshot] = session.snapshot([0]);
    session.reset();
    session.restore(0, snapshot);
    expect(summary(session.step(actions(0))).truncated).toEqual([false]);
    expect(summary(session.step(actions(0))).truncated).toEqual([true]);
  });

  it('refuses snapshots of another env id or other kwargs, and garbage', () => {
    const session = cartpole();
    session.reset();
    const fromV0 = cartpole(CARTPOLE_V0);
    fromV0.reset();
    const fromOtherKwargs = cartpole(CARTPOLE_V1, { sutton_barto_reward: true });
    fromOtherKwargs.reset();
    expect(errorOf(() => session.restore(0, fromV0.snapshot([0])[0]))).toMatchObject({
      code: 'BAD_REQUEST',
      message: expect.stringMatching(/CartPole-v0/),
    });
    expect(errorOf(() => session.restore(0, fromOtherKwargs.snapshot([0])[0])).code).toBe('BAD_REQUEST');
    expect(errorOf(() => session.restore(0, new Uint8Array([1, 2, 3]))).code).toBe('BAD_REQUEST');
    expect(errorOf(() => session.restore(2, session.snapshot([0])[0])).code).toBe('BAD_REQUEST');
  });

  it('refuses snapshots of an older format, envelope or env state, with BAD_REQUEST naming both versions', () => {
    const session = cartpole();
    session.reset();
    const [snapshot, other] = session.snapshot([0, 1]);
    const next = session.step(policy(0));
    const olderEnvelope = snapshot.slice();
    olderEnvelope[4] = SNAPSHOT_FORMAT_VERSION - 1;
    expect(errorOf(() => session.restore(0, olderEnvelope))).toMatchObject({
      code: 'BAD_REQUEST',
      message: `snapshot has format version 1; this server restores version 2 only (take the snapshot again on this server)`,
      details: { found_version: 1, expected_version: 2 },
    });
    const { header, state } = decodeSnapshot(snapshot);
    state[0] = 1; // CartPole's state layout before the NumPy generator's state joined it
    expect(errorOf(() => session.restore(0, encodeSnapshot(header, state)))).toMatchObject({
      code: 'BAD_REQUEST',
      message: expect.stringMatching(/^CartPole state has format version 1; this server restores version 2 only/),
    });
    session.restore(0, snapshot);
    session.restore(1, other);
    expect(session.step(policy(0))).toEqual(next);
  });

  it('refuses a snapshot with a damaged byte anywhere, and leaves the env as it was', () => {
    const session = cartpole();
    session.reset();
    const [snapshot, other] = session.snapshot([0, 1]);
    const next = session.step(policy(0));
    session.restore(0, snapshot);
    session.restore(1, other);
    for (const at of [12, snapshot.length - 40, snapshot.length - 1]) {
      const damaged = snapshot.slice();
      damaged[at] ^= 0x01;
      expect(errorOf(() => session.restore(0, damaged))).toMatchObject({
        code: 'BAD_REQUEST',
        message: expect.stringMatching(/checksum/),
      });
    }
    expect(session.step(policy(0))).toEqual(next);
  });

  it('is NOT_SUPPORTED for envs without getState, naming the env', () => {
    const { definition } = counterDefinition(10, 'NoState-v0');
    const plain = { ...definition, create: (k: never) => Object.assign(definition.create(k), { getState: undefined }) };
    const session = new VectorSession({ definition: plain, kwargs: validateKwargs(definition, {}), numEnvs: 1 });
    expect(errorOf(() => session.snapshot([0]))).toMatchObject({
      code: 'NOT_SUPPORTED',
      message: expect.stringMatching(/NoState-v0/),
    });
  });
});
