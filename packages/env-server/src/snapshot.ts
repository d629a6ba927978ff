/**
 * The envelope around an env's state bytes in a snapshot: which env (id + kwargs) it belongs to plus the
 * session's per-env bookkeeping, so a restore can refuse a foreign snapshot and resume time limits exactly.
 *
 * Layout: 4 bytes magic "VGSN", u8 format version (2), u32 LE header length, header (UTF-8 JSON of
 * `SnapshotHeader`), the env's own `getState()` bytes, then a SHA-256 digest of everything before it, so a
 * damaged snapshot is refused instead of restoring a corrupt simulator state.
 */
import { createHash } from 'node:crypto';
import { VinegymError } from '@vinegym/protocol';
import type { EnvKwargs } from './env.js';

const MAGIC = [0x56, 0x47, 0x53, 0x4e]; // "VGSN"
export const SNAPSHOT_FORMAT_VERSION = 2;
const PREFIX_BYTES = 9;
const DIGEST_BYTES = 32;

export type EnvStatus = 'needs_reset' | 'running' | 'ended';

export interface SnapshotHeader {
  env_id: string;
  /** `canonicalKwargs` of the session's kwargs. */
  kwargs: string;
  elapsed_steps: number;
  status: EnvStatus;
  /** Seed from make that the env's first reset will use, if that reset has not happened yet. */
  pending_seed: number | null;
}

/** JSON of the kwargs with sorted keys: equal kwargs give equal strings. */
export function canonicalKwargs(kwargs: EnvKwargs): string {
  return JSON.stringify(
    Object.fromEntries(
      Object.keys(kwargs)
        .sort()
        .map((k) => [k, kwargs[k]]),
    ),
  );
}

export function encodeSnapshot(header: SnapshotHeader, state: Uint8Array): Uint8Array {
  const headerBytes = new TextEncoder().encode(JSON.stringify(header));
  const bodyBytes = PREFIX_BYTES + headerBytes.byteLength + state.byteLength;
  const out = new Uint8Array(bodyBytes + DIGEST_BYTES);
  out.set(MAGIC, 0);
  out[4] = SNAPSHOT_FORMAT_VERSION;
  new DataView(out.buffer).setUint32(5, headerBytes.byteLength, true);
  out.set(headerBytes, PREFIX_BYTES);
  out.set(state, PREFIX_BYTES + headerBytes.byteLength);
  out.set(digest(out.subarray(0, bodyBytes)), bodyBytes);
  return out;
}

function digest(bytes: Uint8Array): Uint8Array {
  return createHash('sha256').update(bytes).digest();
}

/**
 * BAD_REQUEST for a snapshot, or an env's state inside one, written in another format version than this server
 * reads (by an older or newer server). Envs check their state's version before they apply any of it, so the env is
 * unchanged and its session stays usable.
 */
export function formatVersionError(what: string, found: number | string, expected: number): VinegymError {
  return new VinegymError(
    'BAD_REQUEST',
    `${what} has format version ${found}; this server restores version ${expected} only (take the snapshot again on this server)`,
    { found_version: found, expected_version: expected },
  );
}

/** Splits a snapshot into header and env state; BAD_REQUEST if the bytes are not a snapshot of this format. */
export function decodeSnapshot(bytes: unknown): { header: SnapshotHeader; state: Uint8Array } {
  if (!(bytes instanceof Uint8Array) || bytes.byteLength < PREFIX_BYTES || MAGIC.some((b, i) => bytes[i] !== b)) {
    throw new VinegymError('BAD_REQUEST', 'not a vinegym env snapshot');
  }
  if (bytes[4] !== SNAPSHOT_FORMAT_VERSION) throw formatVersionError('snapshot', bytes[4], SNAPSHOT_FORMAT_VERSION);
  const headerLength = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(5, true);
  const bodyBytes = bytes.byteLength - DIGEST_BYTES;
  if (PREFIX_BYTES + headerLength > bodyBytes) throw new VinegymError('BAD_REQUEST', 'truncated snapshot');
  const expected = digest(bytes.subarray(0, bodyBytes));
  if (expected.some((b, i) => b !== bytes[bodyBytes + i])) {
    throw new VinegymError('BAD_REQUEST', 'corrupt snapshot: its checksum does not match its contents');
  }
  let header: SnapshotHeader;
  try {
    header = JSON.parse(new TextDecoder().decode(bytes.subarray(PREFIX_BYTES, PREFIX_BYTES + headerLength)));
  } catch {
    throw new VinegymError('BAD_REQUEST', 'corrupt snapshot header');
  }
  const valid =
    typeof header === 'object' &&
    header !== null &&
    typeof header.env_id === 'string' &&
    typeof header.kwargs === 'string' &&
    Number.isSafeInteger(header.elapsed_steps) &&
    header.elapsed_steps >= 0 &&
    ['needs_reset', 'running', 'ended'].includes(header.status) &&
    (header.pending_seed === null || Number.isSafeInteger(header.pending_seed));
  if (!valid) throw new VinegymError('BAD_REQUEST', 'corrupt snapshot header');
  return { header, state: bytes.slice(PREFIX_BYTES + headerLength, bodyBytes) };
}
