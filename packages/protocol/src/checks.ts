/** Small structural checks shared by the frame, body and space validators. All failures are BAD_REQUEST. */
import { badRequest } from './errors.js';

export type PlainMap = Record<string, unknown>;

export function isPlainMap(x: unknown): x is PlainMap {
  if (typeof x !== 'object' || x === null || Array.isArray(x)) return false;
  const proto = Object.getPrototypeOf(x);
  return proto === Object.prototype || proto === null;
}

export function isInteger(x: unknown): x is number {
  return Number.isSafeInteger(x);
}

export function isNonNegativeInteger(x: unknown): x is number {
  return Number.isSafeInteger(x) && (x as number) >= 0;
}

/** Characters of client text an error message or detail quotes at most (PROTOCOL.md section 4). */
export const MAX_QUOTED_CHARS = 64;

/** `text` cut to MAX_QUOTED_CHARS, marked with `...` and its length when cut: client text in an error, unquoted. */
export function truncateText(text: string): string {
  if (text.length <= MAX_QUOTED_CHARS) return text;
  return `${text.slice(0, MAX_QUOTED_CHARS)}... (${text.length} characters)`;
}

/** `text` as a JSON string literal for an error message, cut like truncateText. */
export function quote(text: string): string {
  if (text.length <= MAX_QUOTED_CHARS) return JSON.stringify(text);
  return `${JSON.stringify(text.slice(0, MAX_QUOTED_CHARS))}... (${text.length} characters)`;
}

/** A short rendering of a received value for error messages (never the whole value: it may be huge). */
export function describeReceived(x: unknown): string {
  if (x === null) return 'null';
  if (typeof x === 'string') return x.length > 40 ? `a string of length ${x.length}` : JSON.stringify(x);
  if (typeof x === 'number' || typeof x === 'boolean') return String(x);
  if (Array.isArray(x)) return `an array of length ${x.length}`;
  if (x instanceof Uint8Array) return `bin of ${x.byteLength} bytes`;
  if (typeof x === 'object') return 'a map';
  return typeof x;
}

export function expectMap(x: unknown, where: string): PlainMap {
  if (!isPlainMap(x)) throw badRequest(`${where} must be a map, got ${describeReceived(x)}`);
  return x;
}

/** Rejects fields the protocol does not define: a misspelt optional field must not be silently ignored. */
export function rejectUnknownFields(map: PlainMap, allowed: readonly string[], where: string): void {
  for (const key of Object.keys(map)) {
    if (!allowed.includes(key)) throw badRequest(`${where} has unknown field ${quote(key)}`);
  }
}

export function fail(where: string, expectation: string, got: unknown): never {
  throw badRequest(`${where} must be ${expectation}, got ${describeReceived(got)}`);
}
