/**
 * Membership tests: is a value (or a batch of values) in a space? They return a human-readable reason instead of
 * throwing, so callers pick the error code (INVALID_ACTION for actions, ENV_ERROR for bad observations, ...).
 */
import { describeReceived, isPlainMap, quote, truncateText } from '../checks.js';
import { isIntegerDType, isNDArray, shapeEquals, shapeSize } from '../ndarray.js';
import type { NDArray, Space } from '../types.js';
import { describeSpace, formatElement, formatIndex } from './describe.js';

type Elements = ArrayLike<number | bigint>;

/** Why a value is not in a space; `envIndex` when it is a batch of the right structure with one env's value out of the space. */
export interface BatchProblem {
  reason: string;
  envIndex?: number;
}

/** null when `value` is in `space`, else why not (e.g. "action[1] = 3 is outside Discrete(2)"). NaN is never in a Box. */
export function checkValue(space: Space, value: unknown, name = 'value'): string | null {
  return valueProblem(space, value, name)?.reason ?? null;
}

function valueProblem(space: Space, value: unknown, name: string): BatchProblem | null {
  switch (space.type) {
    case 'discrete':
      if (typeof value !== 'number' || !Number.isInteger(value)) {
        return { reason: `${name} must be an integer for ${describeSpace(space)}, got ${describeReceived(value)}` };
      }
      return value >= space.start && value < space.start + space.n
        ? null
        : { reason: `${name} = ${value} is outside ${describeSpace(space)}` };
    case 'dict':
    case 'tuple':
      return checkComposite(space, value, name, (sub, v, subName) => valueProblem(sub, v, subName));
    default:
      return checkLeafArray(space, value, [], name);
  }
}

/**
 * Like checkValue for a batch of `n` values: every leaf has a leading axis of n (Discrete: integer NDArray [n]).
 * With `boxBounds: false`, Box leaves need the right dtype and shape and finite elements but may lie outside
 * [low, high] (Gymnasium's envs take such actions: MuJoCo clamps its controls itself). Other spaces stay exact.
 */
export function checkBatch(
  space: Space,
  batch: unknown,
  n: number,
  name = 'value',
  options: BatchCheckOptions = {},
): string | null {
  return checkBatchProblem(space, batch, n, name, options)?.reason ?? null;
}

export interface BatchCheckOptions {
  /** Whether Box elements must lie in [low, high]. Default true. */
  boxBounds?: boolean;
}

/**
 * Like checkBatch, with the index of the env whose value is out of the space when the batch has the right
 * structure, dtypes and shapes (PROTOCOL.md 7.5: INVALID_ACTION's `details.env_index`): the lowest such env of the
 * first leaf, in space order, that has one.
 */
export function checkBatchProblem(
  space: Space,
  batch: unknown,
  n: number,
  name = 'value',
  options: BatchCheckOptions = {},
): BatchProblem | null {
  switch (space.type) {
    case 'dict':
    case 'tuple':
      return checkComposite(space, batch, name, (sub, v, subName) => checkBatchProblem(sub, v, n, subName, options));
    default:
      return checkLeafArray(space, batch, [n], name, options.boxBounds ?? true);
  }
}

type SubCheck = (space: Space, value: unknown, name: string) => BatchProblem | null;

function checkComposite(
  space: Space & { type: 'dict' | 'tuple' },
  value: unknown,
  name: string,
  check: SubCheck,
): BatchProblem | null {
  if (space.type === 'tuple') {
    if (!Array.isArray(value) || value.length !== space.spaces.length) {
      return {
        reason: `${name} must be an array of ${space.spaces.length} values for ${describeSpace(space)}, got ${describeReceived(value)}`,
      };
    }
    for (let i = 0; i < value.length; i++) {
      const reason = check(space.spaces[i], value[i], `${name}[${i}]`);
      if (reason !== null) return reason;
    }
    return null;
  }
  if (!isPlainMap(value) || isNDArray(value))
    return { reason: `${name} must be a map for ${describeSpace(space)}, got ${describeReceived(value)}` };
  for (const key of Object.keys(value)) {
    if (!Object.hasOwn(space.spaces, key))
      return { reason: `${name} has key ${quote(key)} that ${describeSpace(space)} does not have` };
  }
  for (const [key, sub] of Object.entries(space.spaces)) {
    if (!Object.hasOwn(value, key)) return { reason: `${name}.${key} is missing` };
    const reason = check(sub, value[key], `${name}.${key}`);
    if (reason !== null) return reason;
  }
  return null;
}

