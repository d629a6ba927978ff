/** Swimmer-v5 (Gymnasium): reward = forward_reward_weight·vx − ctrl_cost_weight·Σa²; never terminates. */
import type { EnvKwargs } from '../../env.js';
import { defineMujocoEnv } from './define.js';
import {
  EXCLUDE_POSITIONS_DESCRIPTION,
  RESET_NOISE_DESCRIPTION,
  booleanKwarg,
  frameSkipKwarg,
  numberKwarg,
} from './kwargs.js';
import { SWIMMER_XML } from './models/swimmer.js';
import type { MujocoTask } from './task.js';
import { planarPositionInfo, pushFrom, sumOfSquares, velocities } from './task.js';

export function swimmerTask(kwargs: EnvKwargs, xml = SWIMMER_XML): MujocoTask {
  const forwardWeight = kwargs.forward_reward_weight as number;
  const ctrlWeight = kwargs.ctrl_cost_weight as number;
  const skip = kwargs.exclude_current_positions_from_observation ? 2 : 0;
  return {
    xml,
    frameSkip: kwargs.frame_skip as number,
    resetNoiseScale: kwargs.reset_noise_scale as number,
    position: (sim) => [sim.qpos[0], sim.qpos[1]],
    observe: (sim) => {
      const out: number[] = [];
      pushFrom(out, sim.qpos, skip);
      pushFrom(out, sim.qvel);
      return out;
    },
    reward: (sim, step) => {
      const [vx, vy] = velocities(step);
      const forward = forwardWeight * vx;
      const ctrlCost = ctrlWeight * sumOfSquares(step.action);
      const [x, y] = step.positionAfter;
      return {
        reward: forward - ctrlCost,
        info: {
          reward_forward: forward,
          reward_ctrl: -ctrlCost,
          ...planarPositionInfo(sim, x, y),
          x_velocity: vx,
          y_velocity: vy,
        },
      };
    },
    resetInfo: (sim) => planarPositionInfo(sim),
  };
}

export const SWIMMER_V5 = defineMujocoEnv({
  id: 'Swimmer-v5',
  description: 'A three-link swimmer in a viscous fluid, as Gymnasium Swimmer-v5 (MuJoCo).',
  kwargs: {
    forward_reward_weight: numberKwarg(1.0, 'Weight of the forward (x) velocity reward.'),
    ctrl_cost_weight: numberKwarg(1e-4, 'Weight of the control cost Σa².'),
    reset_noise_scale: numberKwarg(0.1, RESET_NOISE_DESCRIPTION),
    exclude_current_positions_from_observation: booleanKwarg(true, EXCLUDE_POSITIONS_DESCRIPTION),
    frame_skip: frameSkipKwarg(4),
  },
  task: (kwargs) => swimmerTask(kwargs),
});
