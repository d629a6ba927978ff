/**
 * pnpm bench:import-cost — how long `import '@vinegym/agent'` takes (goal: < 200 ms), measured the way a user's
 * program pays it: the built package (dist/, rebuilt first if stale), in fresh Node processes, from the start of
 * the import to its end. The reference in the same run: `@vinegym/env-server`, which the agent loaded at import
 * before it stopped depending on the server (its RNG came from there). Runs alternate, 7 each; the median counts.
 * Besides wall time, each process reports the CPU time the import took (user + system, all of Node's threads),
 * which a loaded machine distorts less.
 */
import { spawnSync } from 'node:child_process';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { median } from './stats.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const BENCH = fileURLToPath(new URL('.', import.meta.url));
const RUNS = Number(process.env.BENCH_RUNS ?? 7);
const GOAL_MS = 200;

/** Wall and CPU milliseconds of one import in a fresh process. */
function importMs(specifier: string): { wall: number; cpu: number } {
  const script =
    `const t = performance.now(); const c = process.cpuUsage(); await import(${JSON.stringify(specifier)}); ` +
    `const u = process.cpuUsage(c); console.log(performance.now() - t, (u.user + u.system) / 1000); process.exit(0);`;
  const run = spawnSync(process.execPath, ['--input-type=module', '-e', script], { cwd: BENCH, encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`importing ${specifier} failed: ${run.stderr}`);
  const [wall, cpu] = run.stdout.trim().split(' ').map(Number);
  return { wall, cpu };
}

const load = () =>
  loadavg()
    .map((x) => x.toFixed(2))
    .join(' ');

const build = spawnSync(
  process.execPath,
  [
    `${ROOT}node_modules/typescript/bin/tsc`,
    '-b',
    'packages/rng',
    'packages/protocol',
    'packages/env-server',
    'packages/agent',
  ],
  { cwd: ROOT, encoding: 'utf8' },
);
if (build.status !== 0) throw new Error(`build failed:\n${build.stdout}${build.stderr}`);

console.log(
  `vinegym bench:import-cost — node ${process.version}, ${RUNS} fresh processes each, load average ${load()}\n`,
);
const times: Record<string, { wall: number; cpu: number }[]> = { '@vinegym/agent': [], '@vinegym/env-server': [] };
for (let i = 0; i < RUNS; i++) for (const specifier of Object.keys(times)) times[specifier].push(importMs(specifier));

console.log('| import | median wall ms | min wall ms | max wall ms | median CPU ms |');
console.log('|---|---:|---:|---:|---:|');
for (const [specifier, runs] of Object.entries(times)) {
  const wall = runs.map((r) => r.wall);
  console.log(
    `| ${specifier} | ${median(wall).toFixed(0)} | ${Math.min(...wall).toFixed(0)} | ${Math.max(...wall).toFixed(0)} | ${median(runs.map((r) => r.cpu)).toFixed(0)} |`,
  );
}
const agent = median(times['@vinegym/agent'].map((r) => r.wall));
const server = median(times['@vinegym/env-server'].map((r) => r.wall));
console.log(
  `\n@vinegym/agent: ${agent.toFixed(0)} ms (goal < ${GOAL_MS} ms: ${agent < GOAL_MS ? 'met' : 'NOT met'}); ` +
    `${(server / agent).toFixed(1)}x less than @vinegym/env-server (${server.toFixed(0)} ms), which it used to load. Load average after: ${load()}`,
);
