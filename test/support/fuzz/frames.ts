/**
 * fast-check arbitraries of protocol frames for fuzzing: random bytes, well-formed requests of every type with
 * plausible and implausible values, structurally mutated requests, and byte-level mutations of valid frames.
 * Frames are encoded with a small MessagePack writer of our own (below) so that invalid NDArrays, extension
 * types and non-canonical encodings can be produced, which the protocol's own encoder refuses to write.
 */
import fc from 'fast-check';

/** What the generator may refer to: session ids and snapshots seen on the server so far. */
export interface FramePools {
  sessionIds: string[];
  snapshots: Uint8Array[];
}

export type Wire = null | boolean | number | string | Uint8Array | Wire[] | { [key: string]: Wire } | Ext;
/** A MessagePack extension value (protocol v1 forbids them). */
export class Ext {
  constructor(
    readonly type: number,
    readonly data: Uint8Array,
  ) {}
}

// ---------------------------------------------------------------------------------------------------------------
// A minimal MessagePack writer (any value above, non-canonical choices allowed).

export function pack(value: Wire): Uint8Array {
  const out: number[] = [];
  write(value, out);
  return Uint8Array.from(out);
}

function write(v: Wire, out: number[]): void {
  if (v === null) out.push(0xc0);
  else if (v === true || v === false) out.push(v ? 0xc3 : 0xc2);
  else if (typeof v === 'number') writeNumber(v, out);
  else if (typeof v === 'string') {
    const bytes = new TextEncoder().encode(v);
    header(bytes.length, out, 0xa0, 31, 0xd9);
    out.push(...bytes);
  } else if (v instanceof Uint8Array) {
    header(v.length, out, -1, -1, 0xc4);
    for (const b of v) out.push(b);
  } else if (v instanceof Ext) {
    out.push(0xc7, v.data.length & 0xff, v.type & 0xff, ...v.data.subarray(0, 255));
  } else if (Array.isArray(v)) {
    header(v.length, out, 0x90, 15, 0xdc, true);
    for (const item of v) write(item, out);
  } else {
    const entries = Object.entries(v);
    header(entries.length, out, 0x80, 15, 0xde, true);
    for (const [key, item] of entries) {
      write(key, out);
      write(item, out);
    }
  }
}

/** fix form up to `fixMax`, else the 8/16/32-bit form starting at `base8` (arrays and maps have no 8-bit form). */
function header(n: number, out: number[], fix: number, fixMax: number, base8: number, no8 = false): void {
  if (fix >= 0 && n <= fixMax) out.push(fix | n);
  else if (!no8 && n <= 0xff) out.push(base8, n);
  else if (n <= 0xffff) out.push(base8 + (no8 ? 0 : 1), n >> 8, n & 0xff);
  else out.push(base8 + (no8 ? 1 : 2), (n >>> 24) & 0xff, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff);
}

function writeNumber(v: number, out: number[]): void {
  if (Number.isInteger(v) && v >= 0 && v < 128) out.push(v);
  else if (Number.isInteger(v) && v < 0 && v >= -32) out.push(v & 0xff);
  else if (Number.isSafeInteger(v)) {
    const bytes = new Uint8Array(8);
    new DataView(bytes.buffer).setBigInt64(0, BigInt(v));
    out.push(0xd3, ...bytes);
  } else {
    const bytes = new Uint8Array(8);
    new DataView(bytes.buffer).setFloat64(0, v);
    out.push(0xcb, ...bytes);
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Values

const DTYPES = ['bool', 'int8', 'uint8', 'int16', 'uint16', 'int32', 'uint32', 'int64', 'uint64', 'float32', 'float64'];
const ITEM: Record<string, number> = {
  bool: 1,
  int8: 1,
  uint8: 1,
  int16: 2,
  uint16: 2,
  int32: 4,
  uint32: 4,
  int64: 8,
  uint64: 8,
  float32: 4,
  float64: 8,
};

const anyNumber = fc.oneof(
  fc.integer({ min: -5, max: 1100 }),
  fc.constantFrom(
    0,
    1,
    -1,
    2 ** 31,
    2 ** 32,
    2 ** 53 - 1,
    2 ** 53,
    -(2 ** 53),
    1e300,
    Number.NaN,
    Infinity,
    -Infinity,
    0.5,
  ),
  fc.double(),
);

/** Any MessagePack value, small. */
export const anyWire: fc.Arbitrary<Wire> = fc.letrec<{ value: Wire }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constant(null),
    fc.boolean(),
    anyNumber,
    fc.string({ maxLength: 12 }),
    fc.uint8Array({ maxLength: 24 }),
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(fc.string({ maxLength: 8 }), tie('value'), { maxKeys: 4 }),
  ),
})).value;

