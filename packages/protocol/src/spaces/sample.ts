/** Random values of a space, following Gymnasium's Space.sample distributions. */
import { isBigIntDType, isFloatDType, ndarray, shapeSize, typedArrayFor } from '../ndarray.js';
import type { BoxSpace, Space, SpaceValue } from '../types.js';

/** `rng` returns uniform numbers in [0, 1). */
export function sampleSpace(space: Space, rng: () => number): SpaceValue {
  switch (space.type) {
    case 'box':
      return sampleBox(space, rng);
    case 'discrete':
      return space.start + Math.floor(rng() * space.n);
    case 'multi_discrete': {
      const { nvec, start } = space;
      const data = new BigInt64Array(nvec.data.length);
      for (let i = 0; i < data.length; i++) data[i] = start.data[i] + BigInt(Math.floor(rng() * Number(nvec.data[i])));
      return ndarray('int64', nvec.shape, data);
    }
    case 'multi_binary': {
      const data = new Int8Array(shapeSize(space.shape));
      for (let i = 0; i < data.length; i++) data[i] = rng() < 0.5 ? 0 : 1;
      return ndarray('int8', space.shape, data);
    }
    case 'dict': {
      const out: Record<string, SpaceValue> = {};
      for (const key of Object.keys(space.spaces)) out[key] = sampleSpace(space.spaces[key], rng);
      return out;
    }
    case 'tuple':
      return space.spaces.map((sub) => sampleSpace(sub, rng));
  }
}

/**
 * Per element: uniform on [low, high] when bounded, low + Exp(1) / high - Exp(1) when bounded on one side,
 * N(0, 1) when unbounded. Integer boxes draw uniformly from the integers in [low, high].
 */
function sampleBox(space: BoxSpace, rng: () => number): SpaceValue {
  const { dtype, low, high } = space;
  const size = low.data.length;
  const data = typedArrayFor(dtype, size);
  for (let i = 0; i < size; i++) {
    const lo = Number(low.data[i]);
    const hi = Number(high.data[i]);
    if (isFloatDType(dtype)) {
      (data as Float64Array)[i] = sampleReal(lo, hi, rng);
    } else {
      const v = Math.floor(lo + rng() * (hi - lo + 1));
      // Clamp in exact integer arithmetic: the float draw may round past a 64-bit bound.
      const big = BigInt(Math.min(Math.max(v, lo), hi));
      const clamped = big < BigInt(low.data[i]) ? BigInt(low.data[i]) : big > BigInt(high.data[i]) ? BigInt(high.data[i]) : big;
      (data as unknown as (number | bigint)[])[i] = isBigIntDType(dtype) ? clamped : Number(clamped);
    }
  }
  return ndarray(dtype, space.shape, data);
}

function sampleReal(lo: number, hi: number, rng: () => number): number {
  const boundedBelow = lo > -Infinity;
  const boundedAbove = hi < Infinity;
  if (boundedBelow && boundedAbove) return lo + (hi - lo) * rng();
  if (boundedBelow) return lo + exponential(rng);
  if (boundedAbove) return hi - exponential(rng);
  return normal(rng);
}

function exponential(rng: () => number): number {
  return -Math.log(1 - rng());
}

/** Box-Muller. */
function normal(rng: () => number): number {
  const u = 1 - rng(); // (0, 1]: log(u) is finite
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng());
}
