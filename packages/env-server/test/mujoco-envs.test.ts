/**
 * The Gymnasium v5 MuJoCo tasks on our own models: reference rollouts, spaces, seeding, snapshots (bit-exact
 * continuation, also through a session), and kwargs validation.
 */
import { ndarray } from '@vinegym/protocol';
import type { BoxSpace, NDArray } from '@vinegym/protocol';
import { describe, expect, it } from 'vitest';
import type { Env, EnvDefinition } from '../src/env.js';
import { loadMujocoRuntime, type MujocoEnv } from '../src/envs/mujoco/index.js';
import { createDefaultRegistry, validateKwargs } from '../src/registry.js';
import { Rng } from '../src/rng.js';
import { VectorSession } from '../src/session.js';

// These tests create MuJoCo envs themselves, without a service to load the module at the first make.
await loadMujocoRuntime();

const registry = createDefaultRegistry();

function make(id: string, kwargs: Record<string, unknown> = {}): MujocoEnv {
  const definition = registry.get(id);
  return definition.create(validateKwargs(definition, kwargs)) as MujocoEnv;
}

const action = (values: ArrayLike<number>) => ndarray('float32', [values.length], Float32Array.from(values));
const dataOf = (value: unknown) => Array.from((value as NDArray).data as Float64Array);

/**
 * The reference rollouts of gymnasium-tasks.md §3 (Gymnasium's own XMLs in mujoco-js 3.3.8, 10 steps from qpos0
 * without noise, a_t[i] = 0.5·ctrl_high·sin(0.05·t + i)), which our models must reproduce to the printed digits.
 */
const ROLLOUTS: [string, number, number[], number, number][] = [
  ['Swimmer-v5', -1.594709, [-0.06377897, -0.1607163, 0.0934672], 8, 1],
  ['Hopper-v5', 11.00364, [0.008060362, 1.221615, 0.01276234], 11, 1],
  ['Walker2d-v5', 5.100353, [-0.03913504, 1.23569, -0.15246], 17, 1],
  ['HalfCheetah-v5', -0.9319493, [-0.007758623, -0.2574222, 0.0455942], 17, 1],
  ['Ant-v5', 1.871576, [-0.1693862, -0.1547303, 0.5667854], 105, 1],
  ['Humanoid-v5', 49.67617, [0.0006742529, 0.006818723, 1.254589], 348, 0.4],
  ['InvertedPendulum-v5', 8, [], 4, 3],
];

