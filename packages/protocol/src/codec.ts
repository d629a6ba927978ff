/**
 * Frame <-> bytes. MessagePack via msgpackr, with NDArrays as plain `{dtype, shape, data: bin}` maps.
 *
 * msgpackr would write a typed array either as its private extension or as element-wise garbage, so a walk
 * before packing replaces each NDArray with a map holding a byte view of its data (no element is touched), and a
 * walk after unpacking turns such maps back into typed arrays viewing the input bytes. The walks also enforce the
 * canonical value model: plain maps, arrays, strings, numbers, booleans, null and bin; nothing else.
 */
import { Packr } from 'msgpackr';
import { VinegymError, badRequest } from './errors.js';
import { dtypeByteSize, isDType, isNDArray, isShape, shapeSize, typedArrayView } from './ndarray.js';
import type { NDArray } from './types.js';

if (new Uint8Array(new Uint16Array([1]).buffer)[0] !== 1) {
  // NDArray bytes go to and from typed arrays without swapping; that is only right on little-endian hosts.
  throw new Error('@vinegym/protocol requires a little-endian host');
}

const packr = new Packr({
  useRecords: false,
  mapsAsObjects: true,
  variableMapSize: true, // smallest map header for each size: the canonical form
  moreTypes: false,
  structuredClone: false,
  int64AsType: 'number', // BigInt never appears outside NDArray data
});

const INT32_MIN = -0x8000_0000;
const UINT32_MAX = 0xffff_ffff;

/** Encodes one frame. Object properties whose value is `undefined` are omitted, as in JSON. */
export function encodeFrame(frame: object): Uint8Array {
  const wire = toWire(frame);
  return packr.pack(wire);
}

/** Decodes one frame; anything that is not exactly one valid protocol value throws VinegymError BAD_REQUEST. */
export function decodeFrame(bytes: Uint8Array): unknown {
  if (!(bytes instanceof Uint8Array)) throw badRequest('frame must be binary');
  if (bytes.byteLength === 0) throw badRequest('empty frame');
  // A plain Uint8Array view, so that bins come out as Uint8Array (not Buffer) and share `source.buffer`.
  const source = new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let value: unknown;
  let end = -1;
  try {
    // unpackMultiple stops after the first value and reports where it ended. (Plain unpack rejects trailing
    // bytes by JSON-stringifying the whole decoded value into its error message: seconds of CPU and hundreds of
    // MB for one large frame with one extra byte.)
    packr.unpackMultiple(source, (first: unknown, _start?: number, stop?: number) => {
      value = first;
      end = stop ?? -1;
      return false;
    });
  } catch (err) {
    throw badRequest(`malformed MessagePack: ${err instanceof Error ? err.message.slice(0, 200) : String(err)}`);
  }
  if (end !== source.byteLength) {
    throw badRequest(`malformed MessagePack: ${source.byteLength - end} bytes after the end of the value`);
  }
  try {
    return fromWire(value, source.buffer);
  } catch (err) {
    if (err instanceof RangeError) throw badRequest('frame is nested too deeply'); // stack overflow
    throw err;
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Before packing

class EncodeError extends Error {
  constructor(
    readonly what: string,
    readonly path: string[] = [],
  ) {
    super(what);
  }
}

function toWire(value: unknown): unknown {
  try {
    return prepare(value);
  } catch (err) {
    if (!(err instanceof EncodeError)) throw err;
    const where = err.path.length ? ` at ${err.path.join('')}` : '';
    throw new VinegymError('INTERNAL', `cannot encode ${err.what}${where}`);
  }
}

/** The wire form of `value`; returns `value` itself when nothing inside it needs changing (copy on write). */
function prepare(value: unknown): unknown {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return value;
    case 'number':
      // msgpackr writes integers beyond 32 bits as float64; a bigint makes it write int64.
      return Number.isSafeInteger(value) && (value > UINT32_MAX || value < INT32_MIN) ? BigInt(value) : value;
    case 'object':
      if (value === null || value instanceof Uint8Array) return value;
      if (Array.isArray(value)) return prepareArray(value);
      if (isNDArray(value)) return wireNDArray(value);
      if (isPlainObject(value)) return prepareObject(value);
      throw new EncodeError(ArrayBuffer.isView(value) ? 'a bare typed array (wrap it in an NDArray)' : 'an object that is not a plain map');
    default:
      throw new EncodeError(`a value of type ${typeof value}`);
  }
}

function prepareArray(array: unknown[]): unknown[] {
  let out: unknown[] | undefined;
  for (let i = 0; i < array.length; i++) {
    const item = array[i];
    if (item === undefined) throw new EncodeError('undefined', [`[${i}]`]);
    const wire = withPath(`[${i}]`, item);
    if (wire !== item && out === undefined) out = array.slice(0, i);
    if (out !== undefined) out.push(wire);
  }
  return out ?? array;
}

function prepareObject(object: object): object {
  let out: Record<string, unknown> | undefined;
  const keys = Object.keys(object);
  for (let k = 0; k < keys.length; k++) {
    const key = keys[k];
    const item = (object as Record<string, unknown>)[key];
    const wire = item === undefined ? undefined : withPath(`.${key}`, item);
    if ((item === undefined || wire !== item) && out === undefined) {
      out = {};
      for (let j = 0; j < k; j++) out[keys[j]] = (object as Record<string, unknown>)[keys[j]];
    }
    if (out !== undefined && wire !== undefined) out[key] = wire;
  }
  return out ?? object;
}

function withPath(step: string, item: unknown): unknown {
  try {
    return prepare(item);
  } catch (err) {
    if (err instanceof EncodeError) err.path.unshift(step);
    throw err;
  }
}

function wireNDArray(array: NDArray): { dtype: string; shape: number[]; data: Uint8Array } {
  const { data } = array;
  return { dtype: array.dtype, shape: array.shape, data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength) };
}

