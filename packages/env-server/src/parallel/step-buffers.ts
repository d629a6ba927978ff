/**
 * The shared memory through which a slice worker takes its actions and returns its step results, so that a batch
 * step copies typed arrays instead of cloning messages. One SharedArrayBuffer per slice holds, sized from the
 * spaces: the actions batch in; the observations batch, rewards, the three flag arrays, the final observations
 * (same_step) and the infos' layout ids out. The infos' values have a buffer of their own, which can grow (see
 * info-columns.ts).
 *
 * The worker allocates the memory after building its envs and sends it to the main thread, which attaches the
 * same views. The handoff (handoff.ts) orders the two sides' accesses: only one side touches the memory at a time.
 */
import {
  createBatch,
  dtypeByteSize,
  ndarray,
  readFromBatch,
  typedArrayFor,
  typedArrayView,
  writeToBatch,
} from '@vinegym/protocol';
import type { DType, Info, Space, SpaceValue, StepResult, TypedArray } from '@vinegym/protocol';
import { copyRows, withLeafData } from './batch-slices.js';
import { type InfoColumnExtras, InfoColumnReader, InfoColumnWriter } from './info-columns.js';

/** What the memory is sized from. */
export interface StepBufferShape {
  observationSpace: Space;
  actionSpace: Space;
  /** Envs in the slice. */
  count: number;
  /** same_step autoreset: final observations and final infos are carried too. */
  sameStep: boolean;
}

/** The memory itself, as sent between the threads. */
export interface SharedStepMemory {
  step: SharedArrayBuffer;
  infoValues: SharedArrayBuffer;
}

/** Float64 slots per info slot in a new info values buffer (it grows when a step needs more). */
const INITIAL_INFO_VALUES_PER_SLOT = 16;

/** Views on one slice's SharedStepMemory. */
export class StepBuffers {
  readonly actions: SpaceValue;
  readonly observations: SpaceValue;
  readonly rewards: Float64Array;
  readonly terminated: Uint8Array;
  readonly truncated: Uint8Array;
  readonly autoreset: Uint8Array;
  /** same_step only: env k's final observation is row k when hasFinal[k] is 1. */
  readonly finalObservations: SpaceValue | null;
  readonly hasFinal: Uint8Array;
  /** Info layout ids: infos of envs [0, count), then (same_step) their final infos. */
  readonly infoIds: Int32Array;
  /** Info slots: count, or 2 × count with final infos. */
  readonly infoSlots: number;

  private constructor(
    readonly memory: SharedStepMemory,
    readonly shape: StepBufferShape,
    carve: (dtype: DType, length: number) => TypedArray,
  ) {
    const { observationSpace, actionSpace, count, sameStep } = shape;
    const batchOf = (space: Space, rows: number) =>
      withLeafData(createBatch(space, rows), (leaf) => carve(leaf.dtype, leaf.data.length));
    this.infoSlots = sameStep ? 2 * count : count;
    this.rewards = carve('float64', count) as Float64Array;
    this.actions = batchOf(actionSpace, count);
    this.observations = batchOf(observationSpace, count);
    this.finalObservations = sameStep ? batchOf(observationSpace, count) : null;
    this.infoIds = carve('int32', this.infoSlots) as Int32Array;
    this.terminated = carve('uint8', count) as Uint8Array;
    this.truncated = carve('uint8', count) as Uint8Array;
    this.autoreset = carve('uint8', count) as Uint8Array;
    this.hasFinal = carve('uint8', sameStep ? count : 0) as Uint8Array;
  }

  /** New memory for `shape` (on the worker). */
  static allocate(shape: StepBufferShape): StepBuffers {
    // Laid out once without memory to learn its size; attach lays out the views with the same constructor, so
    // the two sides cannot disagree.
    const measure = carver(null);
    new StepBuffers({ step: new SharedArrayBuffer(0), infoValues: new SharedArrayBuffer(0) }, shape, measure.carve);
    const slots = shape.sameStep ? 2 * shape.count : shape.count;
    const infoValues = new SharedArrayBuffer(Float64Array.BYTES_PER_ELEMENT * INITIAL_INFO_VALUES_PER_SLOT * slots);
    return StepBuffers.attach({ step: new SharedArrayBuffer(measure.bytes()), infoValues }, shape);
  }

