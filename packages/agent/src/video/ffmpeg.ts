/**
 * Finds the system's ffmpeg, which encodes vinegym's videos (spawned, raw frames piped to its stdin): `VINEGYM_FFMPEG`
 * when set, else `ffmpeg` on PATH. Nothing is bundled: an encoder in the package would be a large native download
 * for a feature many runs never use.
 */
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

export const FFMPEG_MISSING_HINT =
  'install it (Debian/Ubuntu: apt-get install ffmpeg; macOS: brew install ffmpeg; Windows: winget install ffmpeg) ' +
  'or point VINEGYM_FFMPEG at the executable';

/** The path of an executable named `name` on PATH, or null. */
export function findOnPath(name: string, path = process.env.PATH ?? ''): string | null {
  const names = process.platform === 'win32' ? [`${name}.exe`, name] : [name];
  for (const dir of path.split(delimiter)) {
    if (dir === '') continue;
    for (const candidate of names) {
      try {
        accessSync(join(dir, candidate), constants.X_OK);
        return join(dir, candidate);
      } catch {
        // not here
      }
    }
  }
  return null;
}

/** The ffmpeg executable to use, or null when there is none. */
export function findFfmpeg(): string | null {
  const configured = process.env.VINEGYM_FFMPEG;
  if (configured !== undefined && configured !== '') {
    try {
      accessSync(configured, constants.X_OK);
      return configured;
    } catch {
      return null;
    }
  }
  return findOnPath('ffmpeg');
}

/** The ffmpeg executable; throws a message that says how to get one when there is none. */
export function requireFfmpeg(purpose = 'writing videos'): string {
  const found = findFfmpeg();
  if (found) return found;
  const configured = process.env.VINEGYM_FFMPEG;
  const where = configured ? `VINEGYM_FFMPEG=${configured} is not an executable` : 'ffmpeg is not on PATH';
  throw new Error(`${purpose} needs ffmpeg, and ${where}: ${FFMPEG_MISSING_HINT}`);
}
