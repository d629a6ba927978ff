/**
 * mujoco/custom-v0, defineMujocoEnv plug-ins, physics blow-up handling, compile errors and memory hygiene.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ndarray } from '@vinegym/protocol';
import type { BoxSpace, NDArray } from '@vinegym/protocol';
import { describe, expect, it } from 'vitest';
import {
  HOPPER_XML,
  MUJOCO_CUSTOM,
  defineMujocoEnv,
  loadMujocoRuntime,
  mujocoRuntime,
  pushFrom,
} from '../src/envs/mujoco/index.js';
import type { MujocoEnv } from '../src/envs/mujoco/index.js';
import { EnvRegistry, createDefaultRegistry, validateKwargs } from '../src/registry.js';
import { EnvService } from '../src/service.js';
import { VectorSession } from '../src/session.js';

// These tests create MuJoCo envs themselves, without a service to load the module at the first make.
await loadMujocoRuntime();

const custom = (kwargs: Record<string, unknown>) =>
  MUJOCO_CUSTOM.create(validateKwargs(MUJOCO_CUSTOM, kwargs)) as MujocoEnv;
const action = (...values: number[]) => ndarray('float64', [values.length], Float64Array.from(values));
const errorOf = (fn: () => unknown): { code?: string; message?: string } => {
  try {
    fn();
  } catch (error) {
    return error as { code?: string; message?: string };
  }
  return {};
};

/** A slider whose motor has no control limit and a gigantic gear: big actions blow the simulation up. */
const UNSTABLE_XML = `
<mujoco>
  <worldbody>
    <body name="block">
      <joint name="slide" type="slide" axis="1 0 0"/>
      <geom type="box" size="0.1 0.1 0.1"/>
    </body>
  </worldbody>
  <actuator><motor joint="slide" gear="1e30" ctrllimited="false"/></actuator>
</mujoco>`;

describe('physics blow-ups', () => {
  // Runs before any failed compile in this process, so MuJoCo still prints its warnings (the cheap path).
  it('end the episode with info.physics_error and the last finite observation', () => {
    expect(mujocoRuntime().warningsPrinted).toBe(true);
    const env = custom({ xml: UNSTABLE_XML, reset_noise_scale: 0 });
    const start = (env.reset(0).observation as NDArray).data;
    const calm = env.step(action(1e-40));
    expect(calm.info.physics_error).toBeUndefined();
    const out = env.step(action(1e9)); // 1e9 · gear 1e30: the acceleration overflows
    expect(out.terminated).toBe(true);
    expect(out.reward).toBe(0);
    expect(out.info.physics_error).toMatch(/unstable: WARNING: Nan, Inf or huge value in QACC/);
    expect((out.observation as NDArray).data).toEqual((calm.observation as NDArray).data);
    // Stepping on repeats the failure; a reset starts cleanly.
    expect(env.step(action(0)).info.physics_error).toBe(out.info.physics_error);
    expect((env.reset(0).observation as NDArray).data).toEqual(start);
    expect(env.step(action(1e-40)).info.physics_error).toBeUndefined();
    env.close();
  });

  it('are detected again after a snapshot restore', () => {
    const env = custom({ xml: UNSTABLE_XML });
    env.reset(0);
    const state = env.getState();
    expect(env.step(action(1e30)).info.physics_error).toMatch(/huge value in CTRL/); // MuJoCo zeroes such ctrl
    env.setState(state);
    expect(env.step(action(1e30)).info.physics_error).toMatch(/huge value in CTRL/);
    env.close();
  });
});