  /** Views on memory the worker allocated for the same `shape` (on the main thread). */
  static attach(memory: SharedStepMemory, shape: StepBufferShape): StepBuffers {
    return new StepBuffers(memory, shape, carver(memory.step).carve);
  }

  /** Worker side: a step's results into the memory; returns the side message the main thread needs, if any. */
  store(result: StepResult, infos: InfoColumnWriter): InfoColumnExtras | null {
    const { count } = this.shape;
    if (result.observations !== this.observations) copyRows(result.observations, 0, this.observations, 0, count);
    this.rewards.set(result.rewards.data);
    this.terminated.set(result.terminated.data);
    this.truncated.set(result.truncated.data);
    this.autoreset.set(result.autoreset.data);
    let slotInfos: (Info | null)[] = result.infos;
    if (this.finalObservations !== null) {
      const finals = result.final_observations!;
      for (let k = 0; k < count; k++) {
        this.hasFinal[k] = finals[k] === null ? 0 : 1;
        if (finals[k] !== null) writeToBatch(this.shape.observationSpace, this.finalObservations, k, finals[k]!);
      }
      slotInfos = [...result.infos, ...result.final_infos!];
    }
    const extras = infos.write(slotInfos);
    return extras.newLayouts === null && extras.wholeInfos === null && extras.grownValues === null ? null : extras;
  }

  /** Main-thread side: the slice's results into rows [start, start + count) of `into`. */
  load(into: StepResult, start: number, infos: InfoColumnReader, extras: InfoColumnExtras | null): void {
    const { count } = this.shape;
    copyRows(this.observations, 0, into.observations, start, count);
    into.rewards.data.set(this.rewards, start);
    into.terminated.data.set(this.terminated, start);
    into.truncated.data.set(this.truncated, start);
    into.autoreset.data.set(this.autoreset, start);
    if (extras !== null) infos.learn(extras);
    const slotInfos = infos.read(this.infoSlots, extras?.wholeInfos ?? null);
    for (let k = 0; k < count; k++) into.infos[start + k] = slotInfos[k]!;
    if (this.finalObservations !== null) {
      for (let k = 0; k < count; k++) {
        into.final_observations![start + k] =
          this.hasFinal[k] === 1 ? readFromBatch(this.shape.observationSpace, this.finalObservations, k) : null;
        into.final_infos![start + k] = slotInfos[count + k];
      }
    }
  }
}

/** An empty step result for `numEnvs` envs, for the slices to load into; `observations`: a batch to reuse. */
export function createStepResult(
  observationSpace: Space,
  numEnvs: number,
  sameStep: boolean,
  observations: SpaceValue = createBatch(observationSpace, numEnvs),
): StepResult {
  const result: StepResult = {
    observations,
    rewards: ndarray('float64', [numEnvs]),
    terminated: ndarray('bool', [numEnvs]),
    truncated: ndarray('bool', [numEnvs]),
    autoreset: ndarray('bool', [numEnvs]),
    infos: new Array<Info>(numEnvs),
  };
  if (sameStep) {
    result.final_observations = new Array<SpaceValue | null>(numEnvs).fill(null);
    result.final_infos = new Array<Info | null>(numEnvs).fill(null);
  }
  return result;
}

/**
 * Consecutive views on `buffer`, each aligned for any element type; with a null buffer it only measures (and
 * hands out private arrays of the right length).
 */
function carver(buffer: SharedArrayBuffer | null): {
  carve: (dtype: DType, length: number) => TypedArray;
  bytes: () => number;
} {
  let offset = 0;
  return {
    carve: (dtype, length) => {
      const start = Math.ceil(offset / 8) * 8;
      offset = start + length * dtypeByteSize(dtype);
      return buffer === null ? typedArrayFor(dtype, length) : typedArrayView(dtype, buffer, start, length);
    },
    bytes: () => offset,
  };
}
