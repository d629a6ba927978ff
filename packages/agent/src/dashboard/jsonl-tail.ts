/**
 * Follows a JSON-lines file that another process appends to: each poll returns the complete lines added since the
 * last one. A file that shrinks or is replaced (a resumed run rewrites metrics.jsonl up to its checkpoint) starts
 * over, and the poll says so, so a reader can drop what it had.
 */
import { open, stat } from 'node:fs/promises';

export interface TailResult {
  /** True when the file was replaced or truncated: `lines` is then the whole file. */
  reset: boolean;
  lines: string[];
}

export class JsonlTail {
  private offset = 0;
  private inode = -1;
  private partial = '';

  constructor(readonly path: string) {}

  async poll(): Promise<TailResult> {
    let info;
    try {
      info = await stat(this.path);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { reset: false, lines: [] };
      throw error;
    }
    let reset = false;
    if (info.ino !== this.inode || info.size < this.offset) {
      reset = this.inode !== -1;
      this.inode = info.ino;
      this.offset = 0;
      this.partial = '';
    }
    if (info.size === this.offset) return { reset, lines: [] };
    const file = await open(this.path, 'r');
    try {
      const buffer = Buffer.alloc(info.size - this.offset);
      const { bytesRead } = await file.read(buffer, 0, buffer.length, this.offset);
      this.offset += bytesRead;
      const text = this.partial + buffer.subarray(0, bytesRead).toString('utf8');
      const lines = text.split('\n');
      this.partial = lines.pop()!;
      return { reset, lines: lines.filter((line) => line.trim() !== '') };
    } finally {
      await file.close();
    }
  }
}
