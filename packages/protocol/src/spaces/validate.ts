/** Structural validation of spaces received from a peer, and structural equality. */
import { expectMap, fail, isInteger, rejectUnknownFields, type PlainMap } from '../checks.js';
import { badRequest } from '../errors.js';
import { isDType, isNDArray, isShape, ndarrayEquals, shapeEquals } from '../ndarray.js';
import type { NDArray, Space } from '../types.js';
import { isIndexLikeKey } from './constructors.js';

/** Checks that `x` is a well-formed Space; throws VinegymError BAD_REQUEST naming the bad part. */
export function validateSpace(x: unknown, where = 'space'): Space {
  const map = expectMap(x, where);
  switch (map.type) {
    case 'box':
      return validateBox(map, where);
    case 'discrete':
      rejectUnknownFields(map, ['type', 'n', 'start'], where);
      if (!(isInteger(map.n) && map.n > 0)) fail(`${where}.n`, 'a positive integer', map.n);
      if (!isInteger(map.start)) fail(`${where}.start`, 'an integer', map.start);
      return map as unknown as Space;
    case 'multi_discrete': {
      rejectUnknownFields(map, ['type', 'nvec', 'start'], where);
      const nvec = expectInt64(map.nvec, `${where}.nvec`);
      const start = expectInt64(map.start, `${where}.start`);
      if (!shapeEquals(start.shape, nvec.shape)) throw badRequest(`${where}.start and nvec shapes differ`);
      if (nvec.data.some((c) => c <= 0n)) throw badRequest(`${where}.nvec elements must be positive`);
      return map as unknown as Space;
    }
    case 'multi_binary':
      rejectUnknownFields(map, ['type', 'shape'], where);
      if (!isShape(map.shape)) fail(`${where}.shape`, 'an array of non-negative integers', map.shape);
      return map as unknown as Space;
    case 'dict': {
      rejectUnknownFields(map, ['type', 'spaces'], where);
      const spaces = expectMap(map.spaces, `${where}.spaces`);
      for (const [key, sub] of Object.entries(spaces)) {
        if (isIndexLikeKey(key)) throw badRequest(`${where}.spaces key ${JSON.stringify(key)} is a decimal integer`);
        validateSpace(sub, `${where}.spaces.${key}`);
      }
      return map as unknown as Space;
    }
    case 'tuple':
      rejectUnknownFields(map, ['type', 'spaces'], where);
      if (!Array.isArray(map.spaces)) fail(`${where}.spaces`, 'an array of spaces', map.spaces);
      map.spaces.forEach((sub, i) => validateSpace(sub, `${where}.spaces[${i}]`));
      return map as unknown as Space;
    default:
      return fail(`${where}.type`, 'a space type', map.type);
  }
}

function validateBox(map: PlainMap, where: string): Space {
  rejectUnknownFields(map, ['type', 'dtype', 'shape', 'low', 'high'], where);
  const { dtype, shape, low, high } = map;
  if (!isDType(dtype)) fail(`${where}.dtype`, 'a dtype', dtype);
  if (!isShape(shape)) fail(`${where}.shape`, 'an array of non-negative integers', shape);
  for (const [name, bound] of [
    ['low', low],
    ['high', high],
  ] as const) {
    if (!isNDArray(bound) || bound.dtype !== dtype || !shapeEquals(bound.shape, shape)) {
      throw badRequest(`${where}.${name} must be a ${dtype} NDArray of shape ${JSON.stringify(shape)}`);
    }
  }
  const lo = (low as NDArray).data;
  const hi = (high as NDArray).data;
  for (let i = 0; i < lo.length; i++) {
    if (!(lo[i] <= hi[i])) throw badRequest(`${where}: low[${i}] must be <= high[${i}] (and not NaN)`);
  }
  return map as unknown as Space;
}

function expectInt64(x: unknown, where: string): NDArray<'int64'> {
  if (!isNDArray(x) || x.dtype !== 'int64') throw badRequest(`${where} must be an int64 NDArray`);
  return x as NDArray<'int64'>;
}

/** Same structure and parameters; Dict key order matters. */
export function spaceEquals(a: Space, b: Space): boolean {
  switch (a.type) {
    case 'box':
      return (
        b.type === 'box' &&
        a.dtype === b.dtype &&
        shapeEquals(a.shape, b.shape) &&
        ndarrayEquals(a.low, b.low) &&
        ndarrayEquals(a.high, b.high)
      );
    case 'discrete':
      return b.type === 'discrete' && a.n === b.n && a.start === b.start;
    case 'multi_discrete':
      return b.type === 'multi_discrete' && ndarrayEquals(a.nvec, b.nvec) && ndarrayEquals(a.start, b.start);
    case 'multi_binary':
      return b.type === 'multi_binary' && shapeEquals(a.shape, b.shape);
    case 'dict': {
      if (b.type !== 'dict') return false;
      const keys = Object.keys(a.spaces);
      const otherKeys = Object.keys(b.spaces);
      return (
        keys.length === otherKeys.length &&
        keys.every((key, i) => key === otherKeys[i] && spaceEquals(a.spaces[key], b.spaces[key]))
      );
    }
    case 'tuple':
      return (
        b.type === 'tuple' &&
        a.spaces.length === b.spaces.length &&
        a.spaces.every((sub, i) => spaceEquals(sub, b.spaces[i]))
      );
  }
}
