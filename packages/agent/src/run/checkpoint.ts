/**
 * Checkpoints of training state: named Float32Array / Float64Array blobs (stored as raw bytes, restored bit-exactly)
 * plus JSON-serializable values, written atomically.
 *
 * Layout inside a checkpoints directory:
 *   iter-00000042/manifest.json   format, iteration, and per entry either the JSON value or its blob file + crc32c
 *   iter-00000042/0-policy.bin    raw little-endian bytes of one typed array
 *   latest                        name of the newest complete checkpoint (replaced atomically)
 *
 * A checkpoint is assembled in a hidden `.tmp-…` directory next to the final one (every file fsynced), renamed into
 * place, and only then does `latest` move to it. A crash therefore leaves either the previous checkpoint or the new
 * one, never a half-written one. One writer per checkpoints directory is assumed.
 *
 * JSON values go through JSON.stringify: NaN and ±Infinity become null, undefined fields disappear.
 */
import { endianness } from 'node:os';
import { mkdir, readFile, readdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { crc32c } from './crc32c.js';
import { fsyncDirectory, pathExists as exists, writeAndSync, writeFileAtomic } from './atomic-write.js';

export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/** One restored entry: a typed array for blobs, the parsed JSON otherwise. */
export type CheckpointValue = Float32Array | Float64Array | JsonValue;

export interface LoadedCheckpoint {
  iteration: number;
  /** Directory of this checkpoint. */
  path: string;
  state: Record<string, CheckpointValue>;
}

export interface SaveCheckpointOptions {
  /** How many checkpoints (the highest iterations) to keep; older ones are deleted. Default: 3. */
  keep?: number;
}

const FORMAT = 'vinegym-checkpoint';
const FORMAT_VERSION = 1;
const LATEST_POINTER = 'latest';
const MANIFEST = 'manifest.json';
const NAME_PATTERN = /^iter-(\d+)$/;
const TEMP_PREFIX = '.tmp-iter-';
const DEFAULT_KEEP = 3;

type BlobType = 'float32' | 'float64';
type ManifestEntry =
  { type: BlobType; file: string; length: number; crc32c: number } | { type: 'json'; value: JsonValue };
interface Manifest {
  format: typeof FORMAT;
  version: number;
  iteration: number;
  savedAt: string;
  byteOrder: 'LE' | 'BE';
  entries: Record<string, ManifestEntry>;
}

/** Directory name of the checkpoint for `iteration`, e.g. `iter-00000042`. */
export function checkpointName(iteration: number): string {
  return `iter-${String(iteration).padStart(8, '0')}`;
}

/**
 * Saves `state` as the checkpoint for `iteration` in `dir` (created if missing), points `latest` at it and prunes
 * to the newest `keep` checkpoints. Saving an iteration that already has a checkpoint replaces it.
 * Returns the checkpoint's directory.
 */
export async function saveCheckpoint(
  dir: string,
  iteration: number,
  state: Readonly<Record<string, unknown>>,
  options: SaveCheckpointOptions = {},
): Promise<string> {
  if (!Number.isSafeInteger(iteration) || iteration < 0) throw new RangeError(`bad checkpoint iteration ${iteration}`);
  const keep = options.keep ?? DEFAULT_KEEP;
  if (!Number.isInteger(keep) || keep < 1) throw new RangeError(`keep must be a positive integer, got ${keep}`);

  await mkdir(dir, { recursive: true });
  const name = checkpointName(iteration);
  const temp = join(dir, `${TEMP_PREFIX}${iteration}-${process.pid}-${Date.now()}`);
  await mkdir(temp);
  try {
    const manifest = await writeEntries(temp, iteration, state);
    await writeAndSync(join(temp, MANIFEST), JSON.stringify(manifest, null, 1));
    await fsyncDirectory(temp);
    await moveIntoPlace(temp, join(dir, name));
  } catch (error) {
    await rm(temp, { recursive: true, force: true });
    throw error;
  }
  await fsyncDirectory(dir);
  await writeFileAtomic(join(dir, LATEST_POINTER), `${name}\n`);
  await prune(dir, keep, name);
  return join(dir, name);
}

/**
 * Loads the checkpoint named by `latest` in `dir`. If that one is missing or damaged, the newest complete
 * checkpoint that loads is returned instead. Returns undefined when `dir` holds no checkpoint at all.
 */
export async function loadLatestCheckpoint(dir: string): Promise<LoadedCheckpoint | undefined> {
  const pointed = await readLatestPointer(dir);
  const scanned = (await listCheckpoints(dir)).reverse().map((c) => c.name);
  const candidates =
    pointed && scanned.includes(pointed) ? [pointed, ...scanned.filter((n) => n !== pointed)] : scanned;
  let firstError: unknown;
  for (const name of candidates) {
    try {
      return await loadCheckpoint(join(dir, name));
    } catch (error) {
      firstError ??= error;
    }
  }
  if (firstError !== undefined) throw firstError;
  return undefined;
}

/** Loads one checkpoint directory, verifying every blob's length and crc32c. */
export async function loadCheckpoint(path: string): Promise<LoadedCheckpoint> {
  const manifest = JSON.parse(await readFile(join(path, MANIFEST), 'utf8')) as Manifest;
  if (manifest.format !== FORMAT || manifest.version !== FORMAT_VERSION) {
    throw new Error(`${path}: not a ${FORMAT} v${FORMAT_VERSION} checkpoint`);
  }
  if (manifest.byteOrder !== hostByteOrder()) {
    throw new Error(`${path}: saved with byte order ${manifest.byteOrder}, this host is ${hostByteOrder()}`);
  }
  const state: Record<string, CheckpointValue> = {};
  for (const [key, entry] of Object.entries(manifest.entries)) {
    state[key] = entry.type === 'json' ? entry.value : await readBlob(path, key, entry);
  }
  return { iteration: manifest.iteration, path, state };
}

/** Complete checkpoints in `dir` (those with a manifest), oldest first. Empty if `dir` does not exist. */
export async function listCheckpoints(dir: string): Promise<{ name: string; iteration: number }[]> {
  const found: { name: string; iteration: number }[] = [];
  for (const name of await readdirOrEmpty(dir)) {
    const match = NAME_PATTERN.exec(name);
    if (match && (await exists(join(dir, name, MANIFEST)))) found.push({ name, iteration: Number(match[1]) });
  }
  return found.sort((a, b) => a.iteration - b.iteration);
}

async function writeEntries(
  temp: string,
  iteration: number,
  state: Readonly<Record<string, unknown>>,
): Promise<Manifest> {
  const entries: Record<string, ManifestEntry> = {};
  let blobIndex = 0;
  for (const [key, value] of Object.entries(state)) {
    const type = blobType(value);
    if (type) {
      const array = value as Float32Array | Float64Array;
      const bytes = new Uint8Array(array.buffer, array.byteOffset, array.byteLength);
      const file = `${blobIndex++}-${key.replace(/[^A-Za-z0-9._-]/g, '_').slice(0, 64)}.bin`;
      await writeAndSync(join(temp, file), bytes);
      entries[key] = { type, file, length: array.length, crc32c: crc32c(bytes) };
    } else if (ArrayBuffer.isView(value)) {
      throw new TypeError(`checkpoint entry "${key}": only Float32Array and Float64Array are stored as blobs`);
    } else {
      const json = JSON.stringify(value);
      if (json === undefined) throw new TypeError(`checkpoint entry "${key}" is not JSON-serializable`);
      entries[key] = { type: 'json', value: JSON.parse(json) as JsonValue };
    }
  }
  return {
    format: FORMAT,
    version: FORMAT_VERSION,
    iteration,
    savedAt: new Date().toISOString(),
    byteOrder: hostByteOrder(),
    entries,
  };
}

function blobType(value: unknown): BlobType | undefined {
  if (value instanceof Float32Array) return 'float32';
  if (value instanceof Float64Array) return 'float64';
  return undefined;
}

async function readBlob(
  path: string,
  key: string,
  entry: { type: BlobType; file: string; length: number; crc32c: number },
): Promise<Float32Array | Float64Array> {
  const bytes = await readFile(join(path, entry.file));
  const array = entry.type === 'float32' ? new Float32Array(entry.length) : new Float64Array(entry.length);
  if (bytes.byteLength !== array.byteLength) {
    throw new Error(`${path}: entry "${key}" has ${bytes.byteLength} bytes, expected ${array.byteLength}`);
  }
  if (crc32c(bytes) !== entry.crc32c) throw new Error(`${path}: entry "${key}" fails its crc32c check`);
  // Copy into a fresh, aligned buffer (the file buffer's offset need not be a multiple of the element size).
  new Uint8Array(array.buffer).set(bytes);
  return array;
}

/** Renames `temp` to `final`; an existing `final` (same iteration saved again) is moved aside first. */
async function moveIntoPlace(temp: string, final: string): Promise<void> {
  if (!(await exists(final))) {
    await rename(temp, final);
    return;
  }
  const replaced = `${temp}-replaced`;
  await rename(final, replaced);
  await rename(temp, final);
  await rm(replaced, { recursive: true, force: true });
}

async function prune(dir: string, keep: number, justWritten: string): Promise<void> {
  const checkpoints = await listCheckpoints(dir);
  const doomed = checkpoints.slice(0, Math.max(0, checkpoints.length - keep)).filter((c) => c.name !== justWritten);
  for (const { name } of doomed) await rm(join(dir, name), { recursive: true, force: true });
  // Leftovers of saves that crashed midway.
  for (const name of await readdirOrEmpty(dir)) {
    if (name.startsWith(TEMP_PREFIX)) await rm(join(dir, name), { recursive: true, force: true });
  }
}

async function readLatestPointer(dir: string): Promise<string | undefined> {
  try {
    return (await readFile(join(dir, LATEST_POINTER), 'utf8')).trim();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

async function readdirOrEmpty(dir: string): Promise<string[]> {
  try {
    return await readdir(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
}

function hostByteOrder(): 'LE' | 'BE' {
  return endianness();
}

/** A list of arrays as checkpoint entries `prefix.0`, `prefix.1`, ... (e.g. a network's weights). */
export function indexedArrays(prefix: string, list: readonly Float32Array[]): Record<string, Float32Array> {
  return Object.fromEntries(list.map((array, i) => [`${prefix}.${i}`, array]));
}

/** The arrays saved under `prefix.0`, `prefix.1`, ... in index order (the inverse of indexedArrays). */
export function namedArrays(state: Record<string, CheckpointValue>, prefix: string): Float32Array[] {
  return Object.keys(state)
    .filter((k) => k.startsWith(`${prefix}.`) && /^\d+$/.test(k.slice(prefix.length + 1)))
    .sort((a, b) => Number(a.slice(prefix.length + 1)) - Number(b.slice(prefix.length + 1)))
    .map((k) => state[k] as Float32Array);
}
