/**
 * `defineMujocoEnv`: turns a MujocoTask (or a factory of tasks from kwargs) into an EnvDefinition, for the
 * built-in envs and for plug-in authors. See MUJOCO.md.
 */
import type { KwargSpec } from '@vinegym/protocol';
import type { EnvDefinition, EnvKwargs } from '../../env.js';
import { MujocoEnv } from './mujoco-env.js';
import { mujocoRuntime, mujocoRuntimeLoading } from './runtime.js';
import type { MujocoTask } from './task.js';

interface MujocoEnvBasics {
  /** Gymnasium-style id, e.g. `myorg/Reacher3-v0`. */
  id: string;
  description?: string;
  /** Accepted kwargs (validated by the registry before `task` sees them). Default none. */
  kwargs?: Record<string, KwargSpec>;
  /** Session time limit. Default 1000, as for Gymnasium's MuJoCo envs. */
  maxEpisodeSteps?: number | null;
}

/** Either the task itself (`{ id, xml, frameSkip, observe, reward, ... }`) or `{ id, task: (kwargs) => task }`. */
export type MujocoEnvSpec = MujocoEnvBasics & (MujocoTask | { task: (kwargs: EnvKwargs) => MujocoTask });

export function defineMujocoEnv(spec: MujocoEnvSpec): EnvDefinition {
  const makeTask = 'task' in spec ? spec.task : () => spec;
  return {
    id: spec.id,
    description: spec.description ?? `MuJoCo env ${spec.id}`,
    kwargs: spec.kwargs ?? {},
    maxEpisodeSteps: spec.maxEpisodeSteps === undefined ? 1000 : spec.maxEpisodeSteps,
    create: (kwargs) => new MujocoEnv(makeTask(kwargs)),
    load: mujocoRuntimeLoading,
    parallel: true,
    prepare: (kwargs) => ({ kwargs, bytesPerEnv: mujocoRuntime().envBytes(makeTask(kwargs).xml), wasmHeap: true }),
  };
}
