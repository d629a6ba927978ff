/**
 * A pass over a frame's MessagePack headers, before anything is decoded: it checks that the bytes are exactly one
 * well-formed protocol value (PROTOCOL.md section 3: no extension types, str map keys, valid UTF-8, nothing after
 * the value) and that its decoded form fits a budget (section 9.1). It allocates nothing but its stack, and it
 * rejects an oversized container at its header, so a 64 MiB array of empty maps costs microseconds instead of
 * tens of millions of objects.
 */
import { rejection } from './errors.js';
import type { VinegymError } from './errors.js';

/** Limits on the decoded form of one frame (PROTOCOL.md 9.1). */
export interface DecodeBudget {
  /** Values: the frame itself, every array element, every map key and every map value. */
  maxValues: number;
  /** Maps and arrays. */
  maxContainers: number;
  /** Nesting depth: the frame is at depth 1, a container at depth d holds values at depth d + 1. */
  maxDepth: number;
  /** Bytes of one str. */
  maxStringBytes: number;
  /** Names of the four limits as reported in errors (`details.limit`); default the section 9 entry names. */
  names?: DecodeBudgetNames;
}

export interface DecodeBudgetNames {
  values: string;
  containers: string;
  depth: string;
  stringBytes: string;
}

/** No limits: only well-formedness is checked (what a client decoding a trusted server's frames uses). */
export const UNLIMITED_BUDGET: Readonly<DecodeBudget> = {
  maxValues: Infinity,
  maxContainers: Infinity,
  maxDepth: Infinity,
  maxStringBytes: Infinity,
};

const DEFAULT_NAMES: DecodeBudgetNames = {
  values: 'max_frame_values',
  containers: 'max_frame_containers',
  depth: 'max_frame_depth',
  stringBytes: 'max_string_bytes',
};

/** Values still to read in each enclosing container (the innermost one is in locals); keys and values both count. */
let outerRemaining = new Int32Array(64);
/** Whether each enclosing container is a map (its even-numbered items from the end are keys). */
let outerIsMap = new Uint8Array(64);

/**
 * Throws VinegymError BAD_REQUEST if `bytes` is not exactly one well-formed value, LIMIT_EXCEEDED (details `limit`,
 * `max`) if its decoded form exceeds `budget`.
 */
export function scanFrame(bytes: Uint8Array, budget: Readonly<DecodeBudget> = UNLIMITED_BUDGET): void {
  const end = bytes.length;
  const { maxValues, maxContainers, maxDepth, maxStringBytes } = budget;
  if (maxValues < 1) throw overBudget(budget, 'values', maxValues, 'too many values');
  let pos = 0;
  let values = 1;
  let containers = 0;
  /** Containers enclosing the innermost one. */
  let depth = 0;
  // The innermost open container: values still to read in it, and whether it is a map. The frame itself is read as
  // the one value of a pseudo-container at depth 0.
  let remaining = 1;
  let inMap = false;

  for (;;) {
    if (pos >= end) throw truncated();
    // In a map of n entries `remaining` starts at 2n: a key is due whenever it is even.
    const expectKey = inMap && (remaining & 1) === 0;
    const b = bytes[pos++];
    let length = -1; // of a str or bin payload
    let items = -1; // of a new container: values it holds
    let map = false;
    if (b <= 0x7f || b >= 0xe0) {
      // positive or negative fixint
      if (expectKey) throw nonStringKey();
    } else if (b >= 0xa0 && b <= 0xbf) {
      length = b & 0x1f;
    } else if (b <= 0x8f) {
      items = 2 * (b & 0x0f);
      map = true;
    } else if (b <= 0x9f) {
      items = b & 0x0f;
    } else {
      switch (b) {
        case 0xd9: // str 8
          length = readLength(bytes, pos, 1);
          pos += 1;
          break;
        case 0xda:
          length = readLength(bytes, pos, 2);
          pos += 2;
          break;
        case 0xdb:
          length = readLength(bytes, pos, 4);
          pos += 4;
          break;
        case 0xc0: // nil
        case 0xc2: // false
        case 0xc3: // true
          break;
        case 0xc4: // bin 8
          length = readLength(bytes, pos, 1);
          pos += 1;
          break;
        case 0xc5:
          length = readLength(bytes, pos, 2);
          pos += 2;
          break;
        case 0xc6:
          length = readLength(bytes, pos, 4);
          pos += 4;
          break;
        case 0xca: // float 32
        case 0xce: // uint 32
        case 0xd2: // int 32
          pos += 4;
          break;
        case 0xcb: // float 64
        case 0xcf: // uint 64
        case 0xd3: // int 64
          pos += 8;
          break;
        case 0xcc: // uint 8
        case 0xd0: // int 8
          pos += 1;
          break;
        case 0xcd: // uint 16
        case 0xd1: // int 16
          pos += 2;
          break;
        case 0xdc: // array 16
          items = readLength(bytes, pos, 2);
          pos += 2;
          break;
        case 0xdd:
          items = readLength(bytes, pos, 4);
          pos += 4;
          break;
        case 0xde: // map 16
          items = 2 * readLength(bytes, pos, 2);
          pos += 2;
          map = true;
          break;
        case 0xdf:
          items = 2 * readLength(bytes, pos, 4);
          pos += 4;
          map = true;
          break;
        case 0xc1:
          throw malformed('malformed MessagePack: the never-used byte 0xc1');
        default:
          throw malformed('malformed MessagePack: extension types are not allowed');
      }
      if (pos > end) throw truncated();
      if (expectKey && !(b >= 0xd9 && b <= 0xdb)) throw nonStringKey();
    }
    if (length >= 0) {
      const stop = pos + length;
      if (stop > end) throw truncated();
      if (b <= 0xbf || b >= 0xd9) {
        // str: ASCII inline, anything else through the full check
        if (length > maxStringBytes)
          throw overBudget(budget, 'stringBytes', maxStringBytes, `a str of ${length} bytes`);
        let i = pos;
        while (i < stop && bytes[i] < 0x80) i++;
        if (i < stop && !isValidUtf8(bytes, i, stop))
          throw malformed('malformed MessagePack: a str is not valid UTF-8');
      } else if (expectKey) throw nonStringKey();
      pos = stop;
    } else if (items >= 0) {
      if (expectKey) throw nonStringKey();
      containers++;
      if (containers > maxContainers) throw overBudget(budget, 'containers', maxContainers, 'too many maps and arrays');
      if (depth + 1 > maxDepth) throw overBudget(budget, 'depth', maxDepth, 'nested too deeply');
      values += items;
      if (values > maxValues) throw overBudget(budget, 'values', maxValues, 'too many values');
      // Every value takes at least one byte: a count beyond the bytes left cannot be satisfied.
      if (items > end - pos) throw truncated();
      if (items > 0) {
        if (depth === outerRemaining.length) growStack();
        outerRemaining[depth] = remaining;
        outerIsMap[depth] = inMap ? 1 : 0;
        depth++;
        remaining = items;
        inMap = map;
        continue; // the container's first item is next
      }
    }
    // One value is complete: count it off its container, and close the containers that are now full.
    while (--remaining === 0) {
      if (depth === 0) {
        if (pos !== end) throw malformed(`malformed MessagePack: ${end - pos} bytes after the end of the value`);
        return;
      }
      depth--;
      remaining = outerRemaining[depth];
      inMap = outerIsMap[depth] === 1;
    }
  }
}

