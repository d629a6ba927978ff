import { describe, expect, it } from 'vitest';
import {
  DTYPES,
  decodeFrame,
  encodeFrame,
  isNDArray,
  ndarray,
  ndarrayEquals,
  parseRequestFrame,
  VinegymError,
} from '../src/index.js';
import type { DType, NDArray } from '../src/index.js';
import { expectVinegymError, seededRng } from './helpers.js';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const bytes = (h: string) => Uint8Array.from(Buffer.from(h.replace(/\s/g, ''), 'hex'));

const EXTREMES: Record<DType, (number | bigint)[]> = {
  bool: [0, 1, 1],
  int8: [-128, 0, 127],
  uint8: [0, 1, 255],
  int16: [-32768, 0, 32767],
  uint16: [0, 1, 65535],
  int32: [-(2 ** 31), 0, 2 ** 31 - 1],
  uint32: [0, 1, 2 ** 32 - 1],
  int64: [-(2n ** 63n), 0n, 2n ** 63n - 1n],
  uint64: [0n, 1n, 2n ** 64n - 1n],
  float32: [NaN, Infinity, -0],
  float64: [NaN, -Infinity, 1e-310],
};

describe('NDArray round trips', () => {
  for (const dtype of DTYPES) {
    it(`${dtype}: values, shape and typed array class survive`, () => {
      const array = ndarray(dtype, [3, 1], EXTREMES[dtype]);
      const out = decodeFrame(encodeFrame({ a: array })) as { a: NDArray };
      expect(isNDArray(out.a)).toBe(true);
      expect(out.a.dtype).toBe(dtype);
      expect(out.a.shape).toEqual([3, 1]);
      expect(out.a.data.constructor).toBe(array.data.constructor);
      expect(ndarrayEquals(out.a, array)).toBe(true);
      expect(Object.is(out.a.data[2], array.data[2])).toBe(true); // -0 stays -0
    });
  }

  it('scalar and empty shapes', () => {
    const scalar = ndarray('float64', [], [2.5]);
    const empty = ndarray('int32', [0, 4]);
    const out = decodeFrame(encodeFrame({ scalar, empty })) as Record<string, NDArray>;
    expect(out.scalar).toEqual(scalar);
    expect(out.empty).toEqual(empty);
  });

  it('writes the wire map {dtype, shape, data: bin} with little-endian raw bytes', () => {
    const frame = encodeFrame(ndarray('uint16', [2], [1, 0x0203]));
    // map3, "dtype": "uint16", "shape": [2], "data": bin8(4) 01 00 03 02
    expect(hex(frame)).toBe('83a56474797065a675696e743136a573686170659102a464617461c40401000302');
  });

  it('encodes a subarray view without the bytes around it', () => {
    const big = new Float32Array([9, 1, 2, 9]);
    const out = decodeFrame(encodeFrame(ndarray('float32', [2], big.subarray(1, 3)))) as NDArray;
    expect(Array.from(out.data as Float32Array)).toEqual([1, 2]);
  });

  it('decodes misaligned data into correctly aligned typed arrays, for every offset', () => {
    const array = ndarray('float64', [3], [1.5, -2, NaN]);
    for (let pad = 0; pad < 8; pad++) {
      const frame = encodeFrame({ pad: 'x'.repeat(pad), array });
      const shifted = new Uint8Array(frame.length + 1).subarray(1); // odd byteOffset in its buffer too
      shifted.set(frame);
      const out = decodeFrame(shifted) as { array: NDArray };
      expect(out.array.data.byteOffset % 8).toBe(0);
      expect(ndarrayEquals(out.array, array)).toBe(true);
    }
  });

  it('decodes aligned data without copying', () => {
    const frame = encodeFrame({ a: ndarray('float32', [2], [1, 2]) });
    const offset = hex(frame).indexOf('c408') / 2 + 2;
    const buffer = new Uint8Array(frame.length + 8);
    const start = (4 - (offset % 4)) % 4;
    buffer.set(frame, start);
    const out = decodeFrame(buffer.subarray(start, start + frame.length)) as { a: NDArray };
    expect(out.a.data.buffer).toBe(buffer.buffer);
  });
});