function isPlainObject(x: object): boolean {
  const proto = Object.getPrototypeOf(x);
  return proto === Object.prototype || proto === null;
}

// ---------------------------------------------------------------------------------------------------------------
// After unpacking (in place: the decoded tree is ours)

function fromWire(value: unknown, source: ArrayBufferLike): unknown {
  switch (typeof value) {
    case 'string':
    case 'boolean':
    case 'number':
      return value;
    case 'object': {
      if (value === null) return null;
      if (Array.isArray(value)) {
        for (let i = 0; i < value.length; i++) value[i] = fromWire(value[i], source);
        return value;
      }
      // Bins are views of the input; a Uint8Array with another buffer came from a msgpackr extension.
      if (value instanceof Uint8Array && value.constructor === Uint8Array && value.buffer === source) return value;
      if (Object.getPrototypeOf(value) !== Object.prototype) break;
      const map = value as Record<string, unknown>;
      if (map.data instanceof Uint8Array && 'dtype' in map && 'shape' in map && Object.keys(map).length === 3) {
        return ndarrayFromWire(map.dtype, map.shape, map.data);
      }
      for (const key in map) map[key] = fromWire(map[key], source);
      return map;
    }
  }
  throw badRequest('frame contains a value that is not plain MessagePack (extension types are not allowed)');
}

function ndarrayFromWire(dtype: unknown, shape: unknown, bytes: Uint8Array): NDArray {
  if (!isDType(dtype)) throw badRequest(`NDArray with unknown dtype ${JSON.stringify(dtype)}`);
  if (!isShape(shape)) throw badRequest(`NDArray shape must be non-negative integers`);
  const itemSize = dtypeByteSize(dtype);
  const length = shapeSize(shape);
  if (length * itemSize !== bytes.byteLength) {
    throw badRequest(
      `NDArray ${dtype}${JSON.stringify(shape)} needs ${length * itemSize} bytes, got ${bytes.byteLength}`,
    );
  }
  // Typed arrays need offsets aligned to their element size; copy the (rare) misaligned ones.
  const aligned = bytes.byteOffset % itemSize === 0 ? bytes : bytes.slice();
  const data = itemSize === 1 && dtype !== 'int8' ? aligned : typedArrayView(dtype, aligned.buffer, aligned.byteOffset, length);
  return { dtype, shape, data } as NDArray;
}
