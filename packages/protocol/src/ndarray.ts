/** NDArrays in memory: dtype metadata, allocation, construction, checks and comparison. */
import type { DType, NDArray, TypedArray, TypedArrayOf } from './types.js';

export const DTYPES: readonly DType[] = [
  'bool',
  'int8',
  'uint8',
  'int16',
  'uint16',
  'int32',
  'uint32',
  'int64',
  'uint64',
  'float32',
  'float64',
];

type TypedArrayConstructor = {
  new (length: number): TypedArray;
  new (buffer: ArrayBufferLike, byteOffset: number, length: number): TypedArray;
  readonly BYTES_PER_ELEMENT: number;
};

const CONSTRUCTORS: Record<DType, TypedArrayConstructor> = {
  bool: Uint8Array,
  int8: Int8Array,
  uint8: Uint8Array,
  int16: Int16Array,
  uint16: Uint16Array,
  int32: Int32Array,
  uint32: Uint32Array,
  int64: BigInt64Array,
  uint64: BigUint64Array,
  float32: Float32Array,
  float64: Float64Array,
};

const DTYPE_SET: ReadonlySet<string> = new Set(DTYPES);

export function isDType(x: unknown): x is DType {
  return typeof x === 'string' && DTYPE_SET.has(x);
}

export function dtypeByteSize(dtype: DType): number {
  return CONSTRUCTORS[dtype].BYTES_PER_ELEMENT;
}

export function isIntegerDType(dtype: DType): boolean {
  return dtype !== 'bool' && dtype !== 'float32' && dtype !== 'float64';
}

export function isFloatDType(dtype: DType): boolean {
  return dtype === 'float32' || dtype === 'float64';
}

/** 64-bit dtypes hold bigint elements in JS; all others hold numbers. */
export function isBigIntDType(dtype: DType): dtype is 'int64' | 'uint64' {
  return dtype === 'int64' || dtype === 'uint64';
}

/** A zero-filled typed array of `length` elements of `dtype`. */
export function typedArrayFor<D extends DType>(dtype: D, length: number): TypedArrayOf<D> {
  return new CONSTRUCTORS[dtype](length) as TypedArrayOf<D>;
}

/** A typed array of `dtype` viewing `length` elements of `buffer` from `byteOffset` (which must be aligned). */
export function typedArrayView<D extends DType>(
  dtype: D,
  buffer: ArrayBufferLike,
  byteOffset: number,
  length: number,
): TypedArrayOf<D> {
  return new CONSTRUCTORS[dtype](buffer, byteOffset, length) as TypedArrayOf<D>;
}

/** Number of elements of an array of this shape (1 for a scalar shape []). */
export function shapeSize(shape: readonly number[]): number {
  let size = 1;
  for (const d of shape) size *= d;
  return size;
}

export function isShape(x: unknown): x is number[] {
  return Array.isArray(x) && x.every((d) => Number.isSafeInteger(d) && d >= 0);
}

/**
 * Builds an NDArray. A typed array of the dtype's own class is used as is (no copy); any other array-like is
 * converted element by element (numbers to bigint for 64-bit integer dtypes, booleans to 0/1). Without `data`
 * the array is zero-filled.
 */
export function ndarray<D extends DType>(
  dtype: D,
  shape: readonly number[],
  data?: TypedArrayOf<D> | ArrayLike<number | bigint | boolean>,
): NDArray<D> {
  if (!isDType(dtype)) throw new TypeError(`unknown dtype ${String(dtype)}`);
  if (!isShape(shape)) throw new TypeError(`shape must be non-negative integers, got ${JSON.stringify(shape)}`);
  const size = shapeSize(shape);
  let array: TypedArrayOf<D>;
  if (data === undefined) {
    array = typedArrayFor(dtype, size);
  } else if (data instanceof CONSTRUCTORS[dtype]) {
    array = data as TypedArrayOf<D>;
  } else {
    array = typedArrayFor(dtype, data.length);
    const big = isBigIntDType(dtype);
    for (let i = 0; i < data.length; i++) {
      const v = data[i];
      (array as unknown as (number | bigint)[])[i] = big ? BigInt(v) : Number(v);
    }
  }
  if (array.length !== size) {
    throw new RangeError(`data has ${array.length} elements but shape ${JSON.stringify(shape)} needs ${size}`);
  }
  return { dtype, shape: [...shape], data: array };
}

export function isNDArray(x: unknown): x is NDArray {
  if (typeof x !== 'object' || x === null) return false;
  const { dtype, shape, data } = x as Partial<NDArray>;
  return isDType(dtype) && isShape(shape) && data instanceof CONSTRUCTORS[dtype] && data.length === shapeSize(shape);
}

/** Same dtype, shape and elements. NaN equals NaN here, so that arrays survive a round-trip comparison. */
export function ndarrayEquals(a: NDArray, b: NDArray): boolean {
  if (a.dtype !== b.dtype || !shapeEquals(a.shape, b.shape)) return false;
  const x = a.data;
  const y = b.data;
  if (x.length !== y.length) return false;
  for (let i = 0; i < x.length; i++) {
    const u = x[i];
    const v = y[i];
    if (u !== v && !(u !== u && v !== v)) return false;
  }
  return true;
}

export function shapeEquals(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}
