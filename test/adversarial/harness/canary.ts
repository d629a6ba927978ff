/**
 * "Nothing is read from the host": a file holding a random secret that attacks may point the server at (paths in
 * kwargs, plug-ins, ...). The test then checks that the secret never appears in anything the server sent, and, where
 * the file system records access times, that the file was never opened for reading.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface Canary {
  path: string;
  secret: string;
  /** true/false when the file system keeps access times; undefined when it cannot tell. */
  wasRead(): boolean | undefined;
  /** Whether the secret appears in `bytes` (as text or in any printable form). */
  leakedIn(bytes: Uint8Array | string): boolean;
  remove(): void;
}

const DAY_S = 24 * 3600;

export function createCanary(): Canary {
  const dir = mkdtempSync(join(tmpdir(), 'vinegym-canary-'));
  const path = join(dir, 'secret.xml');
  const secret = `canary-${randomBytes(12).toString('hex')}`;
  writeFileSync(path, `<mujoco model="${secret}"><worldbody/></mujoco>\n`);
  // An access time two days before the modification time: any read updates it (even with relatime).
  const arm = () => {
    const { mtimeMs } = statSync(path);
    utimesSync(path, mtimeMs / 1000 - 2 * DAY_S, mtimeMs / 1000);
  };
  arm();
  const armedAt = statSync(path).atimeMs;
  readFileSync(path);
  const recordsReads = statSync(path).atimeMs !== armedAt;
  arm();
  const baseline = statSync(path).atimeMs;
  return {
    path,
    secret,
    wasRead: () => (recordsReads ? statSync(path).atimeMs !== baseline : undefined),
    leakedIn: (bytes) => (typeof bytes === 'string' ? bytes : Buffer.from(bytes).toString('latin1')).includes(secret),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
