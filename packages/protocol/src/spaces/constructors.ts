/** Builders for each space, normalising their arguments the way Gymnasium's constructors do. */
import { isBigIntDType, isDType, isShape, ndarray, shapeEquals, shapeSize, typedArrayFor } from '../ndarray.js';
import type {
  BoxSpace,
  DType,
  DictSpace,
  DiscreteSpace,
  MultiBinarySpace,
  MultiDiscreteSpace,
  NDArray,
  Space,
  TupleSpace,
} from '../types.js';

/** Smallest and largest value of each integer dtype: Gymnasium clips infinite integer bounds to these. */
const INTEGER_LIMITS: Partial<Record<DType, [bigint, bigint]>> = {
  bool: [0n, 1n],
  int8: [-(2n ** 7n), 2n ** 7n - 1n],
  uint8: [0n, 2n ** 8n - 1n],
  int16: [-(2n ** 15n), 2n ** 15n - 1n],
  uint16: [0n, 2n ** 16n - 1n],
  int32: [-(2n ** 31n), 2n ** 31n - 1n],
  uint32: [0n, 2n ** 32n - 1n],
  int64: [-(2n ** 63n), 2n ** 63n - 1n],
  uint64: [0n, 2n ** 64n - 1n],
};

/**
 * A Box. `low` and `high` are scalars (broadcast) or flat row-major arrays of the full shape; `shape` defaults to
 * the length of an array bound. ±Infinity means unbounded (clipped to the dtype's range for integer dtypes).
 */
export function box(
  low: number | readonly number[],
  high: number | readonly number[],
  shape?: readonly number[],
  dtype: DType = 'float32',
): BoxSpace {
  if (!isDType(dtype)) throw new TypeError(`unknown dtype ${String(dtype)}`);
  const fullShape =
    shape ?? (typeof low !== 'number' ? [low.length] : typeof high !== 'number' ? [high.length] : undefined);
  if (fullShape === undefined) throw new TypeError('box: shape is required when low and high are both scalars');
  if (!isShape(fullShape)) throw new TypeError(`box: invalid shape ${JSON.stringify(fullShape)}`);
  const lowArray = boundArray(low, fullShape, dtype, 'low');
  const highArray = boundArray(high, fullShape, dtype, 'high');
  for (let i = 0; i < lowArray.data.length; i++) {
    if (!(lowArray.data[i] <= highArray.data[i])) throw new RangeError(`box: low[${i}] > high[${i}]`);
  }
  return { type: 'box', dtype, shape: [...fullShape], low: lowArray, high: highArray };
}

function boundArray(bound: number | readonly number[], shape: readonly number[], dtype: DType, name: string): NDArray {
  const size = shapeSize(shape);
  if (typeof bound !== 'number' && bound.length !== size) {
    throw new RangeError(`box: ${name} has ${bound.length} elements, shape ${JSON.stringify(shape)} needs ${size}`);
  }
  const data = typedArrayFor(dtype, size);
  const limits = INTEGER_LIMITS[dtype];
  for (let i = 0; i < size; i++) {
    const v = typeof bound === 'number' ? bound : bound[i];
    if (Number.isNaN(v)) throw new RangeError(`box: ${name} contains NaN`);
    if (limits === undefined) {
      (data as Float64Array)[i] = v;
      continue;
    }
    if (Number.isFinite(v) && !Number.isInteger(v)) throw new RangeError(`box: ${name}[${i}] = ${v} is not an integer`);
    const clipped = v === -Infinity ? limits[0] : v === Infinity ? limits[1] : BigInt(v);
    if (clipped < limits[0] || clipped > limits[1])
      throw new RangeError(`box: ${name}[${i}] = ${v} does not fit ${dtype}`);
    (data as unknown as (number | bigint)[])[i] = isBigIntDType(dtype) ? clipped : Number(clipped);
  }
  return ndarray(dtype, shape, data);
}

export function discrete(n: number, start = 0): DiscreteSpace {
  if (!Number.isSafeInteger(n) || n <= 0) throw new RangeError(`discrete: n must be a positive integer, got ${n}`);
  if (!Number.isSafeInteger(start)) throw new RangeError(`discrete: start must be an integer, got ${start}`);
  return { type: 'discrete', n, start };
}

/** `nvec` (and `start`, default zeros) as a flat list or an NDArray of any shape. */
export function multiDiscrete(
  nvec: readonly number[] | NDArray,
  start?: readonly number[] | NDArray,
): MultiDiscreteSpace {
  const counts = asInt64(nvec, 'nvec');
  const starts = start === undefined ? ndarray('int64', counts.shape) : asInt64(start, 'start');
  if (!shapeEquals(starts.shape, counts.shape)) throw new RangeError('multiDiscrete: start and nvec shapes differ');
  if (counts.data.some((c) => c <= 0n)) throw new RangeError('multiDiscrete: every nvec element must be positive');
  return { type: 'multi_discrete', nvec: counts, start: starts };
}

function asInt64(values: readonly number[] | NDArray, name: string): NDArray<'int64'> {
  const shape = 'shape' in values ? values.shape : [values.length];
  const flat = 'shape' in values ? Array.from(values.data as ArrayLike<number | bigint>) : values;
  if (!flat.every((v) => Number.isSafeInteger(Number(v))))
    throw new RangeError(`multiDiscrete: ${name} must be integers`);
  return ndarray('int64', shape, flat);
}

export function multiBinary(shape: number | readonly number[]): MultiBinarySpace {
  const full = typeof shape === 'number' ? [shape] : [...shape];
  if (!isShape(full)) throw new TypeError(`multiBinary: invalid shape ${JSON.stringify(shape)}`);
  return { type: 'multi_binary', shape: full };
}

/** Keys keep their insertion order, which is part of the space. */
export function dictSpace(spaces: Record<string, Space>): DictSpace {
  for (const key of Object.keys(spaces)) {
    if (isIndexLikeKey(key)) throw new RangeError(`dictSpace: key ${JSON.stringify(key)} is a decimal integer`);
  }
  return { type: 'dict', spaces: { ...spaces } };
}

export function tupleSpace(spaces: readonly Space[]): TupleSpace {
  return { type: 'tuple', spaces: [...spaces] };
}

/** JS objects list decimal-integer keys first whatever their insertion order, so such keys cannot keep an order. */
export function isIndexLikeKey(key: string): boolean {
  return /^(0|[1-9][0-9]*)$/.test(key);
}
