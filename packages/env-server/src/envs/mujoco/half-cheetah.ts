/** HalfCheetah-v5 (Gymnasium): reward = forward_reward_weight·vx − ctrl_cost_weight·Σa²; never terminates. */
import type { EnvKwargs } from '../../env.js';
import { defineMujocoEnv } from './define.js';
import {
  EXCLUDE_POSITIONS_DESCRIPTION,
  RESET_NOISE_DESCRIPTION,
  booleanKwarg,
  frameSkipKwarg,
  numberKwarg,
} from './kwargs.js';
import { HALF_CHEETAH_XML } from './models/half-cheetah.js';
import type { MujocoTask } from './task.js';
import { pushFrom, sumOfSquares, velocities } from './task.js';

export function halfCheetahTask(kwargs: EnvKwargs, xml = HALF_CHEETAH_XML): MujocoTask {
  const forwardWeight = kwargs.forward_reward_weight as number;
  const ctrlWeight = kwargs.ctrl_cost_weight as number;
  const skip = kwargs.exclude_current_positions_from_observation ? 1 : 0;
  return {
    xml,
    frameSkip: kwargs.frame_skip as number,
    camera: { distance: 4 }, // Gymnasium's DEFAULT_CAMERA_CONFIG
    resetNoiseScale: kwargs.reset_noise_scale as number,
    velocityNoise: 'normal',
    position: (sim) => [sim.qpos[0]],
    observe: (sim) => {
      const out: number[] = [];
      pushFrom(out, sim.qpos, skip);
      pushFrom(out, sim.qvel);
      return out;
    },
    reward: (sim, step) => {
      const [vx] = velocities(step);
      const forward = forwardWeight * vx;
      const ctrlCost = ctrlWeight * sumOfSquares(step.action);
      return {
        reward: forward - ctrlCost,
        info: { reward_forward: forward, reward_ctrl: -ctrlCost, x_position: sim.qpos[0], x_velocity: vx },
      };
    },
    resetInfo: (sim) => ({ x_position: sim.qpos[0] }),
  };
}

export const HALF_CHEETAH_V5 = defineMujocoEnv({
  id: 'HalfCheetah-v5',
  description: 'A planar two-legged cheetah running forward, as Gymnasium HalfCheetah-v5 (MuJoCo).',
  kwargs: {
    forward_reward_weight: numberKwarg(1.0, 'Weight of the forward (x) velocity reward.'),
    ctrl_cost_weight: numberKwarg(0.1, 'Weight of the control cost Σa².'),
    reset_noise_scale: numberKwarg(
      0.1,
      `${RESET_NOISE_DESCRIPTION} qvel noise is Gaussian with this standard deviation.`,
    ),
    exclude_current_positions_from_observation: booleanKwarg(true, EXCLUDE_POSITIONS_DESCRIPTION),
    frame_skip: frameSkipKwarg(5),
  },
  task: (kwargs) => halfCheetahTask(kwargs),
});
