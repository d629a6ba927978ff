/**
 * Cutting a batch (a SpaceValue with a leading num_envs axis on every leaf, see createBatch) into the row
 * ranges of a session's worker slices, and joining the slices' batches back into one. Leaves are NDArrays, so
 * both are TypedArray slice/set per leaf.
 */
import { isNDArray, ndarray, shapeSize } from '@vinegym/protocol';
import type { NDArray, SpaceValue, TypedArray } from '@vinegym/protocol';

/** Rows [start, start + count) of `batch`, as a new batch with its own buffers (so they can be transferred). */
export function sliceBatch(batch: SpaceValue, start: number, count: number): SpaceValue {
  if (isNDArray(batch)) {
    const rowSize = shapeSize(batch.shape.slice(1));
    const data = (batch.data as TypedArray).slice(start * rowSize, (start + count) * rowSize);
    return ndarray(batch.dtype, [count, ...batch.shape.slice(1)], data as NDArray['data']);
  }
  if (Array.isArray(batch)) return batch.map((part) => sliceBatch(part, start, count));
  return mapValues(batch as Record<string, SpaceValue>, (part) => sliceBatch(part, start, count));
}

/** The batches of `parts` stacked along their leading axis, in order. All parts have the same structure. */
export function concatBatches(parts: readonly SpaceValue[]): SpaceValue {
  const first = parts[0];
  if (isNDArray(first)) {
    const arrays = parts as readonly NDArray[];
    const rows = arrays.reduce((total, part) => total + part.shape[0], 0);
    const rowSize = shapeSize(first.shape.slice(1));
    const data = new (first.data.constructor as new (length: number) => TypedArray)(rows * rowSize);
    let offset = 0;
    for (const part of arrays) {
      (data as Float64Array).set(part.data as Float64Array, offset);
      offset += part.data.length;
    }
    return ndarray(first.dtype, [rows, ...first.shape.slice(1)], data as NDArray['data']);
  }
  if (Array.isArray(first)) return first.map((_, k) => concatBatches(parts.map((part) => (part as SpaceValue[])[k])));
  return mapValues(first as Record<string, SpaceValue>, (_, key) =>
    concatBatches(parts.map((part) => (part as Record<string, SpaceValue>)[key])),
  );
}

/** The ArrayBuffers under every leaf of `value`, to transfer instead of copy when posting it to a thread. */
export function batchBuffers(value: SpaceValue, into: ArrayBuffer[] = []): ArrayBuffer[] {
  if (isNDArray(value)) {
    const buffer = (value.data as TypedArray).buffer;
    if (buffer instanceof ArrayBuffer && !into.includes(buffer)) into.push(buffer);
  } else if (Array.isArray(value)) {
    for (const part of value) batchBuffers(part, into);
  } else if (typeof value === 'object' && value !== null) {
    for (const part of Object.values(value)) batchBuffers(part as SpaceValue, into);
  }
  return into;
}

function mapValues<T, U>(object: Record<string, T>, f: (value: T, key: string) => U): Record<string, U> {
  const out: Record<string, U> = {};
  for (const key of Object.keys(object)) out[key] = f(object[key], key);
  return out;
}
