/**
 * The scene render modes (PROTOCOL.md 7.8) of the MuJoCo envs: geoms, meshes and camera from the model, poses
 * that follow the simulation, the same answers from worker-thread sessions, and the modes over a real socket.
 */
import { ndarray } from '@vinegym/protocol';
import type { NDArray, RenderResult } from '@vinegym/protocol';
import { afterAll, describe, expect, it } from 'vitest';
import { loadMujocoRuntime, MUJOCO_ENVS } from '../src/envs/mujoco/index.js';
import { ParallelSession } from '../src/parallel/parallel-session.js';
import { createDefaultRegistry, validateKwargs } from '../src/registry.js';
import { createServer } from '../src/server.js';
import { VectorSession } from '../src/session.js';
import { TestClient } from './fixtures/test-client.js';

await loadMujocoRuntime();
const registry = createDefaultRegistry();
const closers: (() => unknown)[] = [];
afterAll(async () => {
  for (const close of closers.splice(0)) await close();
});

function session(id: string, kwargs: Record<string, unknown> = {}): VectorSession {
  const definition = registry.get(id);
  const made = new VectorSession({ definition, kwargs: validateKwargs(definition, kwargs), numEnvs: 1, seed: 3 });
  closers.push(() => made.close());
  return made;
}

const zeros = (n: number) => ndarray('float32', [1, n], new Float32Array(n));
const values = (array: NDArray | undefined) => Array.from(array!.data as Float64Array);

/** A tetrahedron mesh on a free body above a floor: the custom-MJCF env with mesh data. */
const MESH_XML = `<mujoco><asset><mesh name="tet" vertex="0 0 0  0.2 0 0  0 0.2 0  0 0 0.2"/></asset>
<worldbody><geom type="plane" size="5 5 0.1" rgba="0.2 0.3 0.4 1"/>
<body name="b" pos="0 0 1"><freejoint/><geom type="mesh" mesh="tet" rgba="1 0 0 1"/>
<geom type="sphere" size="0.05" group="3"/></body></worldbody></mujoco>`;

