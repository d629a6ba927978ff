import { describe, expect, it } from 'vitest';
import {
  batchSpace,
  box,
  checkBatch,
  checkValue,
  createBatch,
  decodeFrame,
  dictSpace,
  discrete,
  encodeFrame,
  multiBinary,
  multiDiscrete,
  ndarray,
  readFromBatch,
  sampleSpace,
  shapeSize,
  spaceEquals,
  tupleSpace,
  validateSpace,
  writeToBatch,
} from '../src/index.js';
import type { NDArray, Space, SpaceValue } from '../src/index.js';
import { NumpyGenerator } from '@vinegym/rng';
import { elements, expectVinegymError } from './helpers.js';

const f32 = (values: number[], shape = [values.length]) => ndarray('float32', shape, values);

describe('constructors', () => {
  it('box broadcasts scalar bounds, keeps infinities and infers the shape of array bounds', () => {
    const b = box(-Infinity, [1, 2, 3]);
    expect(b.shape).toEqual([3]);
    expect(elements(b.low)).toEqual([-Infinity, -Infinity, -Infinity]);
    expect(b.high.dtype).toBe('float32');
  });
  it('box clips infinite bounds of integer dtypes to the dtype range', () => {
    const b = box(-Infinity, Infinity, [1], 'int64');
    expect(b.low.data[0]).toBe(-(2n ** 63n));
    expect(b.high.data[0]).toBe(2n ** 63n - 1n);
    expect(elements(box(0, Infinity, [1], 'uint8').high)).toEqual([255]);
  });
  it('box rejects bad arguments', () => {
    expect(() => box(0, 1)).toThrow(/shape/);
    expect(() => box(1, 0, [1])).toThrow(/low/);
    expect(() => box(NaN, 0, [1])).toThrow(/NaN/);
    expect(() => box([0, 0], 1, [3])).toThrow(/elements/);
    expect(() => box(0.5, 1, [1], 'int32')).toThrow(/integer/);
  });
  it('discrete, multiDiscrete, multiBinary, dict and tuple', () => {
    expect(discrete(3, -1)).toEqual({ type: 'discrete', n: 3, start: -1 });
    expect(() => discrete(0)).toThrow();
    const md = multiDiscrete([2, 3], [0, 5]);
    expect(elements(md.nvec)).toEqual([2n, 3n]);
    expect(elements(md.start)).toEqual([0n, 5n]);
    expect(() => multiDiscrete([0])).toThrow();
    expect(multiBinary(4).shape).toEqual([4]);
    expect(Object.keys(dictSpace({ b: discrete(2), a: discrete(2) }).spaces)).toEqual(['b', 'a']);
    expect(() => dictSpace({ 1: discrete(2) })).toThrow(/decimal integer/);
    expect(tupleSpace([discrete(2)]).spaces).toHaveLength(1);
  });
});

describe('checkValue', () => {
  const b = box([-1, 0], [1, Infinity]);
  it('accepts values in the space, including bounds and infinities', () => {
    expect(checkValue(b, f32([-1, Infinity]))).toBeNull();
    expect(checkValue(discrete(2, 1), 2)).toBeNull();
  });
  it('rejects NaN, values out of bounds, wrong dtype and wrong shape with reasons', () => {
    expect(checkValue(b, f32([NaN, 0]), 'obs')).toBe('obs[0] = NaN is outside [-1, 1] of Box(shape=(2,), float32)');
    expect(checkValue(b, f32([0, -0.5]), 'obs')).toMatch(/^obs\[1\] = -0.5 is outside \[0, inf\]/);
    expect(checkValue(b, ndarray('float64', [2], [0, 0]))).toMatch(/dtype float64.*needs float32/);
    expect(checkValue(b, f32([0, 0, 0]))).toMatch(/shape \[3\].*needs \[2\]/);
    expect(checkValue(b, [0, 0])).toMatch(/must be an NDArray/);
    expect(checkValue(box(0, 1, [2, 2]), f32([0, 1, 1, 2], [2, 2]), 'o')).toMatch(/^o\[1, 1\] = 2 is outside/);
  });
  it('checks Discrete values as plain integers', () => {
    expect(checkValue(discrete(2), 2, 'action')).toBe('action = 2 is outside Discrete(2)');
    expect(checkValue(discrete(2, 1), 0)).toMatch(/outside Discrete\(2, start=1\)/);
    expect(checkValue(discrete(2), 0.5)).toMatch(/must be an integer/);
    expect(checkValue(discrete(2), NaN)).toMatch(/must be an integer/);
    expect(checkValue(discrete(2), ndarray('int64', [], [0]))).toMatch(/must be an integer/);
  });
  it('checks MultiDiscrete and MultiBinary dtypes and ranges', () => {
    const md = multiDiscrete([2, 3], [0, 5]);
    expect(checkValue(md, ndarray('int64', [2], [1, 7]))).toBeNull();
    expect(checkValue(md, ndarray('int64', [2], [1, 8]), 'a')).toBe(
      'a[1] = 8 is outside MultiDiscrete([2, 3], start=[0, 5])',
    );
    expect(checkValue(md, ndarray('int32', [2], [1, 7]))).toMatch(/dtype int32/);
    expect(checkValue(multiBinary(2), ndarray('int8', [2], [0, 1]))).toBeNull();
    expect(checkValue(multiBinary(2), ndarray('int8', [2], [0, 2]))).toMatch(/\[1\] = 2 is outside MultiBinary/);
    expect(checkValue(multiBinary(2), ndarray('bool', [2], [0, 1]))).toMatch(/dtype bool/);
  });
  it('recurses into Dict and Tuple with paths', () => {
    const s = dictSpace({ pos: box(-1, 1, [1]), t: tupleSpace([discrete(2), discrete(3)]) });
    expect(checkValue(s, { pos: f32([0]), t: [1, 2] })).toBeNull();
    expect(checkValue(s, { t: [1, 2], pos: f32([0]) })).toBeNull();
    expect(checkValue(s, { pos: f32([0]), t: [1, 3] }, 'obs')).toBe('obs.t[1] = 3 is outside Discrete(3)');
    expect(checkValue(s, { pos: f32([0]) }, 'obs')).toBe('obs.t is missing');
    expect(checkValue(s, { pos: f32([0]), t: [1, 2], x: 1 })).toMatch(/key "x"/);
    expect(checkValue(s, { pos: f32([0]), t: [1] })).toMatch(/array of 2 values/);
    expect(checkValue(s, { pos: f32([0]), t: [1, 2], toString: 1 })).toMatch(/key "toString"/);
  });
});

