/**
 * Frame <-> bytes, with NDArrays as plain `{dtype, shape, data: bin}` maps. Encoding is our own one-pass
 * canonical encoder (encoder.ts). Decoding is msgpackr's, followed by a walk that turns NDArray maps back into
 * typed arrays viewing the input bytes. Both enforce the value model: plain maps, arrays, strings, numbers,
 * booleans, null and bin; nothing else.
 */
import { Unpackr } from 'msgpackr';
import { describeReceived, isNonNegativeInteger, isPlainMap, truncateText } from './checks.js';
import { VinegymError, badRequest } from './errors.js';
import { EncodeError, encodeValue, encodeValueInto } from './encoder.js';
import { UNLIMITED_BUDGET, scanFrame, type DecodeBudget } from './frame-scan.js';
import { dtypeByteSize, isDType, isShape, shapeSize, typedArrayView } from './ndarray.js';
import type { NDArray } from './types.js';

if (new Uint8Array(new Uint16Array([1]).buffer)[0] !== 1) {
  // NDArray bytes go to and from typed arrays without swapping; that is only right on little-endian hosts.
  throw new Error('@vinegym/protocol requires a little-endian host');
}

const unpackr = new Unpackr({
  useRecords: false,
  mapsAsObjects: true,
  moreTypes: false,
  structuredClone: false,
  int64AsType: 'number', // BigInt never appears outside NDArray data
});

/** Encodes one frame. Object properties whose value is `undefined` are omitted, as in JSON. */
export function encodeFrame(frame: object): Uint8Array {
  return withEncodeErrors(() => encodeValue(frame));
}

/**
 * Encodes one frame into `target` (from its start) for a caller that reuses its buffer once the frame is written:
 * the result is a view of `target`, or of a new, larger buffer when the frame did not fit.
 */
export function encodeFrameInto(frame: object, target: Uint8Array): Uint8Array {
  return withEncodeErrors(() => encodeValueInto(frame, target));
}

function withEncodeErrors(encode: () => Uint8Array): Uint8Array {
  try {
    return encode();
  } catch (err) {
    if (!(err instanceof EncodeError)) throw err;
    const where = err.path.length ? ` at ${err.path.join('')}` : '';
    throw new VinegymError('INTERNAL', `cannot encode ${err.what}${where}`);
  }
}

/**
 * Decodes one frame; anything that is not exactly one valid protocol value throws VinegymError BAD_REQUEST, and a
 * frame whose decoded form would exceed `budget` throws LIMIT_EXCEEDED before anything is decoded (frame-scan.ts).
 * When the value decoded into a map with a valid `id` but something inside is invalid (a malformed NDArray), the
 * error's `requestId` is that id (PROTOCOL.md section 4).
 */
export function decodeFrame(bytes: Uint8Array, budget: Readonly<DecodeBudget> = UNLIMITED_BUDGET): unknown {
  if (!(bytes instanceof Uint8Array)) throw badRequest('frame must be binary');
  if (bytes.byteLength === 0) throw badRequest('empty frame');
  scanFrame(bytes, budget);
  // A plain Uint8Array view, so that bins come out as Uint8Array (not Buffer) and share `source.buffer`.
  const source = new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let value: unknown;
  let end = -1;
  try {
    // unpackMultiple stops after the first value and reports where it ended. (Plain unpack rejects trailing
    // bytes by JSON-stringifying the whole decoded value into its error message: seconds of CPU and hundreds of
    // MB for one large frame with one extra byte.) The scan has already refused trailing bytes.
    unpackr.unpackMultiple(source, (first: unknown, _start?: number, stop?: number) => {
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
    const error = err instanceof RangeError ? badRequest('frame is nested too deeply') : err; // stack overflow
    if (error instanceof VinegymError) {
      const id = isPlainMap(value) ? value.id : undefined;
      if (isNonNegativeInteger(id)) error.requestId = id;
    }
    throw error;
  }
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
        for (let i = 0; i < value.length; i++) {
          const item: unknown = value[i];
          if (typeof item === 'object' && item !== null) value[i] = fromWire(item, source);
          else if (!isScalar(item)) fromWire(item, source); // throws
        }
        return value;
      }
      // Bins are views of the input; a Uint8Array with another buffer came from a msgpackr extension.
      if (value instanceof Uint8Array && value.constructor === Uint8Array && value.buffer === source) return value;
      if (Object.getPrototypeOf(value) !== Object.prototype) break;
      const map = value as Record<string, unknown>;
      if (map.data instanceof Uint8Array && 'dtype' in map && 'shape' in map && Object.keys(map).length === 3) {
        return ndarrayFromWire(map.dtype, map.shape, map.data);
      }
      for (const key in map) {
        // Most entries are scalars (info values, ids): they need no call and no store.
        const item = map[key];
        if (typeof item === 'object' && item !== null) map[key] = fromWire(item, source);
        else if (!isScalar(item)) fromWire(item, source); // throws
      }
      return map;
    }
  }
  throw badRequest('frame contains a value that is not plain MessagePack (extension types are not allowed)');
}

function isScalar(x: unknown): boolean {
  return x === null || typeof x === 'number' || typeof x === 'string' || typeof x === 'boolean';
}

function ndarrayFromWire(dtype: unknown, shape: unknown, bytes: Uint8Array): NDArray {
  if (!isDType(dtype)) throw badRequest(`NDArray with unknown dtype ${describeReceived(dtype)}`);
  if (!isShape(shape)) throw badRequest(`NDArray shape must be non-negative integers`);
  const itemSize = dtypeByteSize(dtype);
  const length = shapeSize(shape);
  if (length * itemSize !== bytes.byteLength) {
    throw badRequest(
      `NDArray ${dtype}${truncateText(JSON.stringify(shape))} needs ${length * itemSize} bytes, got ${bytes.byteLength}`,
    );
  }
  // Typed arrays need offsets aligned to their element size; copy the (rare) misaligned ones.
  const aligned = bytes.byteOffset % itemSize === 0 ? bytes : bytes.slice();
  const data =
    itemSize === 1 && dtype !== 'int8' ? aligned : typedArrayView(dtype, aligned.buffer, aligned.byteOffset, length);
  return { dtype, shape, data } as NDArray;
}
