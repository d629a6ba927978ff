/**
 * pnpm bench:viewer-frame — where a drawn frame of the viewer page costs CPU (docs/viewer.md, "The page"). The env
 * server runs as a process of its own (the CLI); this process steps a Hopper-v5 session of one env every few ms,
 * faster than any page draws, and opens the viewer page on it in headless Chromium (WebGL on SwiftShader, the CPU
 * rasterizer). For each page variant (query strings, e.g. `size=320x240`) it measures over BENCH_SECONDS:
 *   - frames drawn per second and the CPU time of every Chromium thread (from /proc), grouped by process type and
 *     thread name (the renderer's main thread runs the page's script, style, layout and paint; its compositor and
 *     raster threads and the GPU process's threads draw and composite), in ms per drawn frame;
 *   - the page's own phases (window.vinegymViewer.phases): the frame request (wall time, request to body), turning
 *     a sample into poses, the three.js render call (the GL commands; SwiftShader draws them in the GPU process),
 *     and the status overlay's text writes.
 *
 *   pnpm bench:viewer-frame     (BENCH_SECONDS per variant, default 8; BENCH_VARIANTS, `;`-separated query
 *                                strings, default: the page's defaults and a few alternatives; BENCH_VIEWPORT,
 *                                default 1000x600; BENCH_CHROMIUM_ARGS, more Chromium flags, space-separated)
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { RemoteVectorEnv } from '@vinegym/agent';
import { findChromium, launchChromium } from '@vinegym/env-server/render';
import { ndarray } from '@vinegym/protocol';
import { descendantPids, threadCpuNs, threadIds } from './processes.js';

interface ViewerState {
  framesDrawn: number;
  phases: Record<string, number>;
  settings: Record<string, unknown>;
}

const SECONDS = Number(process.env.BENCH_SECONDS ?? 8);
const VARIANTS = (process.env.BENCH_VARIANTS ?? ';size=480x360;size=320x240;fps=30').split(';');
const [width, height] = (process.env.BENCH_VIEWPORT ?? '1000x600').split('x').map(Number);
const VIEWPORT = { width, height };
const TOKEN = 'bench-viewer-frame';
const CLI = fileURLToPath(new URL('../packages/env-server/src/cli.ts', import.meta.url));

const chromium = findChromium();
if (chromium === null) {
  console.log('bench:viewer-frame: no Chromium found (apt-get install chromium); nothing to measure');
  process.exit(0);
}
const server = spawn(
  process.execPath,
  ['--import', 'tsx', '--conditions=source', CLI, '--port', '0', '--token', TOKEN, '--workers', '0'],
  { stdio: ['ignore', 'pipe', 'ignore'] },
);
const url = await new Promise<string>((resolve, reject) => {
  createInterface({ input: server.stdout! }).once('line', resolve);
  server.once('exit', (code) => reject(new Error(`the server exited (${code}) before printing its URL`)));
});
const httpUrl = new URL(url).origin.replace(/^ws/, 'http');
const env = await RemoteVectorEnv.connect(url, { envId: 'Hopper-v5', numEnvs: 1, token: TOKEN });
await env.reset({ seed: 0 });
let stepping = true;
const learner = (async () => {
  while (stepping) {
    await env.step(
      ndarray(
        'float32',
        [1, 3],
        Float32Array.from({ length: 3 }, () => Math.random() * 2 - 1),
      ),
    );
    await new Promise((resolve) => setTimeout(resolve, 4));
  }
})();

/** Chromium's process type from its command line (`--type=renderer`, ...); the browser process has none. */
function processType(pid: number): string {
  try {
    const args = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split(/[\0 ]/); // Chromium rewrites its title
    return args.find((a) => a.startsWith('--type='))?.slice(7) ?? 'browser';
  } catch {
    return 'gone';
  }
}
/** CPU ns so far of every live Chromium thread, keyed "process type/thread name" (threads of a kind summed). */
function chromiumThreads(): Map<string, number> {
  const byName = new Map<string, number>();
  for (const pid of descendantPids(process.pid).filter((p) => p !== server.pid)) {
    const type = processType(pid);
    for (const tid of threadIds(pid)) {
      let name: string;
      try {
        name = readFileSync(`/proc/${pid}/task/${tid}/comm`, 'utf8').trim().replace(/\d+$/, '');
      } catch {
        continue;
      }
      const key = `${type}/${name}`;
      byName.set(key, (byName.get(key) ?? 0) + threadCpuNs(pid, tid));
    }
  }
  return byName;
}

const chromiumArgs = (process.env.BENCH_CHROMIUM_ARGS ?? '').split(' ').filter(Boolean);
const browser = await launchChromium(chromium, chromiumArgs);
const loadBefore = loadavg();
console.log(
  `bench:viewer-frame — the viewer page watching Hopper-v5 in headless Chromium (${chromium}${
    chromiumArgs.length > 0 ? ` ${chromiumArgs.join(' ')}` : ''
  }), viewport ${VIEWPORT.width} × ${VIEWPORT.height}; ${SECONDS} s per variant`,
);
for (const variant of VARIANTS) {
  const page = await browser.newPage({ viewport: VIEWPORT });
  await page.goto(`${httpUrl}/viewer${variant ? `?${variant}` : ''}#token=${TOKEN}`);
  await page.locator('#sessions li').first().click();
  await page.waitForFunction(
    () => (window as unknown as { vinegymViewer: ViewerState }).vinegymViewer.framesDrawn >= 5,
  );
  await new Promise((resolve) => setTimeout(resolve, 1000)); // shaders compiled, caches warm
  const read = () => page.evaluate(() => (window as unknown as { vinegymViewer: ViewerState }).vinegymViewer);
  const before = await read();
  const threads0 = chromiumThreads();
  const started = performance.now();
  await new Promise((resolve) => setTimeout(resolve, SECONDS * 1000));
  const threads1 = chromiumThreads();
  const seconds = (performance.now() - started) / 1000;
  const after = await read();
  const frames = after.framesDrawn - before.framesDrawn;
  const perFrame = (ns: number) => ns / 1e6 / Math.max(1, frames);
  const used = [...threads1]
    .map(([key, ns]) => [key, ns - (threads0.get(key) ?? 0)] as const)
    .filter(([, ns]) => ns > 0)
    .sort((a, b) => b[1] - a[1]);
  const total = used.reduce((sum, [, ns]) => sum + ns, 0);
  const { settings } = after;
  console.log(
    `  ${variant || '(defaults)'}: ${(frames / seconds).toFixed(1)} frames/s at ${settings.fps} fps, ` +
      `Chromium ${(total / 1e9 / seconds).toFixed(2)} CPU-s/s, ${perFrame(total).toFixed(1)} ms of CPU per drawn frame`,
  );
  console.log(
    `    page phases per frame: ${Object.keys(after.phases)
      .map((k) => `${k} ${perFrame(1e6 * (after.phases[k] - before.phases[k])).toFixed(2)} ms`)
      .join(', ')}`,
  );
  console.log(
    `    threads, ms per frame: ${used
      .filter(([, ns]) => ns / total > 0.02)
      .map(([key, ns]) => `${key} ${perFrame(ns).toFixed(1)}`)
      .join(', ')}`,
  );
  await page.close();
}
console.log(
  `  load average before ${loadBefore.map((x) => x.toFixed(2)).join(' ')}, after ${loadavg()
    .map((x) => x.toFixed(2))
    .join(' ')}`,
);
stepping = false;
await learner;
await browser.close();
await env.close();
server.kill('SIGINT');