describe('checkBatch', () => {
  it('accepts a Discrete batch of any integer dtype and reports the env index', () => {
    expect(checkBatch(discrete(2), ndarray('int32', [3], [0, 1, 1]), 3)).toBeNull();
    expect(checkBatch(discrete(2), ndarray('uint8', [3], [0, 1, 1]), 3)).toBeNull();
    expect(checkBatch(discrete(2), ndarray('int64', [3], [0, 3, 1]), 3, 'action')).toBe(
      'action[1] = 3 is outside Discrete(2)',
    );
    expect(checkBatch(discrete(2), ndarray('float32', [3], [0, 1, 1]), 3)).toMatch(/integer dtype/);
    expect(checkBatch(discrete(2), ndarray('int64', [2], [0, 1]), 3)).toMatch(/shape/);
  });
  it('checks every env of a Box batch against the tiled bounds', () => {
    const b = box([-1, 0], [1, 2]);
    expect(checkBatch(b, f32([0, 0, 1, 2], [2, 2]), 2)).toBeNull();
    expect(checkBatch(b, f32([0, 0, 1, 2.5], [2, 2]), 2, 'a')).toMatch(/^a\[1, 1\] = 2.5 is outside \[0, 2\]/);
    expect(checkBatch(b, f32([0, 0, NaN, 1], [2, 2]), 2)).toMatch(/NaN/);
  });
  it('agrees with checkValue on the batched space', () => {
    const s = dictSpace({ a: discrete(3), b: tupleSpace([box(0, 1, [2]), multiBinary(1)]) });
    const batch = createBatch(s, 4);
    expect(checkBatch(s, batch, 4)).toBeNull();
    expect(checkValue(batchSpace(s, 4), batch)).toBeNull();
  });
});

describe('batchSpace', () => {
  it('follows Gymnasium batch_space', () => {
    const bb = batchSpace(box([-1, 0], [1, 2]), 3) as Extract<Space, { type: 'box' }>;
    expect(bb.shape).toEqual([3, 2]);
    expect(elements(bb.low)).toEqual([-1, 0, -1, 0, -1, 0]);
    expect(spaceEquals(batchSpace(discrete(4, 1), 2), multiDiscrete([4, 4], [1, 1]))).toBe(true);
    const md = batchSpace(multiDiscrete([2, 3]), 2) as Extract<Space, { type: 'multi_discrete' }>;
    expect(md.nvec.shape).toEqual([2, 2]);
    expect(elements(md.nvec)).toEqual([2n, 3n, 2n, 3n]);
    expect(batchSpace(multiBinary([2, 3]), 5)).toEqual(multiBinary([5, 2, 3]));
    const nested = batchSpace(dictSpace({ t: tupleSpace([discrete(2)]) }), 2);
    expect(spaceEquals(nested, dictSpace({ t: tupleSpace([multiDiscrete([2, 2])]) }))).toBe(true);
  });
});

