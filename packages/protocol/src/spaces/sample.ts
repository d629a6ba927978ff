/**
 * Random values of a space as Gymnasium's `space.sample()` draws them. Given NumPy's Generator (`NumpyGenerator`
 * of @vinegym/rng implements `SpaceRandom`), the values are Gymnasium's bit for bit: `SpaceSampler(space, seed)`
 * is `space.seed(seed)` followed by `space.sample()` calls, composite spaces included (each subspace has its own
 * generator, seeded from the parent's as Gymnasium's Dict and Tuple do).
 */
import { isBigIntDType, isFloatDType, ndarray, shapeSize, typedArrayFor } from '../ndarray.js';
import type { BoxSpace, DType, Space, SpaceValue } from '../types.js';

/** The NumPy Generator methods that Gymnasium's spaces sample with. */
export interface SpaceRandom {
  random(): number;
  uniform(low: number, high: number): number;
  normal(): number;
  exponential(): number;
  /** int64 `integers(low, high, size=count)`, high exclusive. */
  integers(low: bigint, high: bigint, count: number): bigint[];
  /** int8 `integers(low, high, size=count, dtype=int8)`. */
  integers8(low: number, high: number, count: number): number[];
}

/** One value of `space`, every leaf drawing from `random` (for composites Gymnasium would use one generator each). */
export function sampleSpace(space: Space, random: SpaceRandom): SpaceValue {
  switch (space.type) {
    case 'dict': {
      const out: Record<string, SpaceValue> = {};
      for (const key of Object.keys(space.spaces)) out[key] = sampleSpace(space.spaces[key], random);
      return out;
    }
    case 'tuple':
      return space.spaces.map((sub) => sampleSpace(sub, random));
    default:
      return sampleLeaf(space, random);
  }
}

/**
 * A seeded space, like a Gymnasium space after `space.seed(seed)`: `sample()` returns what Gymnasium's
 * `space.sample()` returns. `generator(seed)` makes NumPy's Generator for a seed (`new NumpyGenerator(seed)`).
 */
export class SpaceSampler {
  private random!: SpaceRandom;
  private children: SpaceSampler[] = [];

  constructor(
    readonly space: Space,
    seed: number,
    private readonly generator: (seed: number) => SpaceRandom,
  ) {
    this.seed(seed);
  }

  /** Gymnasium's `space.seed(seed)`: composites draw one int32 seed per subspace from their own generator. */
  seed(seed: number): void {
    this.random = this.generator(seed);
    const subspaces =
      this.space.type === 'dict'
        ? Object.values(this.space.spaces)
        : this.space.type === 'tuple'
          ? this.space.spaces
          : [];
    if (subspaces.length === 0) return;
    const subseeds = this.random.integers(0n, 2147483647n, subspaces.length);
    this.children = subspaces.map((sub, i) => new SpaceSampler(sub, Number(subseeds[i]), this.generator));
  }

  sample(): SpaceValue {
    const { space } = this;
    if (space.type === 'dict') {
      const keys = Object.keys(space.spaces);
      return Object.fromEntries(keys.map((key, i) => [key, this.children[i].sample()]));
    }
    if (space.type === 'tuple') return this.children.map((child) => child.sample());
    return sampleLeaf(space, this.random);
  }
}

function sampleLeaf(space: Exclude<Space, { type: 'dict' | 'tuple' }>, random: SpaceRandom): SpaceValue {
  switch (space.type) {
    case 'box':
      return sampleBox(space, random);
    case 'discrete':
      return space.start + Number(random.integers(0n, BigInt(space.n), 1)[0]);
    case 'multi_discrete': {
      // Gymnasium: (random(shape) * nvec).astype(int64) + start.
      const { nvec, start } = space;
      const data = new BigInt64Array(nvec.data.length);
      for (let i = 0; i < data.length; i++)
        data[i] = BigInt(Math.trunc(random.random() * Number(nvec.data[i]))) + start.data[i];
      return ndarray('int64', nvec.shape, data);
    }
    case 'multi_binary':
      return ndarray('int8', space.shape, Int8Array.from(random.integers8(0, 2, shapeSize(space.shape))));
  }
}

/**
 * Gymnasium's Box.sample: unbounded elements N(0, 1), then elements bounded below only low + Exp(1), then those
 * bounded above only high − Exp(1), then bounded ones uniform on [low, high] (integer boxes: [low, high + 1),
 * floored) — each group in row-major order, all in float64, then cast to the Box's dtype. Integer results are
 * clamped to the bounds, where Gymnasium's own clip would let an extreme int64 bound overflow.
 */
function sampleBox(space: BoxSpace, random: SpaceRandom): SpaceValue {
  const { dtype, low, high } = space;
  const size = low.data.length;
  const isFloat = isFloatDType(dtype);
  const lows = Array.from(low.data as ArrayLike<number | bigint>, Number);
  const highs = Array.from(high.data as ArrayLike<number | bigint>, (h) => (isFloat ? Number(h) : Number(h) + 1));
  const values = new Float64Array(size);
  const below = (i: number): boolean => lows[i] > -Infinity;
  const above = (i: number): boolean => highs[i] < Infinity;
  for (let i = 0; i < size; i++) if (!below(i) && !above(i)) values[i] = random.normal();
  for (let i = 0; i < size; i++) if (below(i) && !above(i)) values[i] = random.exponential() + lows[i];
  for (let i = 0; i < size; i++) if (!below(i) && above(i)) values[i] = -random.exponential() + highs[i];
  for (let i = 0; i < size; i++) if (below(i) && above(i)) values[i] = random.uniform(lows[i], highs[i]);
  const data = typedArrayFor(dtype, size);
  for (let i = 0; i < size; i++) {
    if (isFloat) (data as Float64Array)[i] = values[i];
    else
      writeInteger(data as unknown as (number | bigint)[], dtype, i, Math.floor(values[i]), low.data[i], high.data[i]);
  }
  return ndarray(dtype, space.shape, data);
}

function writeInteger(
  data: (number | bigint)[],
  dtype: DType,
  i: number,
  value: number,
  low: number | bigint,
  high: number | bigint,
): void {
  // Clamp in exact integer arithmetic: a float draw may round past a 64-bit bound.
  const big = BigInt(value);
  const clamped = big < BigInt(low) ? BigInt(low) : big > BigInt(high) ? BigInt(high) : big;
  data[i] = isBigIntDType(dtype) ? clamped : Number(clamped);
}
