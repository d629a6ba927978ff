/**
 * Which server files a client may have an env read (mujoco/custom-v0's `xml_path`): none unless the operator names
 * a directory (ServerOptions.modelDir, CLI --model-dir), and then only regular files inside it, read with a size cap.
 *
 * Every refusal has the same message, whether the path does not exist, lies outside the directory, escapes it
 * through a symlink, or names a directory, device, FIFO or socket: errors must not tell a client what exists on the
 * server. A file is opened with O_NOFOLLOW | O_NONBLOCK (a FIFO cannot block the open) and checked with fstat on
 * the open descriptor before a byte is read, so what is checked is what is read.
 */
import { constants } from 'node:fs';
import { open, realpath } from 'node:fs/promises';
import { isAbsolute, relative, resolve, sep } from 'node:path';
import { VinegymError, quote } from '@vinegym/protocol';

/** Default cap on a model file's size: the server's default max_mjcf_bytes. */
export const DEFAULT_MAX_MODEL_FILE_BYTES = 1024 * 1024;

export interface ModelFileOptions {
  /** Directory whose regular files (and subdirectories' files) clients may name; undefined: none. */
  dir?: string;
  /** Largest file read, in bytes. Default DEFAULT_MAX_MODEL_FILE_BYTES. */
  maxBytes?: number;
}

export class ModelFileReader {
  readonly dir: string | undefined;
  readonly maxBytes: number;
  /** realpath of dir, resolved on first use (the directory may be created after the server starts). */
  private realDir: Promise<string> | null = null;

  constructor(options: ModelFileOptions = {}) {
    this.dir = options.dir === undefined ? undefined : resolve(options.dir);
    this.maxBytes = options.maxBytes ?? DEFAULT_MAX_MODEL_FILE_BYTES;
    if (!Number.isSafeInteger(this.maxBytes) || this.maxBytes < 1)
      throw new RangeError(`maxBytes must be a positive integer, got ${this.maxBytes}`);
  }

  /**
   * The text of `path` (relative to the directory, or absolute inside it). INVALID_KWARGS naming `key` for every
   * path it does not serve, with one message for all of them; a file over the size cap is named as such (only files
   * the operator serves get that far).
   */
  async read(path: string, key: string): Promise<string> {
    const refused = (): VinegymError =>
      new VinegymError(
        'INVALID_KWARGS',
        `${key} ${quote(path)} is not a model file this server serves${this.dir === undefined ? ' (the server reads no model files; send the model as xml)' : ''}`,
        { key },
      );
    if (this.dir === undefined || path.length === 0 || path.includes('\0')) throw refused();
    let bytes: Buffer;
    try {
      const dir = await (this.realDir ??= realpath(this.dir));
      const target = await realpath(resolve(dir, path));
      const inside = relative(dir, target);
      if (inside === '' || inside === '..' || inside.startsWith(`..${sep}`) || isAbsolute(inside)) throw refused();
      bytes = await readRegularFile(target, this.maxBytes, refused, key);
    } catch (error) {
      if (error instanceof VinegymError) throw error;
      this.realDir = null; // the directory may appear or move later
      throw refused();
    }
    return new TextDecoder().decode(bytes);
  }
}

/** The bytes of a regular file of at most maxBytes; `refused()` for anything else. */
async function readRegularFile(
  path: string,
  maxBytes: number,
  refused: () => VinegymError,
  key: string,
): Promise<Buffer> {
  const handle = await open(path, constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0) | (constants.O_NONBLOCK ?? 0));
  try {
    const stat = await handle.stat();
    if (!stat.isFile()) throw refused();
    const tooLarge = (): VinegymError =>
      new VinegymError('INVALID_KWARGS', `the model file is larger than the server's limit of ${maxBytes} bytes`, {
        key,
        limit: 'max_mjcf_bytes',
        max: maxBytes,
      });
    if (stat.size > maxBytes) throw tooLarge();
    // Read at most one byte past the cap, so a file that grows after fstat cannot make us read more.
    const buffer = Buffer.alloc(maxBytes + 1);
    let filled = 0;
    for (;;) {
      const { bytesRead } = await handle.read(buffer, filled, buffer.length - filled, filled);
      if (bytesRead === 0) break;
      filled += bytesRead;
      if (filled > maxBytes) throw tooLarge();
    }
    return buffer.subarray(0, filled);
  } finally {
    await handle.close();
  }
}
