/**
 * NumpyGenerator (PCG64 + SeedSequence + NumPy's Generator methods) against NumPy itself, and SpaceSampler against
 * Gymnasium's seeded `space.sample()`: every value must be the same double / integer, bit for bit. Needs the venv
 * made by `pnpm test:setup`.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { SpaceSampler, box, dictSpace, discrete, multiBinary, multiDiscrete, tupleSpace } from '@vinegym/protocol';
import type { NDArray, Space, SpaceValue } from '@vinegym/protocol';
import { NumpyGenerator } from '@vinegym/rng';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const PYTHON = `${ROOT}.venv/bin/python`;

type Call = [string, ...unknown[]];
interface Case {
  seed: number | string;
  calls: Call[];
}

function numpy(cases: Case[]): unknown[][] {
  if (!existsSync(PYTHON)) throw new Error(`Python venv missing (${PYTHON}): run \`pnpm test:setup\``);
  const input = JSON.stringify(cases);
  const run = spawnSync(PYTHON, [`${ROOT}test/python/numpy_reference.py`], {
    input,
    encoding: 'utf8',
    maxBuffer: 512 << 20,
  });
  if (run.status !== 0) throw new Error(`numpy_reference.py failed:\n${run.stderr}`);
  return JSON.parse(run.stdout);
}

const times = <T>(n: number, draw: () => T): T[] => Array.from({ length: n }, draw);
const SEEDS = [0, 1, 42, 2 ** 32 - 1, 2 ** 32, 2 ** 53 - 1, 123456789012345];

describe('NumpyGenerator equals numpy.random.default_rng(seed)', () => {
  it('seeds PCG64 through SeedSequence to the same state and increment (incl. seeds of 1 and 2 words)', () => {
    const cases = SEEDS.map((seed) => ({ seed, calls: [['state'], ['random', 3], ['state']] as Call[] }));
    const expected = numpy(cases);
    SEEDS.forEach((seed, k) => {
      const g = new NumpyGenerator(seed);
      const state = (): unknown => {
        const s = g.bitGenerator.numpyState();
        return { state: s.state.toString(), inc: s.inc.toString(), has_uint32: s.has_uint32, uinteger: s.uinteger };
      };
      expect([state(), times(3, () => g.random()), state()], `seed ${seed}`).toEqual(expected[k]);
    });
  });

  it('draws the same random, uniform, normal and exponential doubles (10^5 normals, 10^5 exponentials)', () => {
    const calls: Call[] = [
      ['random', 1000],
      ['uniform', -0.05, 0.05, 1000],
      ['uniform', -5e-3, 5e-3, 1000],
      ['standard_normal', 100_000],
      ['normal', 0.5, 3, 100],
      ['standard_exponential', 100_000],
      ['exponential', 2, 100],
      ['random', 5],
    ];
    const [expected] = numpy([{ seed: 2024, calls }]);
    const g = new NumpyGenerator(2024);
    const ours = [
      times(1000, () => g.random()),
      times(1000, () => g.uniform(-0.05, 0.05)),
      times(1000, () => g.uniform(-5e-3, 5e-3)),
      times(100_000, () => g.standardNormal()),
      times(100, () => g.normal(0.5, 3)),
      times(100_000, () => g.standardExponential()),
      times(100, () => g.exponential(2)),
      times(5, () => g.random()),
    ];
    ours.forEach((values, i) => {
      const reference = expected[i] as number[];
      const first = values.findIndex((v, j) => !Object.is(v, reference[j]));
      expect(first, `${calls[i][0]}: first difference at draw ${first}: ${values[first]} vs ${reference[first]}`).toBe(
        -1,
      );
    });
  });

  it('draws the same bounded integers: int64 (32- and 64-bit Lemire) and int8 (byte-buffered)', () => {
    const calls: Call[] = [
      ['integers', '0', '2', 50],
      ['integers', '0', '3', 50],
      ['integers', '-5', '1000', 50],
      ['integers', '0', '2147483647', 20],
      ['integers', '0', '4294967296', 20],
      ['integers', '0', '9007199254740993', 20],
      ['integers8', 0, 2, 37],
      ['integers8', -3, 100, 37],
      ['random', 3],
    ];
    const [expected] = numpy([{ seed: 7, calls }]);
    const g = new NumpyGenerator(7);
    const ours: unknown[] = calls.map(([method, ...args]) => {
      if (method === 'integers')
        return g.integers(BigInt(args[0] as string), BigInt(args[1] as string), args[2] as number).map(String);
      if (method === 'integers8') return g.integers8(args[0] as number, args[1] as number, args[2] as number);
      return times(args[0] as number, () => g.random());
    });
    expect(ours).toEqual(expected);
  });

  it('restores its exact state from 40 bytes, mid-way through a buffered 32-bit half', () => {
    const g = new NumpyGenerator(99);
    g.integers(0n, 10n, 3); // leaves a buffered half behind
    const copy = NumpyGenerator.fromState(g.getState());
    expect(times(20, () => [copy.random(), String(copy.integers(0n, 7n, 1)[0]), copy.standardNormal()])).toEqual(
      times(20, () => [g.random(), String(g.integers(0n, 7n, 1)[0]), g.standardNormal()]),
    );
  });
});

/** The spec numpy_reference.py turns into a Gymnasium space. */
function specOf(space: Space): unknown {
  const list = (a: NDArray): (number | string)[] =>
    Array.from(a.data as ArrayLike<number | bigint>, (v) => (Number.isFinite(Number(v)) ? Number(v) : String(v)));
  switch (space.type) {
    case 'box':
      return { type: 'box', low: list(space.low), high: list(space.high), dtype: space.dtype };
    case 'discrete':
      return { type: 'discrete', n: space.n, start: space.start };
    case 'multi_discrete':
      return { type: 'multi_discrete', nvec: list(space.nvec), start: list(space.start) };
    case 'multi_binary':
      return { type: 'multi_binary', n: space.shape };
    case 'dict':
      return { type: 'dict', spaces: Object.entries(space.spaces).map(([k, s]) => [k, specOf(s)]) };
    case 'tuple':
      return { type: 'tuple', spaces: space.spaces.map(specOf) };
  }
}

