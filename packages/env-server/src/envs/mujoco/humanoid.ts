/**
 * Humanoid-v5 (Gymnasium): reward = healthy_reward·[healthy] + forward_reward_weight·vx − ctrl_cost_weight·
 * Σctrl² − clip(contact_cost_weight·Σcfrc_ext², contact_cost_min, contact_cost_max). vx comes from the
 * mass-weighted centre of mass (xipos). Healthy (strict): healthy_z_min < qpos[2] < healthy_z_max.
 * Observation: qpos[2:] ++ qvel ++ cinert[1:] ++ cvel[1:] ++ qfrc_actuator[6:] ++ cfrc_ext[1:] (348).
 */
import { ndarray } from '@vinegym/protocol';
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
import { HUMANOID_XML } from './models/humanoid.js';
import type { MujocoSim } from './sim.js';
import type { MujocoTask } from './task.js';
import { clip, massCenterXY, pushFrom, sumOfSquares, velocities } from './task.js';

/** Free-joint DOFs, left out of qfrc_actuator in the observation. */
const ROOT_DOFS = 6;

export function humanoidTask(kwargs: EnvKwargs, xml = HUMANOID_XML): MujocoTask {
  const forwardWeight = kwargs.forward_reward_weight as number;
  const ctrlWeight = kwargs.ctrl_cost_weight as number;
  const contactWeight = kwargs.contact_cost_weight as number;
  const [contactCostMin, contactCostMax] = rangeOf(kwargs, 'contact_cost');
  const healthyReward = kwargs.healthy_reward as number;
  const terminateWhenUnhealthy = kwargs.terminate_when_unhealthy as boolean;
  const [zMin, zMax] = rangeOf(kwargs, 'healthy_z');
  const skip = kwargs.exclude_current_positions_from_observation ? 2 : 0;

  const tendonInfo = (sim: MujocoSim) => ({
    tendon_length: ndarray('float64', [sim.tendonLength.length], sim.tendonLength.slice()),
    tendon_velocity: ndarray('float64', [sim.tendonVelocity.length], sim.tendonVelocity.slice()),
  });

  return {
    xml,
    frameSkip: kwargs.frame_skip as number,
    camera: { trackBody: 1, distance: 4, lookat: [0, 0, 2], elevation: -20 }, // Gymnasium's DEFAULT_CAMERA_CONFIG
    resetNoiseScale: kwargs.reset_noise_scale as number,
    position: massCenterXY,
    observe: (sim) => {
      const out: number[] = [];
      pushFrom(out, sim.qpos, skip);
      pushFrom(out, sim.qvel);
      if (kwargs.include_cinert_in_observation) pushFrom(out, sim.cinert, 10);
      if (kwargs.include_cvel_in_observation) pushFrom(out, sim.cvel, 6);
      if (kwargs.include_qfrc_actuator_in_observation) pushFrom(out, sim.qfrcActuator, ROOT_DOFS);
      if (kwargs.include_cfrc_ext_in_observation) pushFrom(out, sim.cfrcExt, 6);
      return out;
    },
    reward: (sim, step) => {
      const [vx, vy] = velocities(step);
      const z = sim.qpos[2];
      const healthy = zMin < z && z < zMax;
      const forward = forwardWeight * vx;
      const survive = healthy ? healthyReward : 0;
      const ctrlCost = ctrlWeight * sumOfSquares(sim.ctrl);
      const contactCost = clip(contactWeight * sumOfSquares(sim.cfrcExt), contactCostMin, contactCostMax);
      const [x, y] = [sim.qpos[0], sim.qpos[1]];
      return {
        reward: forward + survive - ctrlCost - contactCost,
        terminated: !healthy && terminateWhenUnhealthy,
        info: {
          reward_survive: survive,
          reward_forward: forward,
          reward_ctrl: -ctrlCost,
          reward_contact: -contactCost,
          x_position: x,
          y_position: y,
          ...tendonInfo(sim),
          distance_from_origin: Math.hypot(x - sim.qpos0[0], y - sim.qpos0[1]),
          x_velocity: vx,
          y_velocity: vy,
        },
      };
    },
    resetInfo: (sim) => {
      const [x, y] = [sim.qpos[0], sim.qpos[1]];
      return {
        x_position: x,
        y_position: y,
        ...tendonInfo(sim),
        distance_from_origin: Math.hypot(x - sim.qpos0[0], y - sim.qpos0[1]),
      };
    },
  };
}

export const HUMANOID_V5 = defineMujocoEnv({
  id: 'Humanoid-v5',
  description: 'A 3D humanoid walking forward, as Gymnasium Humanoid-v5 (MuJoCo).',
  kwargs: {
    forward_reward_weight: numberKwarg(1.25, 'Weight of the forward (x) velocity of the centre of mass.'),
    ctrl_cost_weight: numberKwarg(0.1, 'Weight of the control cost Σctrl².'),
    contact_cost_weight: numberKwarg(5e-7, 'Weight of the contact cost Σcfrc_ext².'),
    ...rangeKwargs('contact_cost', -Infinity, 10.0, 'the clipping range of the contact cost'),
    healthy_reward: numberKwarg(5.0, 'Reward for every step the humanoid is healthy.'),
    terminate_when_unhealthy: booleanKwarg(true, 'End the episode when the humanoid becomes unhealthy.'),
    ...rangeKwargs('healthy_z', 1.0, 2.0, 'the healthy torso height qpos[2]'),
    reset_noise_scale: numberKwarg(1e-2, RESET_NOISE_DESCRIPTION),
    exclude_current_positions_from_observation: booleanKwarg(true, EXCLUDE_POSITIONS_DESCRIPTION),
    include_cinert_in_observation: booleanKwarg(true, 'Append cinert[1:] (13 × 10) to the observation.'),
    include_cvel_in_observation: booleanKwarg(true, 'Append cvel[1:] (13 × 6) to the observation.'),
    include_qfrc_actuator_in_observation: booleanKwarg(true, 'Append qfrc_actuator[6:] (17) to the observation.'),
    include_cfrc_ext_in_observation: booleanKwarg(true, 'Append cfrc_ext[1:] (13 × 6) to the observation.'),
    frame_skip: frameSkipKwarg(5),
  },
  task: (kwargs) => humanoidTask(kwargs),
});