/** NDArray-like maps: right or wrong dtype, shape and byte length. */
function ndarrayLike(dtypes: string[], shape: fc.Arbitrary<number[]>): fc.Arbitrary<Wire> {
  return fc
    .tuple(
      fc.constantFrom(...dtypes, 'float16', ''),
      shape,
      fc.integer({ min: -2, max: 2 }),
      fc.uint8Array({ maxLength: 1 }),
    )
    .chain(([dtype, dims, skew]) => {
      const size = dims.reduce((a, b) => a * b, 1) * (ITEM[dtype] ?? 1);
      const length = Math.max(0, Math.min(size + (skew === 0 || skew === 1 ? 0 : skew), 64 * 1024));
      return fc
        .uint8Array({ minLength: length, maxLength: length })
        .map((data) => ({ dtype, shape: dims, data }) as Wire);
    });
}

function indexList(): fc.Arbitrary<Wire> {
  return fc.oneof(fc.array(fc.integer({ min: 0, max: 20 }), { maxLength: 6 }), fc.array(anyNumber, { maxLength: 3 }));
}

/** Bodies of every request type, mostly plausible, sometimes not. */
function requestBody(type: string, pools: FramePools): fc.Arbitrary<Wire> {
  const sid = pools.sessionIds.length
    ? fc.oneof(fc.constantFrom(...pools.sessionIds), fc.string({ maxLength: 16 }))
    : fc.string({ maxLength: 16 });
  const optional = <T extends Wire>(a: fc.Arbitrary<T>) => fc.option(a, { nil: undefined, freq: 2 });
  const body = (fields: Record<string, fc.Arbitrary<Wire | undefined>>) =>
    fc.record(fields).map((r) => Object.fromEntries(Object.entries(r).filter(([, v]) => v !== undefined)) as Wire);
  switch (type) {
    case 'hello':
      return body({
        protocol_versions: fc.array(fc.integer({ min: 0, max: 3 }), { maxLength: 3 }),
        client: fc.constant({ name: 'fuzz', version: '0' }),
        token: optional(fc.string()),
      });
    case 'make':
      return body({
        env_id: fc.constantFrom('CartPole-v1', 'CartPole-v0', 'Nope-v1', ''),
        kwargs: optional(
          fc.oneof(
            fc.constant({}),
            fc.dictionary(fc.constantFrom('sutton_barto_reward', 'x', 'render_mode'), anyWire, { maxKeys: 2 }),
          ),
        ),
        num_envs: optional(fc.oneof(fc.integer({ min: 0, max: 40 }), anyNumber)),
        seed: optional(fc.oneof(fc.integer({ min: 0, max: 1000 }), anyNumber, fc.constant(null))),
        autoreset_mode: optional(fc.constantFrom('next_step', 'same_step', 'disabled', 'sometimes')),
      });
    case 'reset':
      return body({
        session_id: sid,
        seed: optional(fc.oneof(fc.integer({ min: 0, max: 1000 }), anyNumber)),
        seeds: optional(fc.array(fc.oneof(fc.integer({ min: 0, max: 99 }), fc.constant(null)), { maxLength: 4 })),
        options: optional(fc.dictionary(fc.string({ maxLength: 4 }), anyWire, { maxKeys: 2 })),
        env_indices: optional(indexList()),
      });
    case 'step':
      return body({
        session_id: sid,
        actions: fc.oneof(
          ndarrayLike(
            ['int64', 'int32', 'uint8'],
            fc.array(fc.integer({ min: 0, max: 40 }), { minLength: 1, maxLength: 2 }),
          ),
          ndarrayLike(DTYPES, fc.array(fc.integer({ min: 0, max: 4 }), { maxLength: 3 })),
          anyWire,
        ),
      });
    case 'snapshot':
      return body({ session_id: sid, env_indices: indexList() });
    case 'restore': {
      const snapshot = pools.snapshots.length
        ? fc.oneof(
            fc.constantFrom(...pools.snapshots),
            fc.constantFrom(...pools.snapshots).chain((s) => mutateBytes(s)),
            fc.uint8Array({ maxLength: 200 }),
          )
        : fc.uint8Array({ maxLength: 200 });
      return body({
        session_id: sid,
        env_index: fc.oneof(fc.integer({ min: 0, max: 20 }), anyNumber),
        snapshot: fc.oneof(snapshot, anyWire),
      });
    }
    case 'render':
      return body({ session_id: sid, env_index: fc.oneof(fc.integer({ min: 0, max: 20 }), anyNumber) });
    case 'close':
      return body({ session_id: sid });
    default:
      return fc.oneof(fc.constant({}), anyWire);
  }
}

const TYPES = ['hello', 'list', 'make', 'reset', 'step', 'snapshot', 'restore', 'render', 'close'];
/** Relative frequencies: steps and resets dominate (as in real traffic), renders are expensive and rare. */
const TYPE_WEIGHTS: Record<string, number> = {
  hello: 1,
  list: 1,
  make: 2,
  reset: 6,
  step: 14,
  snapshot: 4,
  restore: 5,
  render: 1,
  close: 1,
};

/** A well-formed request frame object (the body may still be invalid). */
export function requestObject(pools: FramePools): fc.Arbitrary<{ [key: string]: Wire }> {
  return fc
    .oneof(...TYPES.map((type) => ({ weight: TYPE_WEIGHTS[type], arbitrary: fc.constant(type) })))
    .chain((type) =>
      fc.record({
        id: fc.integer({ min: 0, max: 2 ** 31 }),
        type: fc.constant(type as Wire),
        body: requestBody(type, pools),
      }),
    );
}

