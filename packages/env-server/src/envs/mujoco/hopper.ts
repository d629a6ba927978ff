/**
 * Hopper-v5 (Gymnasium): reward = healthy_reward·[healthy] + forward_reward_weight·vx − ctrl_cost_weight·Σa².
 * Healthy (strict bounds): qpos[2:] ++ qvel inside healthy_state, z = qpos[1] inside healthy_z, angle =
 * qpos[2] inside healthy_angle. The observation clips qvel to ±10; the health check uses the raw qvel.
 */
import type { EnvKwargs } from '../../env.js';
import { defineMujocoEnv } from './define.js';
import {
  EXCLUDE_POSITIONS_DESCRIPTION,
  RESET_NOISE_DESCRIPTION,
  booleanKwarg,
  frameSkipKwarg,
  numberKwarg,
  rangeKwargs,
  rangeOf,
} from './kwargs.js';
import { HOPPER_XML } from './models/hopper.js';
import type { MujocoSim } from './sim.js';
import type { MujocoTask } from './task.js';
import { pushClipped, pushFrom, sumOfSquares, uprightPositionInfo, velocities } from './task.js';

export function hopperTask(kwargs: EnvKwargs, xml = HOPPER_XML): MujocoTask {
  const forwardWeight = kwargs.forward_reward_weight as number;
  const ctrlWeight = kwargs.ctrl_cost_weight as number;
  const healthyReward = kwargs.healthy_reward as number;
  const terminateWhenUnhealthy = kwargs.terminate_when_unhealthy as boolean;
  const [stateMin, stateMax] = rangeOf(kwargs, 'healthy_state');
  const [zMin, zMax] = rangeOf(kwargs, 'healthy_z');
  const [angleMin, angleMax] = rangeOf(kwargs, 'healthy_angle');
  const skip = kwargs.exclude_current_positions_from_observation ? 1 : 0;

  const isHealthy = (sim: MujocoSim): boolean => {
    const { qpos, qvel } = sim;
    const inside = (v: number): boolean => stateMin < v && v < stateMax;
    return (
      qpos.subarray(2).every(inside) &&
      qvel.every(inside) &&
      zMin < qpos[1] &&
      qpos[1] < zMax &&
      angleMin < qpos[2] &&
      qpos[2] < angleMax
    );
  };

  return {
    xml,
    frameSkip: kwargs.frame_skip as number,
    camera: { trackBody: 2, distance: 3, lookat: [0, 0, 1.15], elevation: -20 }, // Gymnasium's DEFAULT_CAMERA_CONFIG
    resetNoiseScale: kwargs.reset_noise_scale as number,
    position: (sim) => [sim.qpos[0]],
    observe: (sim) => {
      const out: number[] = [];
      pushFrom(out, sim.qpos, skip);
      pushClipped(out, sim.qvel, 0, -10, 10);
      return out;
    },
    reward: (sim, step) => {
      const [vx] = velocities(step);
      const healthy = isHealthy(sim);
      const forward = forwardWeight * vx;
      const survive = healthy ? healthyReward : 0;
      const ctrlCost = ctrlWeight * sumOfSquares(step.action);
      return {
        reward: forward + survive - ctrlCost,
        terminated: !healthy && terminateWhenUnhealthy,
        info: {
          reward_forward: forward,
          reward_ctrl: -ctrlCost,
          reward_survive: survive,
          ...uprightPositionInfo(sim),
          x_velocity: vx,
        },
      };
    },
    resetInfo: (sim) => uprightPositionInfo(sim),
  };
}

export const HOPPER_V5 = defineMujocoEnv({
  id: 'Hopper-v5',
  description: 'A planar one-legged hopper, as Gymnasium Hopper-v5 (MuJoCo).',
  kwargs: {
    forward_reward_weight: numberKwarg(1.0, 'Weight of the forward (x) velocity reward.'),
    ctrl_cost_weight: numberKwarg(1e-3, 'Weight of the control cost Σa².'),
    healthy_reward: numberKwarg(1.0, 'Reward for every step the hopper is healthy.'),
    terminate_when_unhealthy: booleanKwarg(true, 'End the episode when the hopper becomes unhealthy.'),
    ...rangeKwargs('healthy_state', -100, 100, 'the healthy range of qpos[2:] and qvel'),
    ...rangeKwargs('healthy_z', 0.7, Infinity, 'the healthy torso height qpos[1]'),
    ...rangeKwargs('healthy_angle', -0.2, 0.2, 'the healthy torso angle qpos[2]'),
    reset_noise_scale: numberKwarg(5e-3, RESET_NOISE_DESCRIPTION),
    exclude_current_positions_from_observation: booleanKwarg(true, EXCLUDE_POSITIONS_DESCRIPTION),
    frame_skip: frameSkipKwarg(4),
  },
  task: (kwargs) => hopperTask(kwargs),
});
