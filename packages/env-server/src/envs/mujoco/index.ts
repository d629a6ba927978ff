/**
 * The MuJoCo envs (Gymnasium v5 tasks on mujoco-js) and the pieces plug-in authors use. The WebAssembly module
 * must be loaded before any of these envs is created: the service loads it at the first make of a MuJoCo env
 * (their definitions' `load`); code that calls `create` itself awaits `loadMujocoRuntime()` first.
 */
import type { EnvDefinition } from '../../env.js';
import type { EnvRegistry } from '../../registry.js';
import { ANT_V5 } from './ant.js';
import { MUJOCO_CUSTOM } from './custom.js';
import { HALF_CHEETAH_V5 } from './half-cheetah.js';
import { HOPPER_V5 } from './hopper.js';
import { HUMANOID_V5 } from './humanoid.js';
import { INVERTED_PENDULUM_V5 } from './inverted-pendulum.js';
import { loadMujocoRuntime } from './runtime.js';
import { SWIMMER_V5 } from './swimmer.js';
import { WALKER2D_V5 } from './walker2d.js';

export const MUJOCO_ENVS: readonly EnvDefinition[] = [
  SWIMMER_V5,
  HOPPER_V5,
  WALKER2D_V5,
  HALF_CHEETAH_V5,
  ANT_V5,
  HUMANOID_V5,
  INVERTED_PENDULUM_V5,
  MUJOCO_CUSTOM,
];

/** Loads the MuJoCo WebAssembly module (once per process), then registers the MuJoCo envs. */
export async function registerMujocoEnvs(registry: EnvRegistry): Promise<void> {
  await loadMujocoRuntime();
  for (const definition of MUJOCO_ENVS) registry.register(definition);
}

export { ANT_V5, antTask } from './ant.js';
export { MUJOCO_CUSTOM } from './custom.js';
export { defineMujocoEnv } from './define.js';
export type { MujocoEnvSpec } from './define.js';
export { HALF_CHEETAH_V5, halfCheetahTask } from './half-cheetah.js';
export { HOPPER_V5, hopperTask } from './hopper.js';
export { HUMANOID_V5, humanoidTask } from './humanoid.js';
export { INVERTED_PENDULUM_V5, invertedPendulumTask } from './inverted-pendulum.js';
export { MujocoEnv } from './mujoco-env.js';
export {
  MujocoCompileError,
  MujocoRuntime,
  loadMujocoRuntime,
  mujocoRuntime,
  mujocoRuntimeLoading,
} from './runtime.js';
export { MujocoSim } from './sim.js';
export { SWIMMER_V5, swimmerTask } from './swimmer.js';
export type { MujocoReward, MujocoStep, MujocoTask } from './task.js';
export { clip, massCenterXY, pushClipped, pushFrom, sumOfSquares, velocities } from './task.js';
export { WALKER2D_V5, walker2dTask } from './walker2d.js';
export { ANT_XML } from './models/ant.js';
export { HALF_CHEETAH_XML } from './models/half-cheetah.js';
export { HOPPER_XML } from './models/hopper.js';
export { HUMANOID_XML } from './models/humanoid.js';
export { INVERTED_PENDULUM_XML } from './models/inverted-pendulum.js';
export { SWIMMER_XML } from './models/swimmer.js';
export { WALKER2D_XML } from './models/walker2d.js';