describe('Gymnasium v5 tasks on our models', () => {
  it.each(ROLLOUTS)(
    '%s reproduces the reference rollout and spaces',
    (id, expectedReturn, expectedQpos, obsSize, high) => {
      const env = make(id, { reset_noise_scale: 0 });
      try {
        expect((env.observationSpace as BoxSpace).shape).toEqual([obsSize]);
        expect(env.observationSpace).toMatchObject({ dtype: 'float64' });
        const actionSpace = env.actionSpace as BoxSpace;
        expect(actionSpace.dtype).toBe('float32');
        expect(Array.from(actionSpace.high.data as Float32Array)).toEqual(Array(env.sim.nu).fill(Math.fround(high)));
        env.reset(0);
        let total = 0;
        let terminatedAt = -1;
        for (let t = 0; t < 10; t++) {
          const a = Float64Array.from({ length: env.sim.nu }, (_, i) => 0.5 * high * Math.sin(0.05 * t + i));
          const out = env.step(ndarray('float64', [a.length], a));
          total += out.reward;
          if (out.terminated && terminatedAt < 0) terminatedAt = t;
          expect(out.info.physics_error).toBeUndefined();
        }
        expect(total).toBeCloseTo(expectedReturn, 4);
        expectedQpos.forEach((q, i) => expect(env.sim.qpos[i]).toBeCloseTo(q, 6));
        if (id === 'InvertedPendulum-v5') expect(terminatedAt).toBe(8);
      } finally {
        env.close();
      }
    },
  );

  it('reports Gymnasium’s info entries', () => {
    const env = make('Ant-v5');
    env.reset(1);
    const out = env.step(action(Array(8).fill(0.1)));
    expect(Object.keys(out.info).sort()).toEqual(
      [
        'distance_from_origin',
        'reward_contact',
        'reward_ctrl',
        'reward_forward',
        'reward_survive',
        'x_position',
        'x_velocity',
        'y_position',
        'y_velocity',
      ].sort(),
    );
    expect(out.info.reward_ctrl).toBeCloseTo(-0.5 * 8 * Math.fround(0.1) ** 2, 12);
    env.close();
  });

  it('seeded resets are reproducible and the noise has the configured scale', () => {
    const [a, b] = [make('Hopper-v5'), make('Hopper-v5')];
    expect(dataOf(a.reset(42).observation)).toEqual(dataOf(b.reset(42).observation));
    expect(dataOf(a.reset(43).observation)).not.toEqual(dataOf(b.reset(42).observation));
    const offsets = Array.from(a.sim.qpos).map((q, i) => q - a.sim.qpos0[i]);
    for (const d of offsets) expect(Math.abs(d)).toBeLessThanOrEqual(5e-3);
    a.close();
    b.close();
  });

  it('the Humanoid control cost uses data.ctrl and terminates when the torso leaves (1, 2)', () => {
    const env = make('Humanoid-v5', { healthy_z_min: 1.39, healthy_z_max: 2 });
    env.reset(3);
    let out = env.step(action(Array(17).fill(0.4)));
    expect(out.info.reward_ctrl).toBeCloseTo(-0.1 * 17 * Math.fround(0.4) ** 2, 10);
    for (let t = 0; t < 50 && !out.terminated; t++) out = env.step(action(Array(17).fill(0)));
    expect(out.terminated).toBe(true);
    expect(out.info.reward_survive).toBe(0);
    env.close();
  });
});

describe('memory', () => {
  // The models set <size memory> far below MuJoCo's automatic ~13 MiB arena (see MUJOCO.md, Memory); this checks
  // the headroom under random actions and falls (no early termination), where contacts are most numerous.
  it.each(ROLLOUTS.map(([id, , , , high]) => [id, high] as const))(
    '%s uses under an eighth of its arena',
    (id, high) => {
      const kwargs = 'terminate_when_unhealthy' in registry.get(id).kwargs ? { terminate_when_unhealthy: false } : {};
      const env = make(id, kwargs);
      const rng = new Rng(7);
      const size = (env.actionSpace as BoxSpace).shape[0];
      env.reset(1);
      for (let t = 0; t < 2000; t++) {
        const out = env.step(action(Array.from({ length: size }, () => 1.5 * high * (2 * rng.random() - 1))));
        if (out.terminated || t % 500 === 499) env.reset();
      }
      const data = env.sim.data as unknown as { maxuse_arena: bigint };
      const arena = Number(env.sim.model.narena);
      expect(arena).toBeLessThanOrEqual(2 * 1024 * 1024);
      expect(Number(data.maxuse_arena)).toBeLessThan(arena / 8);
      env.close();
    },
  );
});

