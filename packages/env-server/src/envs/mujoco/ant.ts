/**
 * Ant-v5 (Gymnasium): reward = healthy_reward·[healthy] + forward_reward_weight·vx − ctrl_cost_weight·Σa²
 * − contact_cost_weight·Σclip(cfrc_ext)². vx comes from the main body's xpos (as MuJoCo left it after the
 * last substep, like Gymnasium). Healthy: the state is finite and healthy_z_min ≤ qpos[2] ≤ healthy_z_max.
 * Observation: qpos[2:] ++ qvel ++ clip(cfrc_ext[1:]) (105 by default).
 */
import { VinegymError } from '@vinegym/protocol';
import type { EnvKwargs } from '../../env.js';
import { defineMujocoEnv } from './define.js';
import {
  EXCLUDE_POSITIONS_DESCRIPTION,
  RESET_NOISE_DESCRIPTION,
  MAX_BODY_ID,
  booleanKwarg,
  frameSkipKwarg,
  numberKwarg,
  rangeKwargs,
  rangeOf,
} from './kwargs.js';
import { ANT_XML } from './models/ant.js';
import type { MujocoSim } from './sim.js';
import type { MujocoTask } from './task.js';
import { clip, planarPositionInfo, pushClipped, pushFrom, sumOfSquares, velocities } from './task.js';

export function antTask(kwargs: EnvKwargs, xml = ANT_XML): MujocoTask {
  const forwardWeight = kwargs.forward_reward_weight as number;
  const ctrlWeight = kwargs.ctrl_cost_weight as number;
  const contactWeight = kwargs.contact_cost_weight as number;
  const healthyReward = kwargs.healthy_reward as number;
  const terminateWhenUnhealthy = kwargs.terminate_when_unhealthy as boolean;
  const mainBody = kwargs.main_body as number;
  const [zMin, zMax] = rangeOf(kwargs, 'healthy_z');
  const [forceMin, forceMax] = rangeOf(kwargs, 'contact_force');
  const skip = kwargs.exclude_current_positions_from_observation ? 2 : 0;
  const includeContacts = kwargs.include_cfrc_ext_in_observation as boolean;

  const position = (sim: MujocoSim): number[] => {
    if (mainBody >= sim.nbody) {
      throw new VinegymError('INVALID_KWARGS', `main_body ${mainBody} must be below the body count ${sim.nbody}`, {
        key: 'main_body',
      });
    }
    return [sim.xpos[3 * mainBody], sim.xpos[3 * mainBody + 1]];
  };
  const isHealthy = (sim: MujocoSim): boolean => {
    const finite = sim.qpos.every(Number.isFinite) && sim.qvel.every(Number.isFinite);
    return finite && zMin <= sim.qpos[2] && sim.qpos[2] <= zMax;
  };

  return {
    xml,
    frameSkip: kwargs.frame_skip as number,
    camera: { distance: 4 }, // Gymnasium's DEFAULT_CAMERA_CONFIG
    resetNoiseScale: kwargs.reset_noise_scale as number,
    velocityNoise: 'normal',
    position,
    observe: (sim) => {
      const out: number[] = [];
      pushFrom(out, sim.qpos, skip);
      pushFrom(out, sim.qvel);
      if (includeContacts) pushClipped(out, sim.cfrcExt, 6, forceMin, forceMax);
      return out;
    },
    reward: (sim, step) => {
      const [vx, vy] = velocities(step);
      const healthy = isHealthy(sim);
      const forward = forwardWeight * vx;
      const survive = healthy ? healthyReward : 0;
      const ctrlCost = ctrlWeight * sumOfSquares(step.action);
      const cfrc = sim.cfrcExt;
      let contactSum = 0;
      for (let i = 0; i < cfrc.length; i++) contactSum += clip(cfrc[i], forceMin, forceMax) ** 2;
      const contactCost = contactWeight * contactSum;
      return {
        reward: forward + survive - ctrlCost - contactCost,
        terminated: !healthy && terminateWhenUnhealthy,
        info: {
          reward_forward: forward,
          reward_ctrl: -ctrlCost,
          reward_contact: -contactCost,
          reward_survive: survive,
          ...planarPositionInfo(sim),
          x_velocity: vx,
          y_velocity: vy,
        },
      };
    },
    resetInfo: (sim) => planarPositionInfo(sim),
  };
}

export const ANT_V5 = defineMujocoEnv({
  id: 'Ant-v5',
  description: 'A four-legged ant walking forward, as Gymnasium Ant-v5 (MuJoCo).',
  kwargs: {
    forward_reward_weight: numberKwarg(1.0, 'Weight of the forward (x) velocity reward.'),
    ctrl_cost_weight: numberKwarg(0.5, 'Weight of the control cost Σa².'),
    contact_cost_weight: numberKwarg(5e-4, 'Weight of the contact cost Σclip(cfrc_ext)².'),
    healthy_reward: numberKwarg(1.0, 'Reward for every step the ant is healthy.'),
    main_body: {
      type: 'integer',
      default: 1,
      minimum: 0,
      maximum: MAX_BODY_ID,
      description: 'Body id whose xpos gives the forward velocity.',
    },
    terminate_when_unhealthy: booleanKwarg(true, 'End the episode when the ant becomes unhealthy.'),
    ...rangeKwargs('healthy_z', 0.2, 1.0, 'the healthy torso height qpos[2] (inclusive)'),
    ...rangeKwargs('contact_force', -1, 1, 'the clipping range of cfrc_ext'),
    reset_noise_scale: numberKwarg(
      0.1,
      `${RESET_NOISE_DESCRIPTION} qvel noise is Gaussian with this standard deviation.`,
    ),
    exclude_current_positions_from_observation: booleanKwarg(true, EXCLUDE_POSITIONS_DESCRIPTION),
    include_cfrc_ext_in_observation: booleanKwarg(
      true,
      'Append the clipped contact forces cfrc_ext[1:] to the observation.',
    ),
    frame_skip: frameSkipKwarg(5),
  },
  task: (kwargs) => antTask(kwargs),
});
