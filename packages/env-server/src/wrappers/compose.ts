/**
 * The wrappers a session puts around each env, chosen by make's kwargs and autoreset_mode, in a fixed order
 * from the inside out:
 *
 *   env → the definition's own wrappers (ALE: AtariPreprocessing) → TimeLimit → FrameStackObservation
 *       → RescaleAction → ClipAction → RecordEpisodeStatistics → Autoreset
 *
 * The common wrapper kwargs below are accepted by every env (and by the Python bridge, which applies Gymnasium's
 * own wrappers for them); an env's own kwarg of the same name takes its place (mujoco/custom-v0 has its own
 * max_episode_steps). Kwargs left at their defaults add no wrapper, so envs behave as they did without them.
 */
import type { AutoresetMode, KwargSpec } from '@vinegym/protocol';
import { VinegymError } from '@vinegym/protocol';
import type { Env, EnvDefinition, EnvKwargs } from '../env.js';
import { ClipAction, RescaleAction } from './action-wrappers.js';
import { Autoreset } from './autoreset.js';
import { FrameStackObservation } from './frame-stack.js';
import { RecordEpisodeStatistics } from './record-episode-statistics.js';
import { TimeLimit } from './time-limit.js';

export const WRAPPER_KWARGS: Readonly<Record<string, KwargSpec>> = {
  max_episode_steps: {
    type: 'integer',
    default: null,
    minimum: 1,
    maximum: 1e9,
    description:
      "TimeLimit: truncate episodes after this many steps (null: the env's own limit, max_episode_steps in list)",
  },
  frame_stack: {
    type: 'integer',
    default: 1,
    minimum: 1,
    maximum: 16,
    description:
      'FrameStackObservation: the last k observations, oldest first, as [k, ...shape] (ALE images: [h, w, k·c])',
  },
  rescale_action_min: {
    type: 'number',
    default: null,
    minimum: -1e9,
    maximum: 1e9,
    description:
      'RescaleAction: the action space becomes Box(rescale_action_min, rescale_action_max), mapped linearly to the env bounds',
  },
  rescale_action_max: {
    type: 'number',
    default: null,
    minimum: -1e9,
    maximum: 1e9,
    description: 'RescaleAction: upper bound (with rescale_action_min)',
  },
  clip_action: {
    type: 'boolean',
    default: false,
    description: 'ClipAction: accept any Box action (the space becomes unbounded) and clip it to the bounds',
  },
  record_episode_statistics: {
    type: 'boolean',
    default: false,
    description:
      'RecordEpisodeStatistics: info.episode = {r: return, l: length, t: seconds} at the step that ends an episode',
  },
};

/** Every kwarg a make of `definition` accepts: its own, then the common wrapper kwargs it does not define itself. */
export function acceptedKwargs(definition: EnvDefinition): Record<string, KwargSpec> {
  const own = definition.kwargs ?? {};
  const common = Object.entries(WRAPPER_KWARGS).filter(([key]) => !Object.hasOwn(own, key));
  return { ...own, ...Object.fromEntries(common) };
}

/** Whether `key` is a common wrapper kwarg for `definition` (not one of its own). */
export function isWrapperKwarg(definition: EnvDefinition, key: string): boolean {
  return Object.hasOwn(WRAPPER_KWARGS, key) && !Object.hasOwn(definition.kwargs ?? {}, key);
}

/** One session env with the wrappers the session talks to directly. */
export interface WrappedEnv {
  /** The outermost wrapper. */
  env: Autoreset;
  /** Null when the env has no time limit. */
  timeLimit: TimeLimit | null;
}

/** The time limit a make with `kwargs` gets: the max_episode_steps kwarg, else the definition's. */
export function episodeLimit(definition: EnvDefinition, kwargs: EnvKwargs): number | null {
  const asked = isWrapperKwarg(definition, 'max_episode_steps') ? kwargs.max_episode_steps : undefined;
  return typeof asked === 'number' ? asked : definition.maxEpisodeSteps;
}

/**
 * Creates one env of `definition` and wraps it as `kwargs` (validated, see validateKwargs) and `autoresetMode` ask.
 * Throws INVALID_KWARGS when a wrapper does not fit the env (e.g. clip_action on a Discrete action space).
 */
export function makeWrappedEnv(definition: EnvDefinition, kwargs: EnvKwargs, autoresetMode: AutoresetMode): WrappedEnv {
  const own: EnvKwargs = {};
  for (const [key, value] of Object.entries(kwargs)) if (!isWrapperKwarg(definition, key)) own[key] = value;
  const base = definition.create(own);
  let env: Env = base;
  try {
    if (definition.wrap) env = definition.wrap(env, kwargs);
    const limit = episodeLimit(definition, kwargs);
    const timeLimit = limit === null ? null : new TimeLimit(env, limit);
    if (timeLimit) env = timeLimit;
    const common = (key: string) =>
      isWrapperKwarg(definition, key) ? (kwargs[key] ?? WRAPPER_KWARGS[key].default) : WRAPPER_KWARGS[key].default;
    const stack = common('frame_stack') as number;
    if (stack !== 1) env = new FrameStackObservation(env, stack, definition.frameStackAxis ?? 'first');
    const [low, high] = [common('rescale_action_min'), common('rescale_action_max')];
    if ((low === null) !== (high === null)) {
      throw new VinegymError('INVALID_KWARGS', 'rescale_action_min and rescale_action_max go together', {
        key: low === null ? 'rescale_action_min' : 'rescale_action_max',
      });
    }
    if (low !== null) env = new RescaleAction(env, low as number, high as number);
    if (common('clip_action') === true) env = new ClipAction(env);
    if (common('record_episode_statistics') === true) env = new RecordEpisodeStatistics(env);
    return { env: new Autoreset(env, autoresetMode), timeLimit };
  } catch (error) {
    base.close?.();
    throw error;
  }
}