describe('snapshots', () => {
  const rollout = (env: Env, actions: number[][]) =>
    actions.map((a) => {
      const out = env.step(action(a));
      return { obs: dataOf(out.observation), reward: out.reward, terminated: out.terminated, info: out.info };
    });
  const randomActions = (seed: number, n: number, nu: number) => {
    const rng = new Rng(seed);
    return Array.from({ length: n }, () => Array.from({ length: nu }, () => rng.uniform(-1, 1)));
  };

  it.each(['Hopper-v5', 'Ant-v5', 'Humanoid-v5', 'HalfCheetah-v5'])(
    '%s: restore-then-step reproduces the continuation bit for bit',
    (id) => {
      const env = make(id);
      const nu = env.sim.nu;
      env.reset(5);
      rollout(env, randomActions(1, 15, nu));
      const state = env.getState();
      const continuation = randomActions(2, 25, nu);
      const original = rollout(env, continuation);
      const afterReset = dataOf(env.reset().observation);

      const other = make(id);
      other.setState(state);
      expect(rollout(other, continuation)).toEqual(original);
      // The RNG travels with the state: the next unseeded reset draws the same noise.
      expect(dataOf(other.reset().observation)).toEqual(afterReset);
      env.setState(state);
      expect(rollout(env, continuation)).toEqual(original);
      env.close();
      other.close();
    },
  );

  it('a snapshot from another model or kwargs is refused', () => {
    const hopper = make('Hopper-v5');
    const walker = make('Walker2d-v5');
    hopper.reset(0);
    expect(() => walker.setState(hopper.getState())).toThrow(expect.objectContaining({ code: 'BAD_REQUEST' }));
    const ant = make('Ant-v5');
    ant.reset(0);
    const antNoContacts = make('Ant-v5', { include_cfrc_ext_in_observation: false });
    expect(() => antNoContacts.setState(ant.getState())).toThrow(expect.objectContaining({ code: 'BAD_REQUEST' }));
    [hopper, walker, ant, antNoContacts].forEach((e) => e.close());
  });

  it('works through a session (snapshot, restore, step)', () => {
    const definition: EnvDefinition = registry.get('Walker2d-v5');
    const session = new VectorSession({ definition, kwargs: validateKwargs(definition, {}), numEnvs: 2, seed: 9 });
    session.reset();
    expect(session.snapshotSupported).toBe(true);
    const batch = ndarray(
      'float32',
      [2, 6],
      Float32Array.from({ length: 12 }, (_, i) => Math.sin(i % 6)),
    ); // same action for both envs
    session.step(batch);
    const [snapshot] = session.snapshot([0]);
    const first = session.step(batch);
    session.restore(1, snapshot);
    session.restore(0, snapshot);
    const again = session.step(batch);
    const observations = (result: typeof first) => Array.from((result.observations as NDArray<'float64'>).data);
    expect(observations(again).slice(0, 17)).toEqual(observations(first).slice(0, 17));
    expect(observations(again).slice(17)).toEqual(observations(first).slice(0, 17));
    session.close();
  });
});

describe('kwargs', () => {
  const codeOf = (fn: () => unknown) => {
    try {
      fn();
    } catch (error) {
      return (error as { code?: string }).code;
    }
    return 'no error';
  };

  it('rejects unknown kwargs, wrong types, bad ranges and bad values with INVALID_KWARGS', () => {
    expect(codeOf(() => make('Hopper-v5', { healthy_z_range: 1 }))).toBe('INVALID_KWARGS');
    expect(codeOf(() => make('Hopper-v5', { frame_skip: 0 }))).toBe('INVALID_KWARGS');
    expect(codeOf(() => make('Hopper-v5', { ctrl_cost_weight: 'high' }))).toBe('INVALID_KWARGS');
    expect(codeOf(() => make('Walker2d-v5', { healthy_z_min: 2, healthy_z_max: 1 }))).toBe('INVALID_KWARGS');
    expect(codeOf(() => make('Ant-v5', { main_body: 99 }))).toBe('INVALID_KWARGS');
  });

  it('applies kwargs: frame_skip, exclusions, weights', () => {
    const env = make('HalfCheetah-v5', {
      frame_skip: 2,
      exclude_current_positions_from_observation: false,
      ctrl_cost_weight: 0,
    });
    expect(env.dt).toBeCloseTo(0.02, 12);
    expect((env.observationSpace as BoxSpace).shape).toEqual([18]);
    env.reset(0);
    expect(env.step(action(Array(6).fill(1))).info.reward_ctrl).toBe(-0);
    env.close();
    const humanoid = make('Humanoid-v5', { include_cinert_in_observation: false, include_cvel_in_observation: false });
    expect((humanoid.observationSpace as BoxSpace).shape).toEqual([348 - 130 - 78]);
    humanoid.close();
  });
});
