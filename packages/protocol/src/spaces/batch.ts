/**
 * Batches: a vector env's values with a leading num_envs axis on every leaf (Gymnasium's batch_space,
 * create_empty_array, and per-env copies in and out). These run per env per step, so leaves copy with
 * TypedArray.set/slice and never loop over elements.
 */
import { isBigIntDType, ndarray, shapeSize, typedArrayFor } from '../ndarray.js';
import type { DType, NDArray, Space, SpaceValue, TypedArray } from '../types.js';

/** The space of a batch of `n` values of `space`: Discrete becomes MultiDiscrete, other leaves gain an axis. */
export function batchSpace(space: Space, n: number): Space {
  switch (space.type) {
    case 'box':
      return {
        type: 'box',
        dtype: space.dtype,
        shape: [n, ...space.shape],
        low: tile(space.low, n),
        high: tile(space.high, n),
      };
    case 'discrete':
      return {
        type: 'multi_discrete',
        nvec: ndarray('int64', [n], new BigInt64Array(n).fill(BigInt(space.n))),
        start: ndarray('int64', [n], new BigInt64Array(n).fill(BigInt(space.start))),
      };
    case 'multi_discrete':
      return { type: 'multi_discrete', nvec: tile(space.nvec, n), start: tile(space.start, n) };
    case 'multi_binary':
      return { type: 'multi_binary', shape: [n, ...space.shape] };
    case 'dict':
      return { type: 'dict', spaces: mapValues(space.spaces, (sub) => batchSpace(sub, n)) };
    case 'tuple':
      return { type: 'tuple', spaces: space.spaces.map((sub) => batchSpace(sub, n)) };
  }
}

/** A zero-filled batch of `n` values (Discrete leaves: int64 [n]). */
export function createBatch(space: Space, n: number): SpaceValue {
  switch (space.type) {
    case 'dict':
      return mapValues(space.spaces, (sub) => createBatch(sub, n));
    case 'tuple':
      return space.spaces.map((sub) => createBatch(sub, n));
    default: {
      const { dtype, shape } = leafLayout(space);
      return ndarray(dtype, [n, ...shape]);
    }
  }
}

/** Copies one env's value (already known to be in `space`) into slot `i` of `batch`. */
export function writeToBatch(space: Space, batch: SpaceValue, i: number, value: SpaceValue): void {
  switch (space.type) {
    case 'dict': {
      const values = value as Record<string, SpaceValue>;
      const batches = batch as Record<string, SpaceValue>;
      for (const key in space.spaces) writeToBatch(space.spaces[key], batches[key], i, values[key]);
      return;
    }
    case 'tuple':
      for (let k = 0; k < space.spaces.length; k++) {
        writeToBatch(space.spaces[k], (batch as SpaceValue[])[k], i, (value as SpaceValue[])[k]);
      }
      return;
    case 'discrete': {
      const target = batch as NDArray;
      (target.data as unknown as (number | bigint)[])[i] = isBigIntDType(target.dtype)
        ? BigInt(value as number)
        : (value as number);
      return;
    }
    default: {
      const target = (batch as NDArray).data as Float64Array;
      const source = (value as NDArray).data as Float64Array;
      target.set(source, i * source.length);
    }
  }
}

/** A copy of env `i`'s value out of `batch` (Discrete: a number). */
export function readFromBatch(space: Space, batch: SpaceValue, i: number): SpaceValue {
  switch (space.type) {
    case 'dict': {
      const batches = batch as Record<string, SpaceValue>;
      return mapValues(space.spaces, (sub, key) => readFromBatch(sub, batches[key], i));
    }
    case 'tuple':
      return space.spaces.map((sub, k) => readFromBatch(sub, (batch as SpaceValue[])[k], i));
    case 'discrete':
      return Number((batch as NDArray).data[i]);
    default: {
      const { data, dtype } = batch as NDArray;
      const { shape } = leafLayout(space);
      const size = shapeSize(shape);
      return ndarray(dtype, shape, (data as TypedArray).slice(i * size, (i + 1) * size) as NDArray['data']);
    }
  }
}

/** dtype and shape of one value of an array-valued space. */
function leafLayout(space: Exclude<Space, { type: 'dict' | 'tuple' }>): { dtype: DType; shape: number[] } {
  switch (space.type) {
    case 'box':
      return { dtype: space.dtype, shape: space.shape };
    case 'discrete':
      return { dtype: 'int64', shape: [] };
    case 'multi_discrete':
      return { dtype: 'int64', shape: space.nvec.shape };
    case 'multi_binary':
      return { dtype: 'int8', shape: space.shape };
  }
}

/** `array` repeated n times along a new leading axis. */
function tile<D extends DType>(array: NDArray<D>, n: number): NDArray<D> {
  const size = array.data.length;
  const data = typedArrayFor(array.dtype, n * size) as unknown as Float64Array;
  for (let k = 0; k < n; k++) data.set(array.data as unknown as Float64Array, k * size);
  return ndarray(array.dtype, [n, ...array.shape], data as unknown as NDArray<D>['data']);
}

function mapValues<T, U>(record: Record<string, T>, f: (value: T, key: string) => U): Record<string, U> {
  const out: Record<string, U> = {};
  for (const key of Object.keys(record)) out[key] = f(record[key], key);
  return out;
}
