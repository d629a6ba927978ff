/**
 * The frame encoder: protocol values straight to canonical MessagePack bytes (PROTOCOL.md 3.1) in one pass.
 *
 * A step response is mostly the same few map keys again and again (16 infos with the same six keys, NDArray maps
 * with dtype/shape/data), so keys are encoded once and their bytes cached; NDArrays are written as their wire map
 * with the data copied in as raw bytes. The walk also enforces the value model: plain maps, arrays, strings,
 * numbers, booleans, null, bin (Uint8Array) and NDArrays; anything else throws EncodeError with its path.
 */
import { isNDArray } from './ndarray.js';
import type { NDArray } from './types.js';

export class EncodeError extends Error {
  constructor(
    readonly what: string,
    readonly path: string[] = [],
  ) {
    super(what);
  }
}

/** Bytes of a fresh output buffer; frames share one until it is full (returned frames stay valid). */
const POOL_BYTES = 64 * 1024;
/** A buffer grown beyond this for one large frame is not kept for the next ones. */
const MAX_POOL_BYTES = 1024 * 1024;
/** Map keys whose encoding is cached at most, and the longest cached key; enough for every protocol and info key. */
const KEY_CACHE_ENTRIES = 4096;
const KEY_CACHE_MAX_LENGTH = 64;

const INT32_MIN = -0x8000_0000;
const UINT32_MAX = 0xffff_ffff;

const textEncoder = new TextEncoder();
const keyCache = new Map<string, Uint8Array>();

let pool: Uint8Array = new Uint8Array(POOL_BYTES);
let view: DataView = new DataView(pool.buffer);
/** Where the next frame starts in `pool`. */
let frameStart = 0;
let position = 0;

/** Encodes `value` (a frame: any protocol value); undefined map values are omitted, as in JSON. */
export function encodeValue(value: unknown): Uint8Array {
  position = frameStart;
  try {
    writeValue(value);
  } catch (error) {
    position = frameStart;
    throw error;
  }
  const frame = pool.subarray(frameStart, position);
  frameStart = position;
  if (pool.length > MAX_POOL_BYTES) newPool(POOL_BYTES);
  return frame;
}

/**
 * Encodes `value` into `target` from its start, for a caller that reuses one buffer for its frames: returns a view
 * of `target`, or, when the frame did not fit, a view of a new buffer that holds it (reuse that one next time).
 * The frames of `encodeValue` are not touched.
 */
export function encodeValueInto(value: unknown, target: Uint8Array): Uint8Array {
  const shared = { pool, view, frameStart, position };
  pool = target;
  view = new DataView(target.buffer, target.byteOffset, target.byteLength);
  frameStart = 0;
  position = 0;
  try {
    writeValue(value);
    return pool.subarray(0, position);
  } finally {
    ({ pool, view, frameStart, position } = shared);
  }
}

/** Makes room for `bytes` more bytes, moving the frame so far into a larger buffer if needed. */
function ensure(bytes: number): void {
  if (position + bytes <= pool.length) return;
  const written = pool.subarray(frameStart, position);
  const needed = written.length + bytes;
  // Doubling amortizes frames that grow by small writes; one large write (a rendered frame, a big observation
  // batch) gets what it needs plus room for the rest, not twice that: less garbage, fewer full collections.
  newPool(bytes >= POOL_BYTES ? needed + POOL_BYTES : Math.max(POOL_BYTES, 2 * needed));
  pool.set(written);
  position = written.length;
}

function newPool(bytes: number): void {
  pool = new Uint8Array(bytes);
  view = new DataView(pool.buffer);
  frameStart = 0;
  position = 0;
}

function writeValue(value: unknown): void {
  switch (typeof value) {
    case 'string':
      return writeString(value);
    case 'number':
      return writeNumber(value);
    case 'boolean':
      ensure(1);
      pool[position++] = value ? 0xc3 : 0xc2;
      return;
    case 'object':
      if (value === null) {
        ensure(1);
        pool[position++] = 0xc0;
        return;
      }
      if (value instanceof Uint8Array) return writeBin(value);
      if (Array.isArray(value)) return writeArray(value);
      if (isNDArray(value)) return writeNDArray(value);
      if (isPlainObject(value)) return writeMap(value as Record<string, unknown>);
      throw new EncodeError(
        ArrayBuffer.isView(value) ? 'a bare typed array (wrap it in an NDArray)' : 'an object that is not a plain map',
      );
    default:
      throw new EncodeError(`a value of type ${typeof value}`);
  }
}