/** An NDArray leaf: `lead` is [] for one value or [n] for a batch; bounds repeat along the leading axis. */
function checkLeafArray(
  space: Exclude<Space, { type: 'dict' | 'tuple' }>,
  value: unknown,
  lead: number[],
  name: string,
  boxBounds = true,
): BatchProblem | null {
  const spec = leafSpec(space);
  const shape = [...lead, ...spec.shape];
  if (!isNDArray(value))
    return { reason: `${name} must be an NDArray for ${describeSpace(space)}, got ${describeReceived(value)}` };
  const dtypeOk = spec.dtype === undefined ? isIntegerDType(value.dtype) : value.dtype === spec.dtype;
  if (!dtypeOk)
    return {
      reason: `${name} has dtype ${value.dtype}, ${describeSpace(space)} needs ${spec.dtype ?? 'an integer dtype'}`,
    };
  if (!shapeEquals(value.shape, shape)) {
    return {
      reason: `${name} has shape ${truncateText(JSON.stringify(value.shape))}, ${describeSpace(space)} needs ${JSON.stringify(shape)}`,
    };
  }
  const lenient = space.type === 'box' && !boxBounds;
  const bad = lenient ? firstNonFinite(value.data) : firstOutOfRange(value.data, spec.low, spec.high);
  if (bad < 0) return null;
  const period = spec.low.length;
  const range =
    space.type === 'box'
      ? ` [${formatElement(spec.low[bad % period])}, ${formatElement(spec.high[bad % period])}] of`
      : '';
  const problem = lenient ? 'is not finite' : `is outside${range} ${describeSpace(space)}`;
  const reason = `${name}${formatIndex(bad, shape)} = ${formatElement(value.data[bad])} ${problem}`;
  // Elements are row-major, so in a batch the env of element `bad` is its index along the leading axis.
  return lead.length === 1 ? { reason, envIndex: Math.floor(bad / Math.max(1, shapeSize(spec.shape))) } : { reason };
}

interface LeafSpec {
  /** undefined: any integer dtype (a batch of Discrete values). */
  dtype?: NDArray['dtype'];
  shape: number[];
  /** Inclusive bounds of one value, repeated over the data (length 1 means one bound for every element). */
  low: Elements;
  high: Elements;
}

function leafSpec(space: Exclude<Space, { type: 'dict' | 'tuple' }>): LeafSpec {
  switch (space.type) {
    case 'box':
      return { dtype: space.dtype, shape: space.shape, low: space.low.data, high: space.high.data };
    case 'discrete':
      return { shape: [], low: [space.start], high: [space.start + space.n - 1] };
    case 'multi_discrete': {
      const high = space.start.data.map((s, i) => s + space.nvec.data[i] - 1n);
      return { dtype: 'int64', shape: space.nvec.shape, low: space.start.data, high };
    }
    case 'multi_binary':
      // Gymnasium's MultiBinary dtype is int8.
      return { dtype: 'int8', shape: space.shape, low: [0], high: [1] };
  }
}

/** Flat index of the first NaN or infinite element (integers always pass), or -1. */
function firstNonFinite(data: Elements): number {
  for (let i = 0; i < data.length; i++) {
    const v = data[i];
    if (typeof v === 'number' && !Number.isFinite(v)) return i;
  }
  return -1;
}

/** Flat index of the first element outside [low, high] (NaN fails every comparison), or -1. No allocation. */
function firstOutOfRange(data: Elements, low: Elements, high: Elements): number {
  const period = low.length;
  if (period === 0) return -1;
  for (let base = 0; base < data.length; base += period) {
    for (let j = 0; j < period; j++) {
      const v = data[base + j];
      if (!(v >= low[j] && v <= high[j])) return base + j;
    }
  }
  return -1;
}
