/** `vinegym dashboard <run dirs...>`: the training dashboard over finished (or running) runs, until Ctrl-C. */
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { CONFIG_FILE } from '../run/run-directory.js';

export const DASHBOARD_USAGE = 'vinegym dashboard <run dirs...> [--port 6060] [--host 127.0.0.1] [--token <secret>]';

export async function dashboardCommand(argv: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { port: { type: 'string' }, host: { type: 'string' }, token: { type: 'string' } },
  });
  if (positionals.length === 0) throw new Error(`dashboard needs run directories: ${DASHBOARD_USAGE}`);
  const runDirs = (await Promise.all(positionals.map(runsIn))).flat();
  const { startDashboard } = await import('../dashboard/server.js');
  const dashboard = await startDashboard({
    runDirs,
    port: parsePort(values.port),
    host: values.host,
    token: values.token,
  });
  console.log(
    `dashboard of ${runDirs.length} run${runDirs.length === 1 ? '' : 's'}: ${dashboard.url}   (Ctrl-C to stop)`,
  );
  await new Promise<void>((resolve) => process.once('SIGINT', resolve));
  await dashboard.close();
}

/** `dir` itself when it holds a run; else the runs directly inside it (so `vinegym dashboard runs/` shows them all). */
async function runsIn(dir: string): Promise<string[]> {
  if (await isFile(join(dir, CONFIG_FILE))) return [dir];
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  const runs: string[] = [];
  for (const entry of entries.sort((a, b) => a.name.localeCompare(b.name))) {
    if (entry.isDirectory() && (await isFile(join(dir, entry.name, CONFIG_FILE)))) runs.push(join(dir, entry.name));
  }
  if (runs.length === 0) throw new Error(`${dir} is not a run directory and holds none (no ${CONFIG_FILE})`);
  return runs;
}

const isFile = (path: string) =>
  stat(path).then(
    (s) => s.isFile(),
    () => false,
  );

/** A port number from the command line (undefined: the default; 0: any free port). */
export function parsePort(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const port = Number(text);
  if (!Number.isInteger(port) || port < 0 || port > 65_535)
    throw new Error(`a port is an integer from 0 to 65535, got '${text}'`);
  return port;
}