/** The canonical number formats (PROTOCOL.md 3.1); -0 is a float64, so that its sign survives. */
function writeNumber(value: number): void {
  ensure(9);
  if (value >>> 0 === value) {
    if (value < 0x80) {
      if (value === 0 && 1 / value < 0) writeFloat64(value);
      else pool[position++] = value;
    } else if (value < 0x100) {
      pool[position++] = 0xcc;
      pool[position++] = value;
    } else if (value < 0x10000) {
      pool[position++] = 0xcd;
      view.setUint16(position, value);
      position += 2;
    } else {
      pool[position++] = 0xce;
      view.setUint32(position, value);
      position += 4;
    }
  } else if (value >> 0 === value) {
    if (value >= -0x20) pool[position++] = 0x100 + value;
    else if (value >= -0x80) {
      pool[position++] = 0xd0;
      pool[position++] = value + 0x100;
    } else if (value >= -0x8000) {
      pool[position++] = 0xd1;
      view.setInt16(position, value);
      position += 2;
    } else {
      pool[position++] = 0xd2;
      view.setInt32(position, value);
      position += 4;
    }
  } else if (Number.isSafeInteger(value) && (value > UINT32_MAX || value < INT32_MIN)) {
    pool[position++] = 0xd3;
    view.setBigInt64(position, BigInt(value));
    position += 8;
  } else writeFloat64(value);
}

function writeFloat64(value: number): void {
  pool[position++] = 0xcb;
  view.setFloat64(position, value);
  position += 8;
}

function writeString(value: string): void {
  // UTF-8 takes at most 3 bytes per UTF-16 unit; the header is sized from the actual byte count afterwards.
  const maxBytes = 3 * value.length;
  ensure(5 + maxBytes);
  const headerBytes = value.length < 11 ? 1 : maxBytes < 0x100 ? 2 : maxBytes < 0x10000 ? 3 : 5;
  const { written } = textEncoder.encodeInto(
    value,
    pool.subarray(position + headerBytes, position + headerBytes + maxBytes),
  );
  const needed = written < 0x20 ? 1 : written < 0x100 ? 2 : written < 0x10000 ? 3 : 5;
  if (needed !== headerBytes)
    pool.copyWithin(position + needed, position + headerBytes, position + headerBytes + written);
  writeHeader(written, needed, 0xa0, 0xd9);
  position += written;
}

/** A str/bin/array/map header: `fixBase | length` in one byte when `bytes` is 1, else 8/16/32-bit lengths. */
function writeHeader(length: number, bytes: number, fixBase: number, firstSized: number): void {
  if (bytes === 1) pool[position++] = fixBase | length;
  else if (bytes === 2) {
    pool[position++] = firstSized;
    pool[position++] = length;
  } else if (bytes === 3) {
    pool[position++] = firstSized + 1;
    view.setUint16(position, length);
    position += 2;
  } else {
    pool[position++] = firstSized + 2;
    view.setUint32(position, length);
    position += 4;
  }
}

function writeKey(key: string): void {
  const encoded = keyCache.get(key);
  if (encoded === undefined) {
    ensure(5 + 3 * key.length); // first, so that the buffer does not move under `start`
    const start = position;
    writeString(key);
    if (key.length > KEY_CACHE_MAX_LENGTH || keyCache.size >= KEY_CACHE_ENTRIES) return;
    keyCache.set(key, pool.slice(start, position));
    return;
  }
  ensure(encoded.length);
  pool.set(encoded, position);
  position += encoded.length;
}

function writeBin(bytes: Uint8Array): void {
  const length = bytes.byteLength;
  ensure(5 + length);
  // bin has no fix form: bin8 0xc4, bin16 0xc5, bin32 0xc6.
  writeHeader(length, length < 0x100 ? 2 : length < 0x10000 ? 3 : 5, 0, 0xc4);
  pool.set(bytes, position);
  position += length;
}

function writeArray(array: unknown[]): void {
  const length = array.length;
  ensure(5);
  writeHeader(length, length < 0x10 ? 1 : length < 0x10000 ? 3 : 5, 0x90, 0xdb);
  for (let i = 0; i < length; i++) {
    const item = array[i];
    try {
      if (item === undefined) throw new EncodeError('undefined');
      writeValue(item);
    } catch (error) {
      throw withStep(error, `[${i}]`);
    }
  }
}

function writeMap(map: Record<string, unknown>): void {
  const keys = Object.keys(map);
  let size = 0;
  for (let k = 0; k < keys.length; k++) if (map[keys[k]] !== undefined) size++;
  ensure(5);
  writeHeader(size, size < 0x10 ? 1 : size < 0x10000 ? 3 : 5, 0x80, 0xdd);
  for (let k = 0; k < keys.length; k++) {
    const key = keys[k];
    const item = map[key];
    if (item === undefined) continue;
    writeKey(key);
    try {
      writeValue(item);
    } catch (error) {
      throw withStep(error, `.${key}`);
    }
  }
}

/** An NDArray as its wire map {dtype, shape, data: bin}: the elements' little-endian bytes, copied once. */
function writeNDArray(array: NDArray): void {
  ensure(1);
  pool[position++] = 0x83;
  writeKey('dtype');
  writeKey(array.dtype);
  writeKey('shape');
  writeArray(array.shape);
  writeKey('data');
  const { data } = array;
  writeBin(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
}

function withStep(error: unknown, step: string): unknown {
  if (error instanceof EncodeError) error.path.unshift(step);
  return error;
}

function isPlainObject(x: object): boolean {
  const proto = Object.getPrototypeOf(x);
  return proto === Object.prototype || proto === null;
}