/** A sampled value in numpy_reference.py's plain form: flat lists, integers as strings. */
function plain(value: SpaceValue): unknown {
  if (typeof value === 'number') return [String(value)];
  if (Array.isArray(value)) return value.map(plain);
  const array = value as NDArray;
  if (array.dtype !== undefined) {
    const integer = !array.dtype.startsWith('float');
    return Array.from(array.data as ArrayLike<number | bigint>, (v) => (integer ? String(v) : Number(v)));
  }
  return Object.fromEntries(Object.entries(value as Record<string, SpaceValue>).map(([k, v]) => [k, plain(v)]));
}

describe('SpaceSampler equals Gymnasium space.seed(s) + space.sample()', () => {
  const SPACES: [string, Space][] = [
    ['Hopper action Box', box(-1, 1, [3], 'float32')],
    ['mixed-bound Box', box([-1, 0, -Infinity, -Infinity, -2], [1, Infinity, 5, Infinity, 7.5], [5], 'float32')],
    ['float64 Box', box(-2, 3, [2, 2], 'float64')],
    ['int16 Box', box(-3, 3, [4], 'int16')],
    ['Discrete', discrete(6)],
    ['Discrete with start', discrete(3, -1)],
    ['MultiDiscrete', multiDiscrete([2, 9, 4], [0, -4, 1])],
    ['MultiBinary', multiBinary([5])],
    [
      'Dict',
      dictSpace({ a: discrete(4), b: box(-1, 1, [2], 'float32'), c: tupleSpace([multiBinary([3]), discrete(9)]) }),
    ],
    ['Tuple', tupleSpace([box(0, 1, [1], 'float64'), discrete(2)])],
  ];

  it('for 10 kinds of space, 2 seeds, 30 samples each', () => {
    const cases = SPACES.flatMap(([, space]) =>
      [3, 2 ** 40].map((seed) => ({ seed, calls: [['space', specOf(space), 30]] as Call[] })),
    );
    const expected = numpy(cases);
    cases.forEach((c, k) => {
      const [name, space] = SPACES[Math.floor(k / 2)];
      const sampler = new SpaceSampler(space, c.seed as number, (s) => new NumpyGenerator(s));
      expect(
        times(30, () => plain(sampler.sample())),
        `${name}, seed ${c.seed}`,
      ).toEqual(expected[k][0]);
    });
  });
});
