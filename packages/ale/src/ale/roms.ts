/**
 * ROM lookup. ROMs are never committed: they are read from an installed ale-py (`<ale_py>/roms/<name>.bin`),
 * located with the repo venv's Python (`.venv/bin/python`), `$ALE_PY_ROMS`, or an explicit directory.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

let cachedDir: string | null = null;

/** Directory holding ale-py's ROMs. */
export function findAleRomDir(options: { romDir?: string; python?: string } = {}): string {
  if (options.romDir) return options.romDir;
  if (process.env.ALE_PY_ROMS) return process.env.ALE_PY_ROMS;
  if (cachedDir) return cachedDir;
  const candidates = [
    options.python,
    join(process.cwd(), '.venv/bin/python'),
    resolve(import.meta.dirname ?? '.', '../../../../.venv/bin/python'),
    'python3',
  ];
  for (const py of candidates) {
    if (!py || (py.includes('/') && !existsSync(py))) continue;
    try {
      const dir = execFileSync(py, ['-c', 'import ale_py, os; print(os.path.dirname(ale_py.__file__))'], {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'ignore'],
      }).trim();
      cachedDir = join(dir, 'roms');
      return cachedDir;
    } catch {
      // try the next interpreter
    }
  }
  throw new Error('ale-py not found: run `pnpm test:setup` (installs ale-py into .venv) or set ALE_PY_ROMS');
}

/** ale-py ROM name for a game id: "Pong" -> "pong", "SpaceInvaders" -> "space_invaders", "BeamRider" -> "beam_rider". */
export function romNameForGame(game: string): string {
  return game
    .replace(/^ALE\//, '')
    .replace(/-v\d+$/, '')
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .toLowerCase();
}

export function loadRom(game: string, options: { romDir?: string } = {}): Uint8Array {
  const path = join(findAleRomDir(options), `${romNameForGame(game)}.bin`);
  if (!existsSync(path)) throw new Error(`ROM ${path} not found`);
  return new Uint8Array(readFileSync(path));
}