describe('MuJoCo scene render modes', () => {
  it('every MuJoCo env answers scene and poses (and not rgb_array, which needs a browser)', () => {
    for (const definition of MUJOCO_ENVS.filter((d) => d.id !== 'mujoco/custom-v0')) {
      const s = session(definition.id);
      expect(s.renderModes).toEqual(['scene', 'poses']);
      expect(s.renderSupported).toBe(false);
      s.reset();
      const { scene, poses } = s.render(0, 'scene');
      expect(scene!.geoms.length).toBeGreaterThan(0);
      expect(
        scene!.geoms.every((g) => ['plane', 'sphere', 'capsule', 'cylinder', 'box', 'ellipsoid'].includes(g.type)),
      ).toBe(true);
      expect(poses!.positions.shape).toEqual([scene!.geoms.length, 3]);
      expect(poses!.rotations.shape).toEqual([scene!.geoms.length, 9]);
      expect(values(poses!.positions).every(Number.isFinite)).toBe(true);
    }
  });

  it("Hopper's scene: a floor and four capsules, Gymnasium's camera, poses that move as it steps", () => {
    const hopper = session('Hopper-v5');
    hopper.reset();
    const { scene, poses } = hopper.render(0, 'scene') as Required<RenderResult>;
    expect(scene.geoms.map((g) => g.type)).toEqual(['plane', 'capsule', 'capsule', 'capsule', 'capsule']);
    expect(scene.geoms[1].size[0]).toBeCloseTo(0.05);
    expect(scene.camera).toMatchObject({ distance: 3, lookat: [0, 0, 1.15], elevation: -20, track_geom: 2 });
    expect(scene.meshes).toEqual([]);
    // The torso capsule starts upright at z = 1.25 with a rotation matrix that is a rotation.
    const torso = values(poses.positions).slice(3, 6);
    expect(torso[2]).toBeCloseTo(1.25, 1);
    const r = values(poses.rotations).slice(9, 18);
    expect(r[0] * r[0] + r[3] * r[3] + r[6] * r[6]).toBeCloseTo(1, 6);
    for (let t = 0; t < 20; t++) hopper.step(ndarray('float32', [1, 3], Float32Array.of(1, -1, 1)));
    const later = hopper.render(0, 'poses');
    expect(later.scene).toBeUndefined();
    expect(values(later.poses!.positions)).not.toEqual(values(poses.positions));
    // The floor does not move.
    expect(values(later.poses!.positions).slice(0, 3)).toEqual(values(poses.positions).slice(0, 3));
  });

  it('the custom-MJCF env sends mesh data and leaves out hidden geom groups', () => {
    const custom = session('mujoco/custom-v0', { xml: MESH_XML });
    custom.reset();
    const { scene, poses } = custom.render(0, 'scene') as Required<RenderResult>;
    expect(scene.geoms.map((g) => g.type)).toEqual(['plane', 'mesh']);
    expect(scene.geoms[0].rgba).toEqual([0.2, 0.3, 0.4, 1]);
    expect(scene.geoms[1]).toMatchObject({ mesh: 0, rgba: [1, 0, 0, 1] });
    expect(scene.meshes[0].vertices.shape).toEqual([4, 3]);
    expect(scene.meshes[0].faces.shape).toEqual([4, 3]);
    expect(Array.from(scene.meshes[0].faces.data as Int32Array).every((i) => i >= 0 && i < 4)).toBe(true);
    expect(scene.camera.track_geom).toBe(1);
    expect(poses.positions.shape).toEqual([2, 3]);
  });

  it('errors: rgb_array of a MuJoCo env and scene of CartPole are NOT_SUPPORTED, before reset BAD_REQUEST', () => {
    const hopper = session('Hopper-v5');
    expect(() => hopper.render(0, 'scene')).toThrow(/has not been reset/);
    hopper.reset();
    expect(() => hopper.render(0)).toThrow(
      expect.objectContaining({ code: 'NOT_SUPPORTED', message: expect.stringMatching(/render modes: scene, poses/) }),
    );
    const cartpole = session('CartPole-v1');
    cartpole.reset();
    expect(() => cartpole.render(0, 'poses')).toThrow(expect.objectContaining({ code: 'NOT_SUPPORTED' }));
  });

  it('a session on a worker thread answers the same scene and poses', async () => {
    const definition = registry.get('Walker2d-v5');
    const kwargs = validateKwargs(definition, {});
    const local = new VectorSession({ definition, kwargs, numEnvs: 2, seed: 5 });
    const parallel = await ParallelSession.create({
      definition,
      origin: { kind: 'builtin' },
      kwargs,
      numEnvs: 2,
      seed: 5,
      workers: 1,
    });
    closers.push(
      () => local.close(),
      () => parallel.close(),
    );
    expect(parallel.renderModes).toEqual(local.renderModes);
    local.reset();
    await parallel.reset();
    for (let t = 0; t < 5; t++) {
      local.step(ndarray('float32', [2, 6], new Float32Array(12).fill(0.3)));
      await parallel.step(ndarray('float32', [2, 6], new Float32Array(12).fill(0.3)));
    }
    expect(await parallel.render(1, 'scene')).toEqual(local.render(1, 'scene'));
  });
});

describe('render modes over the protocol', () => {
  it('hello lists render:scene, make lists render_modes, render answers each mode', async () => {
    const server = await createServer({ port: 0, workers: 0 });
    closers.push(() => server.close());
    const client = await TestClient.connect(server.url);
    const hello = await client.call('hello', { protocol_versions: [1], client: { name: 'test', version: '0' } });
    expect(hello.capabilities).toContain('render:scene');
    const made = await client.call('make', { env_id: 'Hopper-v5' });
    expect(made).toMatchObject({ render_supported: false, render_modes: ['scene', 'poses'] });
    await client.call('reset', { session_id: made.session_id, seed: 1 });
    const scene = await client.call('render', { session_id: made.session_id, env_index: 0, mode: 'scene' });
    expect(scene.scene.geoms).toHaveLength(5);
    await client.call('step', { session_id: made.session_id, actions: zeros(3) });
    const poses = await client.call('render', { session_id: made.session_id, env_index: 0, mode: 'poses' });
    expect(Object.keys(poses)).toEqual(['poses']);
    expect(poses.poses.positions.shape).toEqual([5, 3]);
    const old = await client.request('render', { session_id: made.session_id, env_index: 0 });
    expect(old.error?.code).toBe('NOT_SUPPORTED');
    const bad = await client.request('render', { session_id: made.session_id, env_index: 0, mode: 'svg' });
    expect(bad.error).toMatchObject({ code: 'BAD_REQUEST', message: expect.stringMatching(/render\.mode/) });
    const cartpole = await client.call('make', { env_id: 'CartPole-v1' });
    expect(cartpole).toMatchObject({ render_supported: true, render_modes: ['rgb_array'] });
    client.close();
  });
});