describe('mujoco/custom-v0', () => {
  it('runs any MJCF with a qpos/qvel observation and a forward-velocity reward', () => {
    const env = custom({ xml: HOPPER_XML, frame_skip: 4, forward_body: 'torso', max_episode_steps: 3 });
    expect((env.observationSpace as BoxSpace).shape).toEqual([12]);
    env.reset(0);
    let out = env.step(action(1, 1, 1));
    expect(out.info.reward_ctrl).toBeCloseTo(-3e-3, 12);
    expect(out.reward).toBeCloseTo((out.info.x_velocity as number) - 3e-3, 12);
    out = env.step(action(0, 0, 0));
    expect(out.truncated).toBe(false);
    expect(env.step(action(0, 0, 0)).truncated).toBe(true);
    env.close();
    const excluded = custom({ xml: HOPPER_XML, observation: 'qpos_qvel_exclude_root_xy', reward: 'zero' });
    expect((excluded.observationSpace as BoxSpace).shape).toEqual([11]);
    excluded.reset(0);
    expect(excluded.step(action(1, 1, 1)).reward).toBe(0);
    excluded.close();
  });

  it('reads xml_path from the model directory the service allows', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vinegym-mujoco-'));
    writeFileSync(join(dir, 'hopper.xml'), HOPPER_XML);
    const service = new EnvService({ registry: createDefaultRegistry(), workers: 0, modelDir: dir });
    const owner = {};
    const made = await service.make({ env_id: 'mujoco/custom-v0', kwargs: { xml_path: 'hopper.xml' } }, owner);
    expect(made.single_observation_space).toMatchObject({ shape: [12] });
    // The same file by its absolute path; the envs get its text, so xml and xml_path sessions share snapshots.
    const byPath = await service.make(
      { env_id: 'mujoco/custom-v0', kwargs: { xml_path: join(dir, 'hopper.xml') } },
      owner,
    );
    const byText = await service.make({ env_id: 'mujoco/custom-v0', kwargs: { xml: HOPPER_XML } }, owner);
    await service.reset({ session_id: byPath.session_id, seed: 3 }, owner);
    const { snapshots } = await service.snapshot({ session_id: byPath.session_id, env_indices: [0] }, owner);
    await service.restore({ session_id: byText.session_id, env_index: 0, snapshot: snapshots[0] }, owner);
    service.shutdown();
  });

  it('rejects bad MJCF and bad kwargs with INVALID_KWARGS naming the problem', () => {
    const badKeyword = errorOf(() => custom({ xml: '<mujoco><worldbody><geom type="pyramid"/></worldbody></mujoco>' }));
    expect(badKeyword.code).toBe('INVALID_KWARGS');
    expect(badKeyword.message).toMatch(/MuJoCo could not compile the model: XML Error: invalid keyword: 'pyramid'/);
    const badModel = errorOf(() =>
      custom({ xml: '<mujoco><worldbody/><actuator><motor joint="nope"/></actuator></mujoco>' }),
    );
    expect(badModel.message).toMatch(/unknown transmission target 'nope'/);
    expect(errorOf(() => custom({ xml: 'not xml at all' })).message).toMatch(/XML parse error/);
    expect(errorOf(() => custom({})).code).toBe('INVALID_KWARGS');
    expect(errorOf(() => custom({ xml: HOPPER_XML, xml_path: '/x.xml' })).code).toBe('INVALID_KWARGS');
    expect(errorOf(() => custom({ xml_path: '/no/such/model.xml' })).code).toBe('INVALID_KWARGS');
    expect(errorOf(() => custom({ xml: HOPPER_XML, forward_body: 'tail' })).code).toBe('INVALID_KWARGS');
    expect(errorOf(() => custom({ xml: HOPPER_XML, observation: 'pixels' })).code).toBe('INVALID_KWARGS');
    // Failed compiles stop MuJoCo's warning output; blow-ups are then found through mjData's counters.
    expect(mujocoRuntime().warningsPrinted).toBe(false);
    const env = custom({ xml: UNSTABLE_XML });
    env.reset(0);
    expect(env.step(action(1e9)).info.physics_error).toMatch(/huge value in QACC/);
    env.close();
  });
});

describe('defineMujocoEnv', () => {
  const pendulum = defineMujocoEnv({
    id: 'test/Pendulum-v0',
    xml: `<mujoco><option timestep="0.01"/><worldbody><body><joint name="hinge" axis="0 1 0"/>
      <geom type="capsule" fromto="0 0 0 0 0 -1" size="0.05"/></body></worldbody>
      <actuator><motor joint="hinge" ctrlrange="-2 2"/></actuator></mujoco>`,
    frameSkip: 2,
    resetNoiseScale: 0.1,
    observe: (sim) => {
      const out: number[] = [Math.cos(sim.qpos[0]), Math.sin(sim.qpos[0])];
      pushFrom(out, sim.qvel);
      return out;
    },
    reward: (sim, step) => ({ reward: -(sim.qpos[0] ** 2) - 0.01 * step.action[0] ** 2, info: { angle: sim.qpos[0] } }),
  });

  it('makes a registrable definition that sessions run', () => {
    const registry = new EnvRegistry();
    registry.register(pendulum);
    expect(registry.list()[0]).toMatchObject({ id: 'test/Pendulum-v0', max_episode_steps: 1000 });
    const session = new VectorSession({ definition: pendulum, kwargs: {}, numEnvs: 2, seed: 1 });
    expect(session.singleActionSpace).toMatchObject({ type: 'box', shape: [1] });
    session.reset();
    const result = session.step(ndarray('float32', [2, 1], [1, -1]));
    expect((result.observations as NDArray).shape).toEqual([2, 3]);
    expect(result.infos[0].angle).toEqual(expect.any(Number));
    session.close();
  });
});

describe('memory', () => {
  it('10,000 make/close cycles of Hopper do not grow the WASM heap', () => {
    const definition = createDefaultRegistry().get('Hopper-v5');
    const kwargs = validateKwargs(definition, {});
    const cycle = () => {
      const env = definition.create(kwargs);
      env.reset(0);
      env.step(ndarray('float32', [3], [0.1, 0.2, 0.3]));
      env.getState?.();
      env.close?.();
    };
    for (let i = 0; i < 200; i++) cycle(); // warm-up: model cache, allocator pools
    const before = mujocoRuntime().heapBytes();
    for (let i = 0; i < 10_000; i++) cycle();
    expect(mujocoRuntime().heapBytes()).toBe(before);
  }, 120_000);
});
