/**
 * The one-pass encoder against msgpackr's canonical form: for random protocol values (every header size boundary
 * of str, bin, array and map, every integer format, unicode, NDArrays of every dtype) encodeFrame must give exactly
 * the bytes msgpackr gives for the value's wire form, and frames must stay intact while later ones are encoded.
 */
import fc from 'fast-check';
import { Packr } from 'msgpackr';
import { describe, expect, it } from 'vitest';
import { DTYPES, decodeFrame, encodeFrame, encodeFrameInto, isNDArray, ndarray } from '../src/index.js';
import type { NDArray } from '../src/index.js';

const reference = new Packr({
  useRecords: false,
  mapsAsObjects: true,
  variableMapSize: true,
  moreTypes: false,
  structuredClone: false,
});

/** The wire form msgpackr should see: NDArrays as maps with a byte view, safe integers beyond 32 bits as bigint. */
function wireForm(value: unknown): unknown {
  if (typeof value === 'number')
    return Number.isSafeInteger(value) && (value > 0xffff_ffff || value < -0x8000_0000) ? BigInt(value) : value;
  if (Array.isArray(value)) return value.map(wireForm);
  if (value instanceof Uint8Array || value === null || typeof value !== 'object') return value;
  if (isNDArray(value)) {
    const { data } = value;
    return {
      dtype: value.dtype,
      shape: value.shape,
      data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength),
    };
  }
  return Object.fromEntries(
    Object.entries(value)
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => [k, wireForm(v)]),
  );
}

const lengths = fc.constantFrom(0, 1, 15, 16, 31, 32, 255, 256, 65535, 65536);
// msgpackr writes -0 as int 0; ours writes float64 -0 (checked on its own below), so the comparison leaves it out.
const number = fc.oneof(
  fc.integer(),
  fc.double().map((x) => (Object.is(x, -0) ? 0 : x)),
  fc.constantFrom(
    127,
    128,
    255,
    256,
    65535,
    65536,
    -32,
    -33,
    -128,
    -129,
    -32768,
    -32769,
    2 ** 31,
    -(2 ** 31) - 1,
    2 ** 32,
    2 ** 53 - 1,
    -(2 ** 53) + 1,
    2 ** 53,
    2 ** 64,
    NaN,
    Infinity,
  ),
);
const text = fc.oneof(
  fc.string(),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  lengths.map((n) => 'k'.repeat(n)),
  lengths.map((n) => 'é'.repeat(Math.ceil(n / 2))),
);
const array = fc.constantFrom(...DTYPES).chain((dtype) =>
  fc.integer({ min: 0, max: 40 }).map(
    (n) =>
      ndarray(
        dtype,
        [n],
        Array.from({ length: n }, (_, i) => (dtype === 'bool' ? i % 2 : i % 100)),
      ) as NDArray,
  ),
);
const { value } = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    number,
    text,
    fc.boolean(),
    fc.constant(null),
    array,
    lengths.map((n) => new Uint8Array(n).fill(7)),
    fc.array(tie('value'), { maxLength: 20 }),
    fc.dictionary(text, tie('value'), { maxKeys: 20 }),
  ),
}));

describe('encodeFrame', () => {
  it('gives the canonical bytes for any protocol value', () => {
    fc.assert(
      fc.property(fc.dictionary(text, value, { maxKeys: 20 }), (frame) => {
        expect(Buffer.from(encodeFrame(frame)).equals(reference.pack(wireForm(frame)))).toBe(true);
      }),
      { numRuns: 400 },
    );
  });

  it('writes -0 as float64, so that its sign survives the round trip (PROTOCOL.md 3)', () => {
    const bytes = encodeFrame({ x: -0, y: 0 });
    expect(Buffer.from(bytes).toString('hex')).toBe('82a178cb8000000000000000a17900');
    const decoded = decodeFrame(bytes) as { x: number; y: number };
    expect(Object.is(decoded.x, -0)).toBe(true);
    expect(Object.is(decoded.y, 0)).toBe(true);
  });

  it('keeps earlier frames intact, across buffer growth too', () => {
    const frames = [1, 70_000, 2, 1_500_000, 4].map((n) => ({ n, bytes: new Uint8Array(n).fill(n & 0xff) }));
    const encoded = frames.map((frame) => encodeFrame(frame));
    encoded.forEach((bytes, k) => {
      const decoded = decodeFrame(bytes) as { n: number; bytes: Uint8Array };
      expect(decoded.n).toBe(frames[k].n);
      expect(Buffer.from(decoded.bytes).equals(frames[k].bytes)).toBe(true);
    });
  });
});

describe('encodeFrameInto', () => {
  it("writes the bytes encodeFrame gives into the caller's buffer, or into a new one when they do not fit", () => {
    fc.assert(
      fc.property(fc.dictionary(text, value, { maxKeys: 20 }), fc.nat(300), (frame, size) => {
        const target = new Uint8Array(size);
        const into = encodeFrameInto(frame, target);
        expect(Buffer.from(into).equals(Buffer.from(encodeFrame(frame)))).toBe(true);
        // The encoder reserves a value's largest encoding before writing it, so "fits" leaves some slack.
        if (into.length > size) expect(into.buffer).not.toBe(target.buffer);
        if (into.buffer === target.buffer) expect(into.byteOffset).toBe(0);
        const roomy = new Uint8Array(4 * into.length + 64);
        expect(encodeFrameInto(frame, roomy).buffer).toBe(roomy.buffer);
      }),
      { numRuns: 200 },
    );
  });

  it('leaves the frames of encodeFrame alone, and reports encoding errors as encodeFrame does', () => {
    const before = encodeFrame({ a: 1, bytes: new Uint8Array(100).fill(7) });
    const copy = Buffer.from(before);
    const big = { obs: ndarray('uint8', [3, 210, 160, 3], new Uint8Array(3 * 210 * 160 * 3).fill(9)) };
    const grown = encodeFrameInto(big, new Uint8Array(16));
    expect(Buffer.from(grown).equals(Buffer.from(encodeFrame(big)))).toBe(true);
    expect(Buffer.from(before).equals(copy)).toBe(true);
    expect(
      Buffer.from(encodeFrameInto({ a: 2 }, new Uint8Array(grown.buffer))).equals(Buffer.from(encodeFrame({ a: 2 }))),
    ).toBe(true);
    expect(() => encodeFrameInto({ bad: new Float32Array(2) }, new Uint8Array(64))).toThrow(
      expect.objectContaining({
        code: 'INTERNAL',
        message: 'cannot encode a bare typed array (wrap it in an NDArray) at .bad',
      }),
    );
    const after = encodeFrame({ a: 3 });
    expect(decodeFrame(after)).toEqual({ a: 3 });
    expect(Buffer.from(before).equals(copy)).toBe(true);
  });
});
