/**
 * InvertedPendulum-v5 (Gymnasium): reward 1 per step while |qpos[1]| ≤ 0.2 and the observation is finite;
 * the step that breaks either gets reward 0 and terminated.
 */
import type { EnvKwargs } from '../../env.js';
import { defineMujocoEnv } from './define.js';
import { RESET_NOISE_DESCRIPTION, frameSkipKwarg, numberKwarg } from './kwargs.js';
import { INVERTED_PENDULUM_XML } from './models/inverted-pendulum.js';
import type { MujocoTask } from './task.js';
import { pushFrom } from './task.js';

const MAX_POLE_ANGLE = 0.2;

export function invertedPendulumTask(kwargs: EnvKwargs, xml = INVERTED_PENDULUM_XML): MujocoTask {
  return {
    xml,
    frameSkip: kwargs.frame_skip as number,
    camera: { trackBody: 0, distance: 2.04 }, // Gymnasium's DEFAULT_CAMERA_CONFIG
    resetNoiseScale: kwargs.reset_noise_scale as number,
    observe: (sim) => {
      const out: number[] = [];
      pushFrom(out, sim.qpos);
      pushFrom(out, sim.qvel);
      return out;
    },
    // A non-finite observation is handled as a physics error by MujocoEnv (terminated, reward 0), as here.
    reward: (sim) => {
      const terminated = Math.abs(sim.qpos[1]) > MAX_POLE_ANGLE;
      const reward = terminated ? 0 : 1;
      return { reward, terminated, info: { reward_survive: reward } };
    },
  };
}

export const INVERTED_PENDULUM_V5 = defineMujocoEnv({
  id: 'InvertedPendulum-v5',
  description: 'Balance a pole on a sliding cart, as Gymnasium InvertedPendulum-v5 (MuJoCo).',
  kwargs: {
    reset_noise_scale: numberKwarg(0.01, RESET_NOISE_DESCRIPTION),
    frame_skip: frameSkipKwarg(2),
  },
  task: (kwargs) => invertedPendulumTask(kwargs),
});