function readLength(bytes: Uint8Array, pos: number, size: 1 | 2 | 4): number {
  if (pos + size > bytes.length) throw truncated();
  if (size === 1) return bytes[pos];
  if (size === 2) return (bytes[pos] << 8) | bytes[pos + 1];
  return bytes[pos] * 0x1000000 + ((bytes[pos + 1] << 16) | (bytes[pos + 2] << 8) | bytes[pos + 3]);
}

function growStack(): void {
  const grownRemaining = new Int32Array(outerRemaining.length * 2);
  grownRemaining.set(outerRemaining);
  const grownIsMap = new Uint8Array(outerIsMap.length * 2);
  grownIsMap.set(outerIsMap);
  outerRemaining = grownRemaining;
  outerIsMap = grownIsMap;
}

/** UTF-8 as RFC 3629 defines it: no overlong forms, no surrogates, nothing above U+10FFFF. */
export function isValidUtf8(bytes: Uint8Array, start: number, end: number): boolean {
  let i = start;
  while (i < end) {
    const b = bytes[i];
    if (b < 0x80) {
      i++;
      continue;
    }
    let continuation: number;
    let low = 0x80; // bounds of the first continuation byte
    let high = 0xbf;
    if (b >= 0xc2 && b <= 0xdf) continuation = 1;
    else if (b >= 0xe0 && b <= 0xef) {
      continuation = 2;
      if (b === 0xe0)
        low = 0xa0; // overlong
      else if (b === 0xed) high = 0x9f; // surrogates
    } else if (b >= 0xf0 && b <= 0xf4) {
      continuation = 3;
      if (b === 0xf0)
        low = 0x90; // overlong
      else if (b === 0xf4) high = 0x8f; // above U+10FFFF
    } else return false;
    if (i + continuation >= end) return false;
    const first = bytes[i + 1];
    if (first < low || first > high) return false;
    for (let k = 2; k <= continuation; k++) {
      const c = bytes[i + k];
      if (c < 0x80 || c > 0xbf) return false;
    }
    i += continuation + 1;
  }
  return true;
}

function malformed(message: string): VinegymError {
  return rejection('BAD_REQUEST', message);
}

function truncated(): VinegymError {
  return malformed('malformed MessagePack: the frame ends inside a value');
}

function nonStringKey(): VinegymError {
  return malformed('malformed MessagePack: map keys must be str');
}

function overBudget(
  budget: Readonly<DecodeBudget>,
  which: keyof DecodeBudgetNames,
  max: number,
  what: string,
): VinegymError {
  const limit = (budget.names ?? DEFAULT_NAMES)[which];
  return rejection('LIMIT_EXCEEDED', `frame over the decode budget (${what}; ${limit} is ${max}); it was not decoded`, {
    limit,
    max,
  });
}
