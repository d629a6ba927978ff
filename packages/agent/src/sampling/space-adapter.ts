/**
 * Converts between the env's spaces and what the policy networks consume and produce: observations become
 * row-major float32 rows, policy actions become a batched action of the env's action space, and a step's wire
 * result (snake_case fields, NDArrays) is decoded once into a StepBatch that samplers read.
 */
import {
  ndarray,
  type BoxSpace,
  type NDArray,
  type ResetResult,
  type Space,
  type SpaceValue,
  type StepResult,
} from '@vinegym/protocol';

/** One step of a vector env as the samplers use it. */
export interface StepBatch {
  /** Observations after the step, as rows (where an episode ended: the next episode's first, same_step autoreset). */
  obs: Float32Array;
  rewards: Float64Array;
  /** Whether each env's step reached a terminal state (nothing to bootstrap beyond it). */
  terminated: boolean[];
  /** Whether each env's episode was cut by its time limit (its value continues: bootstrap from its last observation). */
  truncated: boolean[];
  /** The last observation of env i's episode as a row, when the episode ended in this step; else null. */
  finalObservation(i: number): Float32Array | null;
}

export interface SpaceAdapter {
  /** Shape of one observation as the policy sees it, e.g. [4] or [52, 40, 4]. */
  obsShape: number[];
  obsSize: number;
  /** 'gaussian' for Box actions, 'categorical' for Discrete ones. */
  actionKind: 'gaussian' | 'categorical';
  /** Gaussian: action dimensions; categorical: number of actions. */
  actionSize: number;
  /** Batched observations (leading axis num_envs) to float32 rows. */
  observationRows(batch: SpaceValue): Float32Array;
  /** One env's observation (e.g. a final observation) to a float32 row. */
  observationRow(value: SpaceValue): Float32Array;
  /** Policy actions for `count` envs to the env's batched action (Box actions are clipped to the bounds). */
  envActions(actions: Float32Array | Int32Array, count: number): SpaceValue;
  /** The observations of a reset, as rows. */
  decodeReset(result: ResetResult): Float32Array;
  decodeStep(result: StepResult): StepBatch;
}

export function spaceAdapter(observationSpace: Space, actionSpace: Space): SpaceAdapter {
  if (observationSpace.type !== 'box') {
    throw new Error(`observation space ${observationSpace.type} is not supported by the policies (Box only)`);
  }
  const obsShape = observationSpace.shape.length === 0 ? [1] : observationSpace.shape;
  const obsSize = obsShape.reduce((a, b) => a * b, 1);
  // uint8 observations are images: scaled to [0, 1], as the CNN policy expects (whether or not they are also
  // normalized later, which does not depend on their scale).
  const scale = observationSpace.dtype === 'uint8' ? 1 / 255 : 1;
  const toRows = (array: NDArray): Float32Array => {
    if (scale === 1)
      return array.data instanceof Float32Array ? array.data : Float32Array.from(array.data as ArrayLike<number>);
    // A plain loop: Float32Array.from with a map function calls it per pixel and is ~50x slower.
    const pixels = array.data as Uint8Array;
    const rows = new Float32Array(pixels.length);
    for (let i = 0; i < pixels.length; i++) rows[i] = pixels[i] * scale;
    return rows;
  };
  const common = {
    obsShape,
    obsSize,
    observationRows: (batch: SpaceValue) => toRows(batch as NDArray),
    observationRow: (value: SpaceValue) => toRows(value as NDArray),
    decodeReset: (result: ResetResult) => toRows(result.observations as NDArray),
    decodeStep: (result: StepResult): StepBatch => ({
      obs: toRows(result.observations as NDArray),
      rewards: result.rewards.data as Float64Array,
      terminated: Array.from(result.terminated.data as Uint8Array, (flag) => flag === 1),
      truncated: Array.from(result.truncated.data as Uint8Array, (flag) => flag === 1),
      finalObservation: (i: number) => {
        const final = result.final_observations?.[i];
        return final ? toRows(final as NDArray) : null;
      },
    }),
  };
  if (actionSpace.type === 'discrete') {
    const start = BigInt(actionSpace.start);
    return {
      ...common,
      actionKind: 'categorical',
      actionSize: actionSpace.n,
      envActions: (actions, count) => {
        const data = new BigInt64Array(count);
        for (let i = 0; i < count; i++) data[i] = BigInt(actions[i]) + start;
        return ndarray('int64', [count], data);
      },
    };
  }
  if (actionSpace.type === 'box') {
    return { ...common, actionKind: 'gaussian', actionSize: sizeOf(actionSpace), envActions: boxActions(actionSpace) };
  }
  throw new Error(`action space ${actionSpace.type} is not supported by the policies (Box or Discrete only)`);
}

function sizeOf(space: BoxSpace): number {
  return space.shape.reduce((a, b) => a * b, 1);
}

/** Gaussian samples are unbounded; envs get them clipped to the Box (the batch keeps the sampled values). */
function boxActions(space: BoxSpace): (actions: Float32Array | Int32Array, count: number) => SpaceValue {
  const size = sizeOf(space);
  const low = space.low.data as ArrayLike<number>;
  const high = space.high.data as ArrayLike<number>;
  const dtype = space.dtype === 'float64' ? 'float64' : 'float32';
  return (actions, count) => {
    const data = dtype === 'float64' ? new Float64Array(count * size) : new Float32Array(count * size);
    for (let i = 0; i < count * size; i++) {
      const j = i % size;
      data[i] = Math.min(high[j], Math.max(low[j], actions[i]));
    }
    return ndarray(dtype, [count, ...space.shape], data);
  };
}
