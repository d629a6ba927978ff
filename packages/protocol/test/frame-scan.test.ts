/**
 * The header scan that runs before decoding (frame-scan.ts): its counts of values, containers, depth and str bytes
 * agree with the decoded value for random frames, a frame is over budget exactly when one count is above its limit,
 * it accepts exactly the bytes msgpackr decodes into one plain value, its UTF-8 check agrees with a fatal
 * TextDecoder, and a budget violation costs nothing like decoding (a 64 MiB array of empty maps is refused at its
 * header).
 */
import fc from 'fast-check';
import { Packr, Unpackr } from 'msgpackr';
import { describe, expect, it } from 'vitest';
import { VinegymError, decodeFrame, encodeFrame, isValidUtf8, scanFrame } from '../src/index.js';
import type { DecodeBudget } from '../src/index.js';

const packr = new Packr({
  useRecords: false,
  mapsAsObjects: true,
  variableMapSize: true,
  moreTypes: false,
  structuredClone: false,
});
const unpackr = new Unpackr({
  useRecords: false,
  mapsAsObjects: true,
  moreTypes: false,
  structuredClone: false,
  int64AsType: 'number',
});

interface Counts {
  values: number;
  containers: number;
  depth: number;
  longestString: number;
}

/** The counts PROTOCOL.md 9.1 defines, from a decoded value (bins are Uint8Array). */
function countsOf(value: unknown, depth = 1): Counts {
  const counts: Counts = { values: 1, containers: 0, depth: 0, longestString: 0 };
  if (typeof value === 'string') counts.longestString = Buffer.byteLength(value);
  if (value === null || typeof value !== 'object' || value instanceof Uint8Array) return counts;
  counts.containers = 1;
  counts.depth = depth;
  const items = Array.isArray(value) ? value : Object.entries(value).flat();
  for (const item of items) {
    const inner = countsOf(item, depth + 1);
    counts.values += inner.values;
    counts.containers += inner.containers;
    counts.depth = Math.max(counts.depth, inner.depth);
    counts.longestString = Math.max(counts.longestString, inner.longestString);
  }
  return counts;
}

const key = fc.string({ unit: 'grapheme', maxLength: 12 }).filter((k) => k !== '__proto__');
const { value } = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    fc.integer(),
    fc.double(),
    fc.string({ unit: 'grapheme', maxLength: 40 }),
    fc.boolean(),
    fc.constant(null),
    fc.uint8Array({ maxLength: 20 }),
    fc.array(tie('value'), { maxLength: 12 }),
    fc.dictionary(key, tie('value'), { maxKeys: 12 }),
  ),
}));

function thrown(run: () => void): VinegymError | null {
  try {
    run();
    return null;
  } catch (error) {
    if (!(error instanceof VinegymError)) throw error;
    return error;
  }
}