describe('canonical scalars', () => {
  const encoded = (v: unknown) => hex(encodeFrame([v])).slice(2);
  it('integers use the smallest int format; safe integers beyond 32 bits use int64', () => {
    expect(encoded(0)).toBe('00');
    expect(encoded(127)).toBe('7f');
    expect(encoded(128)).toBe('cc80');
    expect(encoded(-32)).toBe('e0');
    expect(encoded(-33)).toBe('d0df');
    expect(encoded(65536)).toBe('ce00010000');
    expect(encoded(2 ** 32)).toBe('d30000000100000000');
    expect(encoded(-(2 ** 40))).toBe('d3ffffff0000000000');
    expect(encoded(Number.MAX_SAFE_INTEGER)).toBe('d3001fffffffffffff');
  });
  it('non-integers and unsafe integers are float64, never float32', () => {
    expect(encoded(0.5)).toBe('cb3fe0000000000000');
    expect(encoded(2 ** 60)).toBe('cb43b0000000000000');
    expect(encoded(NaN).slice(0, 2)).toBe('cb');
    expect(encoded(Infinity)).toBe('cb7ff0000000000000');
  });
  it('keeps map key order as written', () => {
    expect(Object.keys(decodeFrame(encodeFrame({ b: 1, a: 2, c: 3 })) as object)).toEqual(['b', 'a', 'c']);
  });
  it('decodes every msgpack int format to a number, including uint64/int64', () => {
    expect(decodeFrame(bytes('cf0000000100000000'))).toBe(2 ** 32);
    expect(decodeFrame(bytes('d3ffffffffffffffff'))).toBe(-1);
    expect(decodeFrame(bytes('ca3fc00000'))).toBe(1.5); // float32 is accepted on input
  });
  it('bin outside NDArrays decodes as a plain Uint8Array', () => {
    const out = decodeFrame(Buffer.from(encodeFrame({ snapshot: Uint8Array.of(1, 2, 3) }))) as { snapshot: Uint8Array };
    expect(out.snapshot.constructor).toBe(Uint8Array);
    expect(Array.from(out.snapshot)).toEqual([1, 2, 3]);
  });
});

describe('encoding rejects what the wire cannot carry', () => {
  it('omits undefined map values like JSON', () => {
    expect(decodeFrame(encodeFrame({ a: 1, b: undefined }))).toEqual({ a: 1 });
  });
  for (const [name, value] of [
    ['undefined in an array', [1, undefined]],
    ['a bigint', { a: 1n }],
    ['a bare typed array', { a: new Float32Array(2) }],
    ['a Map', { a: new Map() }],
    ['a Date', { a: new Date() }],
    ['a function', { a: () => 1 }],
  ] as const) {
    it(name, () => {
      expectVinegymError(() => encodeFrame(value as object), 'INTERNAL', /cannot encode .* at /);
    });
  }
});

describe('decoding garbage throws BAD_REQUEST and nothing else', () => {
  const valid = encodeFrame({ id: 1, type: 'step', body: { session_id: 's', actions: ndarray('int64', [2], [0, 1]) } });

  it('every truncation of a valid frame', () => {
    for (let n = 0; n < valid.length; n++) expectVinegymError(() => decodeFrame(valid.subarray(0, n)), 'BAD_REQUEST');
  });

  it('trailing bytes', () => {
    const extra = new Uint8Array(valid.length + 1);
    extra.set(valid);
    expectVinegymError(() => decodeFrame(extra), 'BAD_REQUEST', /malformed/);
  });

  const cases: Record<string, string> = {
    'never-used byte c1': 'c1',
    'fixext undefined': 'd40000',
    'timestamp ext': 'd6ff00000001',
    'msgpackr typed array ext (uint8)': 'c70374010506',
    'msgpackr typed array ext (float32)': 'c70574070000803f',
    'msgpackr set ext': 'd4730090',
    'array32 claiming 2^32-1 items': 'ddffffffff',
    'map32 claiming 2^32-1 entries': 'dfffffffff',
    'str32 longer than the frame': 'dbffffffff41',
    'bin32 longer than the frame': 'c6ffffffff01',
    'NDArray with unknown dtype': '83a56474797065a3696e74a5736861706590a464617461c40100',
    'NDArray with wrong byte length': '83a56474797065a5696e743332a5736861706591' + '01a464617461c40100',
    'NDArray with a negative dimension': '83a56474797065a575696e7438a5736861706591ffa464617461c400',
  };
  for (const [name, h] of Object.entries(cases)) {
    it(name, () => {
      expectVinegymError(() => decodeFrame(bytes(h)), 'BAD_REQUEST');
    });
  }

  it('empty and non-binary input', () => {
    expectVinegymError(() => decodeFrame(new Uint8Array(0)), 'BAD_REQUEST');
    expectVinegymError(() => decodeFrame('hello' as unknown as Uint8Array), 'BAD_REQUEST');
  });

  it('deep nesting', () => {
    const deep = new Uint8Array(100_000).fill(0x91);
    deep[deep.length - 1] = 0;
    expectVinegymError(() => decodeFrame(deep), 'BAD_REQUEST');
  });

  it('random bytes and random mutations of valid frames never throw anything else, and never hang', () => {
    const rng = seededRng(1);
    const start = performance.now();
    for (let trial = 0; trial < 20_000; trial++) {
      let input: Uint8Array;
      if (trial % 2 === 0) {
        input = Uint8Array.from({ length: 1 + Math.floor(rng() * 64) }, () => Math.floor(rng() * 256));
      } else {
        input = valid.slice();
        for (let k = 0; k < 3; k++) input[Math.floor(rng() * input.length)] = Math.floor(rng() * 256);
      }
      try {
        parseRequestFrame(decodeFrame(input));
      } catch (err) {
        if (!(err instanceof VinegymError) || err.code !== 'BAD_REQUEST') {
          throw new Error(`input ${hex(input)} threw ${String(err)}`);
        }
      }
    }
    expect(performance.now() - start).toBeLessThan(10_000);
  });
});
