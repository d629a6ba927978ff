/**
 * Per-task settings, like RL Zoo's hyperparameter files: `presets/<env id>.json` in this package (a `/` in the id
 * becomes `__`, e.g. `ALE__Pong-v5.json`), a config file like any `--config` file. `vinegym train --env <id>`
 * applies the preset of that env, if there is one, under `--config` and the flags, and says which file it used.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Where the checked-in presets live (the package's `presets/` folder, from src/ and dist/ alike). */
export const PRESETS_DIR = fileURLToPath(new URL('../../presets/', import.meta.url));

export interface Preset {
  path: string;
  values: Record<string, unknown>;
}

export function presetFileName(envId: string): string {
  return `${envId.replace(/\//g, '__')}.json`;
}

/** The preset of `envId` in `dir`, or null when the env has none. */
export async function presetFor(envId: string, dir: string = PRESETS_DIR): Promise<Preset | null> {
  const path = join(dir, presetFileName(envId));
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
  try {
    return { path, values: JSON.parse(text) as Record<string, unknown> };
  } catch (error) {
    throw new Error(`preset ${path} is not valid JSON: ${(error as Error).message}`);
  }
}
