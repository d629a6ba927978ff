/**
 * What a MuJoCo task adds to a model: the observation, the reward and termination rule, reset noise and the
 * tracked position whose change gives the forward velocity. MujocoEnv runs any MujocoTask; the built-in
 * Gymnasium tasks and `defineMujocoEnv` plug-ins are all MujocoTasks.
 */
import type { Info } from '@vinegym/protocol';
import type { MujocoCameraSpec } from './scene.js';
import type { MujocoSim } from './sim.js';

export interface MujocoStep {
  /** The action as applied to data.ctrl (float64 copy of what the agent sent; not clipped). */
  action: Float64Array;
  /** Seconds per env step: timestep × frame_skip. */
  dt: number;
  /** `position(sim)` before and after the step (empty if the task has no `position`). */
  positionBefore: readonly number[];
  positionAfter: readonly number[];
}

export interface MujocoReward {
  reward: number;
  /** Default false. */
  terminated?: boolean;
  info?: Info;
}

export interface MujocoTask {
  /** MJCF text of the model. */
  xml: string;
  /** mj_step calls per env step. */
  frameSkip: number;
  /** The observation (float64); its length must not change between calls. */
  observe(sim: MujocoSim): ArrayLike<number>;
  /** Reward, termination and step info, computed after the physics step. */
  reward(sim: MujocoSim, step: MujocoStep): MujocoReward;
  /** A position read before and after each step, e.g. [x] or [x, y] of the torso. */
  position?(sim: MujocoSim): number[];
  /** Half-width of the uniform noise added to qpos0 and to zero qvel on reset. Default 0. */
  resetNoiseScale?: number;
  /** 'normal' draws qvel noise as scale·N(0, 1) instead (HalfCheetah, Ant). Default 'uniform'. */
  velocityNoise?: 'uniform' | 'normal';
  /** Info returned by reset. Default {}. */
  resetInfo?(sim: MujocoSim): Info;
  /** The env reports truncated after this many steps (for envs whose session has no time limit). */
  maxEpisodeSteps?: number;
  /** How the scene render modes look at the model. Default: see MujocoCameraSpec. */
  camera?: MujocoCameraSpec;
}

export function sumOfSquares(values: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < values.length; i++) sum += values[i] * values[i];
  return sum;
}

export function clip(value: number, low: number, high: number): number {
  return Math.min(Math.max(value, low), high);
}

/** `values[from:]` with each element clipped to [low, high], appended to `out`. */
export function pushClipped(out: number[], values: ArrayLike<number>, from: number, low: number, high: number): void {
  for (let i = from; i < values.length; i++) out.push(clip(values[i], low, high));
}

/** `values[from:]` appended to `out`. */
export function pushFrom(out: number[], values: ArrayLike<number>, from = 0): void {
  for (let i = from; i < values.length; i++) out.push(values[i]);
}

/** (after − before) / dt per component: Gymnasium's finite-difference velocities. */
export function velocities(step: MujocoStep): number[] {
  return step.positionAfter.map((after, i) => (after - step.positionBefore[i]) / step.dt);
}

/** Mass-weighted centre of mass (x, y) over all bodies, from xipos, as Gymnasium's Humanoid computes it. */
export function massCenterXY(sim: MujocoSim): number[] {
  const mass = sim.bodyMass;
  const xipos = sim.xipos;
  let total = 0;
  let x = 0;
  let y = 0;
  for (let b = 0; b < sim.nbody; b++) {
    total += mass[b];
    x += mass[b] * xipos[3 * b];
    y += mass[b] * xipos[3 * b + 1];
  }
  return [x / total, y / total];
}

/** Position entries of info for robots that move in the ground plane (x, y and distance from the start). */
export function planarPositionInfo(sim: MujocoSim, x = sim.qpos[0], y = sim.qpos[1]): Info {
  return { x_position: x, y_position: y, distance_from_origin: Math.hypot(x - sim.qpos0[0], y - sim.qpos0[1]) };
}

/** Position entries of info for planar walkers (x and torso height relative to the start). */
export function uprightPositionInfo(sim: MujocoSim, z = sim.qpos[1]): Info {
  return { x_position: sim.qpos[0], z_distance_from_origin: z - sim.qpos0[1] };
}
