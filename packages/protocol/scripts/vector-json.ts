/**
 * The JSON notation of test vector messages, shared by the generator and the vectors test. Plain JSON, except:
 *   {"$ndarray": {"dtype", "shape", "values": [...]}}  an NDArray; values flat row-major; floats may be the strings
 *                                                     "NaN", "Infinity", "-Infinity"; 64-bit ints may be decimal
 *                                                     strings; bool values are true/false; "-0" is
 *                                                     negative zero
 *   {"$bin": "<hex>"}                                  MessagePack bin
 *   {"$float": "NaN" | "Infinity" | "-Infinity" | "-0"} a non-finite float64 or -0.0 outside an NDArray
 * A JSON number that is an integer is a MessagePack int; any other number is a float64.
 */
import { isBigIntDType, isFloatDType, isNDArray, ndarray } from '../src/ndarray.js';
import type { DType } from '../src/types.js';

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

export function toVectorJson(value: unknown): Json {
  if (value === null || typeof value === 'boolean' || typeof value === 'string') return value;
  if (typeof value === 'number') {
    if (Object.is(value, -0)) return { $float: '-0' }; // JSON has no negative zero
    return Number.isFinite(value) ? value : { $float: String(value) };
  }
  if (value instanceof Uint8Array) return { $bin: Buffer.from(value).toString('hex') };
  if (Array.isArray(value)) return value.map(toVectorJson);
  if (isNDArray(value)) {
    const values = Array.from(value.data as ArrayLike<number | bigint>, (v) => elementJson(value.dtype, v));
    return { $ndarray: { dtype: value.dtype, shape: value.shape, values } };
  }
  if (typeof value === 'object') {
    const out: { [key: string]: Json } = {};
    for (const [key, item] of Object.entries(value)) if (item !== undefined) out[key] = toVectorJson(item);
    return out;
  }
  throw new TypeError(`no vector notation for ${typeof value}`);
}

function elementJson(dtype: DType, v: number | bigint): Json {
  if (dtype === 'bool') return v !== 0;
  if (typeof v === 'bigint') return Number.isSafeInteger(Number(v)) ? Number(v) : v.toString();
  if (Object.is(v, -0)) return '-0';
  return Number.isFinite(v) ? v : String(v);
}

export function fromVectorJson(json: Json): unknown {
  if (json === null || typeof json !== 'object') return json;
  if (Array.isArray(json)) return json.map(fromVectorJson);
  const keys = Object.keys(json);
  if (keys.length === 1 && keys[0] === '$bin') return Uint8Array.from(Buffer.from(json.$bin as string, 'hex'));
  if (keys.length === 1 && keys[0] === '$float') return Number(json.$float);
  if (keys.length === 1 && keys[0] === '$ndarray') {
    const { dtype, shape, values } = json.$ndarray as { dtype: DType; shape: number[]; values: Json[] };
    const parse = (v: Json): number | bigint => {
      if (isBigIntDType(dtype)) return BigInt(v as number | string);
      if (isFloatDType(dtype)) return Number(v);
      return v === true ? 1 : v === false ? 0 : (v as number);
    };
    return ndarray(dtype, shape, values.map(parse));
  }
  const out: Record<string, unknown> = {};
  for (const key of keys) out[key] = fromVectorJson(json[key]);
  return out;
}
