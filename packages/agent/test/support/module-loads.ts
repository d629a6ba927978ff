/** Which modules a piece of code loads, observed in a fresh Node process through module hooks (record-loads.mjs). */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO = fileURLToPath(new URL('../../../../', import.meta.url));
const HOOKS = fileURLToPath(new URL('./record-loads.mjs', import.meta.url));

/** Runs `script` (an ES module body; import with file URLs or workspace package names) on the sources, returns the URLs loaded. */
export function modulesLoadedBy(script: string): string[] {
  const dir = mkdtempSync(join(tmpdir(), 'vinegym-loads-'));
  const log = join(dir, 'loads.txt');
  try {
    const run = spawnSync(
      process.execPath,
      ['--conditions=source', '--import', 'tsx', '--import', HOOKS, '--input-type=module', '-e', script],
      {
        cwd: REPO,
        env: { ...process.env, VINEGYM_LOAD_LOG: log },
        encoding: 'utf8',
        timeout: 120_000,
      },
    );
    if (run.status !== 0) throw new Error(`script failed (${run.status}): ${run.stderr}`);
    return readFileSync(log, 'utf8').trim().split('\n');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A file URL of a path in the repository, for import() in a script. */
export const repoUrl = (path: string) => new URL(path, `file://${REPO}`).href;