describe('createBatch / writeToBatch / readFromBatch', () => {
  const space = dictSpace({
    image: box(0, 255, [2, 2], 'uint8'),
    nested: tupleSpace([
      discrete(5, 10),
      multiDiscrete([3, 4]),
      dictSpace({ flags: multiBinary(3), v: box(-Infinity, Infinity, [1], 'float64') }),
    ]),
  });

  it('creates zeroed leaves with a leading axis (Discrete leaves: int64 [n])', () => {
    const batch = createBatch(space, 3) as { image: NDArray; nested: [NDArray, NDArray, { flags: NDArray }] };
    expect(batch.image.shape).toEqual([3, 2, 2]);
    expect(batch.nested[0].dtype).toBe('int64');
    expect(batch.nested[0].shape).toEqual([3]);
    expect(batch.nested[2].flags.dtype).toBe('int8');
  });

  it('round trips sampled nested values through a batch and the wire', () => {
    const rng = new NumpyGenerator(7);
    const n = 4;
    const values: SpaceValue[] = Array.from({ length: n }, () => sampleSpace(space, rng));
    for (const v of values) expect(checkValue(space, v)).toBeNull();
    const batch = createBatch(space, n);
    values.forEach((v, i) => writeToBatch(space, batch, i, v));
    expect(checkBatch(space, batch, n)).toBeNull();
    const wired = decodeFrame(encodeFrame({ batch })) as { batch: SpaceValue };
    for (let i = 0; i < n; i++) {
      expect(readFromBatch(space, batch, i)).toEqual(values[i]);
      expect(readFromBatch(space, wired.batch, i)).toEqual(values[i]);
    }
  });

  it('readFromBatch copies: later writes do not change what was read', () => {
    const b = box(-1, 1, [2]);
    const batch = createBatch(b, 2);
    writeToBatch(b, batch, 1, f32([0.5, -0.5]));
    const read = readFromBatch(b, batch, 1) as NDArray;
    writeToBatch(b, batch, 1, f32([0, 0]));
    expect(elements(read)).toEqual([0.5, -0.5]);
    expect(elements(batch as NDArray)).toEqual([0, 0, 0, 0]);
  });
});

describe('sampleSpace', () => {
  it('stays in the space for bounded, half-bounded, unbounded and integer boxes', () => {
    const rng = new NumpyGenerator(3);
    const spaces = [
      box([-1, 0, -Infinity, -Infinity], [1, Infinity, 5, Infinity]),
      box(-3, 3, [4], 'int16'),
      box(-Infinity, Infinity, [3], 'int64'),
      discrete(3, -1),
      multiDiscrete([2, 9]),
      multiBinary([2, 2]),
    ];
    for (const s of spaces) for (let k = 0; k < 200; k++) expect(checkValue(s, sampleSpace(s, rng))).toBeNull();
  });
  it('covers every Discrete value', () => {
    const rng = new NumpyGenerator(4);
    const seen = new Set(Array.from({ length: 300 }, () => sampleSpace(discrete(3, 2), rng)));
    expect([...seen].sort()).toEqual([2, 3, 4]);
  });
});

describe('validateSpace and spaceEquals', () => {
  const spaces: Space[] = [
    box(-1, 1, [2, 3]),
    discrete(4, 2),
    multiDiscrete([2, 3]),
    multiBinary([2]),
    dictSpace({ b: box(0, 1, [1], 'float64'), a: tupleSpace([discrete(2), multiBinary(1)]) }),
  ];
  it('accepts spaces that went over the wire, keeping Dict order', () => {
    for (const s of spaces) {
      const wired = validateSpace(decodeFrame(encodeFrame(s)));
      expect(spaceEquals(wired, s)).toBe(true);
    }
  });
  it('distinguishes different spaces, including Dict key order', () => {
    expect(spaceEquals(spaces[0], box(-1, 2, [2, 3]))).toBe(false);
    expect(spaceEquals(spaces[1], discrete(4))).toBe(false);
    expect(
      spaceEquals(dictSpace({ a: discrete(2), b: discrete(2) }), dictSpace({ b: discrete(2), a: discrete(2) })),
    ).toBe(false);
    expect(spaceEquals(spaces[2], spaces[3])).toBe(false);
  });
  it('rejects malformed spaces naming the part', () => {
    const b = box(-1, 1, [2]);
    const cases: [unknown, RegExp][] = [
      [{ type: 'circle' }, /space\.type/],
      [{ type: 'discrete', n: 0, start: 0 }, /space\.n/],
      [{ type: 'discrete', n: 2 }, /space\.start/],
      [{ ...b, low: ndarray('float64', [2]) }, /space\.low/],
      [{ ...b, low: f32([2, 0]) }, /low\[0\] must be <= high\[0\]/],
      [{ ...b, high: f32([1, NaN]) }, /NaN/],
      [{ ...b, extra: 1 }, /unknown field/],
      [{ type: 'multi_discrete', nvec: ndarray('int32', [1], [2]), start: ndarray('int64', [1]) }, /nvec/],
      [{ type: 'multi_binary', shape: [-1] }, /shape/],
      [{ type: 'dict', spaces: { a: { type: 'discrete', n: 'x', start: 0 } } }, /space\.spaces\.a\.n/],
      [{ type: 'tuple', spaces: [discrete(2), 3] }, /space\.spaces\[1\]/],
    ];
    for (const [x, pattern] of cases) expectVinegymError(() => validateSpace(x), 'BAD_REQUEST', pattern);
  });
  it('shapeSize', () => {
    expect(shapeSize([])).toBe(1);
    expect(shapeSize([2, 0, 3])).toBe(0);
    expect(shapeSize([2, 3])).toBe(6);
  });
});
