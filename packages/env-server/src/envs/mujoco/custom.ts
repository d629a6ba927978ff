/**
 * `mujoco/custom-v0`: any MJCF model (kwarg `xml` or `xml_path`) with a generic observation and reward, for
 * trying models without writing a plug-in. See MUJOCO.md.
 *
 * The model comes from a client, so it is never trusted: at make, `prepare` reads an `xml_path` file through the
 * server's file policy (model-files.ts) and compiles the document in the server's MJCF sandbox (mjcf-sandbox.ts)
 * before any env is built; the envs then get the document as `xml`.
 */
import { VinegymError } from '@vinegym/protocol';
import type { EnvDefinition, EnvHost, EnvKwargs, PreparedEnv } from '../../env.js';
import { MAX_EPISODE_STEPS, frameSkipKwarg, numberKwarg } from './kwargs.js';
import { MujocoEnv } from './mujoco-env.js';
import { MujocoCompileError, mujocoRuntimeLoading } from './runtime.js';
import type { MujocoSim } from './sim.js';
import type { MujocoReward, MujocoTask } from './task.js';
import { pushFrom, sumOfSquares, velocities } from './task.js';

const JOINT_FREE = 0;
const JOINT_SLIDE = 2;

export const MUJOCO_CUSTOM: EnvDefinition = {
  id: 'mujoco/custom-v0',
  description: 'Any MuJoCo MJCF model with a qpos/qvel observation and a forward-velocity (or zero) reward.',
  kwargs: {
    xml: { type: 'string', default: null, description: 'The MJCF document (give this or xml_path).' },
    xml_path: {
      type: 'string',
      default: null,
      description:
        "Path of an MJCF file in the server's model directory (--model-dir; none by default), without external assets.",
    },
    frame_skip: frameSkipKwarg(1),
    observation: {
      type: 'string',
      default: 'qpos_qvel',
      enum: ['qpos_qvel', 'qpos_qvel_exclude_root_xy'],
      description:
        'qpos ++ qvel, optionally without the root x/y position (free joint x, y or leading x/y slide joints).',
    },
    reward: {
      type: 'string',
      default: 'forward_velocity',
      enum: ['forward_velocity', 'zero'],
      description: "forward_velocity: x velocity of forward_body's frame minus ctrl_cost_weight·Σa²; zero: always 0.",
    },
    forward_body: {
      type: 'string',
      default: null,
      description: 'Body whose x velocity is rewarded. Default: the first body after the world.',
    },
    ctrl_cost_weight: numberKwarg(1e-3, 'Weight of the control cost Σa² (forward_velocity reward).'),
    reset_noise_scale: numberKwarg(0, 'Half-width of the uniform noise added to the initial qpos and qvel.'),
    max_episode_steps: {
      type: 'integer',
      default: 1000,
      minimum: 1,
      maximum: MAX_EPISODE_STEPS,
      description: 'Steps after which the env reports truncated.',
    },
  },
  maxEpisodeSteps: null,
  create: (kwargs) => compileCustom(kwargs, modelText(kwargs)),
  // The sandbox instantiates the compiled module of the server's own MuJoCo runtime.
  load: mujocoRuntimeLoading,
  parallel: true,
  prepare: prepareCustom,
};

async function prepareCustom(kwargs: EnvKwargs, host: EnvHost): Promise<PreparedEnv> {
  checkOneSource(kwargs);
  const fromFile = kwargs.xml_path !== null;
  const key = fromFile ? 'xml_path' : 'xml';
  const xml = fromFile ? await host.readModelFile(kwargs.xml_path as string, key) : (kwargs.xml as string);
  const { bytesPerEnv } = await host.checkMjcf(xml, { key, quoteErrors: !fromFile });
  return { kwargs: { ...kwargs, xml, xml_path: null }, bytesPerEnv, wasmHeap: true };
}

function checkOneSource(kwargs: EnvKwargs): void {
  if ((kwargs.xml === null) === (kwargs.xml_path === null)) {
    throw new VinegymError('INVALID_KWARGS', 'mujoco/custom-v0 needs exactly one of the kwargs xml and xml_path', {
      key: 'xml',
    });
  }
}

/** The document of an env being built: `xml` (prepare has replaced any xml_path by the file's text). */
function modelText(kwargs: EnvKwargs): string {
  checkOneSource(kwargs);
  if (kwargs.xml_path !== null) {
    throw new VinegymError(
      'INVALID_KWARGS',
      'xml_path is read by the server at make (EnvService), not by create: pass the document as xml',
      {
        key: 'xml_path',
      },
    );
  }
  return kwargs.xml as string;
}

function compileCustom(kwargs: EnvKwargs, xml: string): MujocoEnv {
  try {
    return new MujocoEnv(customTask(kwargs, xml));
  } catch (error) {
    if (!(error instanceof MujocoCompileError)) throw error;
    const key = kwargs.xml === null ? 'xml_path' : 'xml';
    throw new VinegymError('INVALID_KWARGS', `MuJoCo could not compile the model: ${error.message}`, { key });
  }
}

function customTask(kwargs: EnvKwargs, xml: string): MujocoTask {
  const ctrlWeight = kwargs.ctrl_cost_weight as number;
  const excludeRoot = kwargs.observation === 'qpos_qvel_exclude_root_xy';
  let skip: number | null = null;
  let body: number | null = null;
  const forwardBody = (sim: MujocoSim): number => (body ??= resolveBody(sim, kwargs.forward_body as string | null));
  return {
    xml,
    frameSkip: kwargs.frame_skip as number,
    resetNoiseScale: kwargs.reset_noise_scale as number,
    maxEpisodeSteps: kwargs.max_episode_steps as number,
    position: (sim) => [sim.xpos[3 * forwardBody(sim)]],
    observe: (sim) => {
      skip ??= excludeRoot ? rootXYCount(sim) : 0;
      const out: number[] = [];
      pushFrom(out, sim.qpos, skip);
      pushFrom(out, sim.qvel);
      return out;
    },
    reward: (sim, step): MujocoReward => {
      if (kwargs.reward === 'zero') return { reward: 0 };
      const [vx] = velocities(step);
      const ctrlCost = ctrlWeight * sumOfSquares(step.action);
      return {
        reward: vx - ctrlCost,
        info: { reward_forward: vx, reward_ctrl: -ctrlCost, x_position: step.positionAfter[0], x_velocity: vx },
      };
    },
  };
}

function resolveBody(sim: MujocoSim, name: string | null): number {
  if (name === null) return Math.min(1, sim.nbody - 1);
  const id = sim.bodyId(name);
  if (id < 0)
    throw new VinegymError('INVALID_KWARGS', `forward_body ${JSON.stringify(name)} is not a body of the model`, {
      key: 'forward_body',
    });
  return id;
}

/** qpos entries that are the root's x/y position: 2 for a free joint, else the leading x or y slide joints. */
function rootXYCount(sim: MujocoSim): number {
  const type = sim.model.jnt_type as Int32Array;
  const axis = sim.model.jnt_axis as Float64Array;
  const bodyOf = sim.model.jnt_bodyid as Int32Array;
  if (type.length === 0) return 0;
  if (type[0] === JOINT_FREE) return 2;
  let count = 0;
  while (
    count < type.length &&
    type[count] === JOINT_SLIDE &&
    bodyOf[count] === bodyOf[0] &&
    axis[3 * count + 2] === 0 &&
    (axis[3 * count] === 0 || axis[3 * count + 1] === 0)
  ) {
    count++;
  }
  return count;
}
