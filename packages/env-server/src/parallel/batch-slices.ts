/**
 * Moving rows of batches (SpaceValues with a leading num_envs axis on every leaf, see createBatch) between a
 * session's batches and its worker slices' batches. Leaves are NDArrays, so everything is TypedArray set per leaf.
 */
import { isBigIntDType, isNDArray, ndarray, shapeSize } from '@vinegym/protocol';
import type { NDArray, SpaceValue, TypedArray } from '@vinegym/protocol';

/**
 * Copies rows [fromRow, fromRow + count) of every leaf of `from` into rows [toRow, toRow + count) of the same leaf
 * of `to`; both batches have the same structure (their row counts may differ).
 */
export function copyRows(from: SpaceValue, fromRow: number, to: SpaceValue, toRow: number, count: number): void {
  if (isNDArray(from)) {
    const source = from.data as Float64Array;
    const target = (to as NDArray).data as Float64Array;
    const rowSize = source.length / from.shape[0];
    const rows = source.subarray(fromRow * rowSize, (fromRow + count) * rowSize);
    // Clients may send a Discrete batch in any integer dtype; set() cannot mix bigint and number elements.
    if (isBigIntDType(from.dtype) === isBigIntDType((to as NDArray).dtype)) target.set(rows, toRow * rowSize);
    else {
      const convert = isBigIntDType((to as NDArray).dtype) ? BigInt : Number;
      for (let k = 0; k < rows.length; k++) (target as unknown as unknown[])[toRow * rowSize + k] = convert(rows[k]);
    }
  } else if (Array.isArray(from)) {
    from.forEach((part, k) => copyRows(part, fromRow, (to as SpaceValue[])[k], toRow, count));
  } else {
    const parts = to as Record<string, SpaceValue>;
    for (const key of Object.keys(from))
      copyRows((from as Record<string, SpaceValue>)[key], fromRow, parts[key], toRow, count);
  }
}

/** `batch` with each leaf's data replaced by `data(leaf)` (same dtype and length), e.g. a view of shared memory. */
export function withLeafData(batch: SpaceValue, data: (leaf: NDArray) => TypedArray): SpaceValue {
  if (isNDArray(batch)) return ndarray(batch.dtype, batch.shape, data(batch) as NDArray['data']);
  if (Array.isArray(batch)) return batch.map((part) => withLeafData(part, data));
  return mapValues(batch as Record<string, SpaceValue>, (part) => withLeafData(part, data));
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