/** Byte-level mutations: flips, overwrites with interesting bytes, insertions, deletions, truncation, ext/0xc1. */
export function mutateBytes(bytes: Uint8Array): fc.Arbitrary<Uint8Array> {
  const interesting = fc.constantFrom(
    0x00,
    0xff,
    0xc1,
    0xd4,
    0xc7,
    0xdd,
    0xdf,
    0xcf,
    0xcb,
    0x7f,
    0x80,
    0x90,
    0xa0,
    0xc0,
  );
  const edit = fc.oneof(
    fc.tuple(fc.constant('flip'), fc.nat(), fc.integer({ min: 0, max: 7 })),
    fc.tuple(fc.constant('set'), fc.nat(), interesting),
    fc.tuple(fc.constant('insert'), fc.nat(), interesting),
    fc.tuple(fc.constant('delete'), fc.nat(), fc.constant(0)),
    fc.tuple(fc.constant('truncate'), fc.nat(), fc.constant(0)),
    fc.tuple(fc.constant('append'), fc.nat(), interesting),
  );
  return fc.array(edit, { minLength: 1, maxLength: 4 }).map((edits) => {
    let b = Array.from(bytes);
    for (const [kind, at, x] of edits) {
      const i = b.length === 0 ? 0 : at % b.length;
      if (kind === 'flip' && b.length) b[i] ^= 1 << x;
      else if (kind === 'set' && b.length) b[i] = x;
      else if (kind === 'insert') b.splice(i, 0, x);
      else if (kind === 'delete') b.splice(i, 1);
      else if (kind === 'truncate') b = b.slice(0, i);
      else if (kind === 'append') b.push(x);
    }
    return Uint8Array.from(b);
  });
}

/** Replaces one field of the frame or its body with an arbitrary value, or deletes it, or adds one. */
function structurallyMutated(pools: FramePools): fc.Arbitrary<Wire> {
  return fc
    .tuple(requestObject(pools), fc.nat(), anyWire, fc.constantFrom('replace', 'delete', 'add'))
    .map(([frame, at, value, how]) => {
      const target =
        at % 2 === 0 &&
        frame.body &&
        typeof frame.body === 'object' &&
        !Array.isArray(frame.body) &&
        !(frame.body instanceof Uint8Array)
          ? (frame.body as Record<string, Wire>)
          : frame;
      const keys = Object.keys(target);
      const key = keys.length ? keys[at % keys.length] : 'x';
      if (how === 'replace') target[key] = value;
      else if (how === 'delete') delete target[key];
      else target[`extra${at % 3}`] = value;
      return frame;
    });
}

/** Frames to send: each entry is the raw bytes of one binary WebSocket message. */
export function frameBytes(pools: FramePools): fc.Arbitrary<Uint8Array> {
  return fc.oneof(
    { weight: 2, arbitrary: fc.uint8Array({ minLength: 1, maxLength: 64 }) },
    { weight: 6, arbitrary: requestObject(pools).map((f) => pack(f)) },
    { weight: 3, arbitrary: structurallyMutated(pools).map((f) => pack(f)) },
    { weight: 4, arbitrary: requestObject(pools).chain((f) => mutateBytes(pack(f))) },
    {
      weight: 1,
      arbitrary: fc
        .tuple(requestObject(pools), fc.uint8Array({ maxLength: 8 }))
        .map(([f, data]) => pack({ ...f, body: { ...(f.body as object), ext: new Ext(1, data) } })),
    },
    { weight: 1, arbitrary: anyWire.map((v) => pack(v)) },
  );
}

/**
 * `count` cheap byte-level mutants of `bytes` (xorshift32 from `seed`): multiplies the frames fast-check
 * generates without its per-value overhead, so that 10^6 frames take minutes, not hours.
 */
export function quickMutants(bytes: Uint8Array, seed: number, count: number): Uint8Array[] {
  let state = seed >>> 0 || 0x9e3779b9;
  const next = () => {
    state ^= state << 13;
    state >>>= 0;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>>= 0);
  };
  const out: Uint8Array[] = [];
  for (let k = 0; k < count; k++) {
    let b = bytes.slice();
    for (let edits = 1 + (next() % 3); edits > 0; edits--) {
      const at = b.length ? next() % b.length : 0;
      switch (next() % 5) {
        case 0:
          if (b.length) b[at] ^= 1 << (next() % 8);
          break;
        case 1:
          if (b.length) b[at] = next() & 0xff;
          break;
        case 2:
          b = b.subarray(0, at);
          break;
        case 3: {
          const grown = new Uint8Array(b.length + 1);
          grown.set(b.subarray(0, at));
          grown[at] = next() & 0xff;
          grown.set(b.subarray(at), at + 1);
          b = grown;
          break;
        }
        default:
          if (b.length) b = Uint8Array.from([...b.subarray(0, at), ...b.subarray(at + 1)]);
      }
    }
    if (b.length === 0) b = Uint8Array.of(next() & 0xff);
    out.push(b);
  }
  return out;
}