describe('scanFrame', () => {
  it('counts what decoding would build, and refuses a frame exactly when a count is over its limit', () => {
    fc.assert(
      fc.property(value, fc.nat(4), (v, slack) => {
        const bytes = packr.pack(v);
        const counts = countsOf(unpackr.unpack(bytes));
        const exact: DecodeBudget = {
          maxValues: counts.values,
          maxContainers: counts.containers,
          maxDepth: counts.depth,
          maxStringBytes: counts.longestString,
        };
        expect(thrown(() => scanFrame(bytes, exact))).toBeNull();
        const limits: [keyof Counts, keyof DecodeBudget, string][] = [
          ['values', 'maxValues', 'max_frame_values'],
          ['containers', 'maxContainers', 'max_frame_containers'],
          ['depth', 'maxDepth', 'max_frame_depth'],
          ['longestString', 'maxStringBytes', 'max_string_bytes'],
        ];
        for (const [count, limit, name] of limits) {
          if (counts[count] === 0) continue;
          const tight = { ...exact, [limit]: counts[count] - 1 - (slack % counts[count]) };
          const error = thrown(() => scanFrame(bytes, tight));
          expect(error?.code).toBe('LIMIT_EXCEEDED');
          expect(error?.details).toEqual({ limit: name, max: tight[limit] });
        }
      }),
      { numRuns: 500 },
    );
  });

  it('accepts exactly the byte strings that decode into one plain value', () => {
    const bytes = fc.oneof(
      fc.uint8Array({ maxLength: 24 }),
      value
        .map((v) => packr.pack(v))
        .chain((b) =>
          fc.tuple(fc.nat(b.length), fc.integer({ min: 0, max: 255 })).map(([i, x]) => {
            const mutated = Uint8Array.from(b);
            mutated[i % mutated.length] = x;
            return mutated;
          }),
        ),
    );
    fc.assert(
      fc.property(bytes, (b) => {
        if (b.length === 0) return;
        const scanError = thrown(() => scanFrame(b));
        let decoded = true;
        try {
          // What decodeFrame guarantees: one value, every byte used, no extensions, str keys, valid UTF-8.
          decodeFrame(b);
        } catch {
          decoded = false;
        }
        if (scanError !== null) {
          expect(scanError.code).toBe('BAD_REQUEST');
          expect(decoded).toBe(false);
          return;
        }
        // Accepted: msgpackr reads exactly one value that ends at the last byte.
        let end = -1;
        unpackr.unpackMultiple(b, (_value: unknown, _start?: number, stop?: number) => {
          end = stop ?? -1;
          return false;
        });
        expect(end).toBe(b.length);
      }),
      { numRuns: 3000 },
    );
  });

  it('checks UTF-8 as a fatal TextDecoder does', () => {
    const fatal = new TextDecoder('utf-8', { fatal: true });
    const valid = (b: Uint8Array) => {
      try {
        fatal.decode(b);
        return true;
      } catch {
        return false;
      }
    };
    const bytes = fc.oneof(
      fc.uint8Array({ maxLength: 12 }),
      fc
        .array(
          fc.constantFrom(
            0x41,
            0x80,
            0xbf,
            0xc0,
            0xc2,
            0xdf,
            0xe0,
            0xed,
            0xef,
            0xf0,
            0xf4,
            0xf5,
            0x9f,
            0xa0,
            0x8f,
            0x90,
          ),
          { maxLength: 8 },
        )
        .map((a) => Uint8Array.from(a)),
      fc.string({ unit: 'binary', maxLength: 8 }).map((s) => new TextEncoder().encode(s)),
    );
    fc.assert(
      fc.property(bytes, (b) => {
        expect(isValidUtf8(b, 0, b.length)).toBe(valid(b));
      }),
      { numRuns: 5000 },
    );
  });

  it('rejects invalid UTF-8 and non-str keys as malformed', () => {
    for (const b of [
      [0xa2, 0xc3, 0x28],
      [0x81, 0xa2, 0xed, 0xa0, 0x80],
      [0x81, 0x01, 0x02],
      [0x81, 0x90, 0x02],
      [0x81, 0xc4, 0x00, 0x02],
    ]) {
      expect(thrown(() => scanFrame(Uint8Array.from(b)))?.code).toBe('BAD_REQUEST');
    }
  });

  it('refuses a 64 MiB array of empty maps at its header, in far less time than decoding a thousandth of it', () => {
    const n = 64 * 1024 * 1024;
    const bomb = new Uint8Array(5 + n).fill(0x80);
    bomb[0] = 0xdd;
    new DataView(bomb.buffer).setUint32(1, n);
    const budget: DecodeBudget = { maxValues: 65_536, maxContainers: 4096, maxDepth: 32, maxStringBytes: 1 << 24 };
    const started = process.hrtime.bigint();
    const error = thrown(() => decodeFrame(bomb, budget));
    const scanNs = Number(process.hrtime.bigint() - started);
    expect(error?.details).toEqual({ limit: 'max_frame_values', max: 65_536 });
    const slice = bomb.subarray(0, 5 + n / 1024);
    new DataView(slice.buffer, slice.byteOffset).setUint32(1, n / 1024 - 0);
    const decodeStarted = process.hrtime.bigint();
    unpackr.unpack(slice);
    expect(scanNs).toBeLessThan(Number(process.hrtime.bigint() - decodeStarted));
  });

  it('keeps the id of a frame whose NDArray is malformed', () => {
    const frame = encodeFrame({
      id: 9,
      type: 'step',
      body: { session_id: 's', actions: { dtype: 'int64', shape: [2], data: new Uint8Array(3) } },
    });
    const error = thrown(() => decodeFrame(frame));
    expect(error?.code).toBe('BAD_REQUEST');
    expect(error?.requestId).toBe(9);
  });
});
