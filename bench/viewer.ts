/**
 * pnpm bench:viewer — what watching costs the watched session (docs/viewer.md). The env server runs as users run
 * it (the CLI, its own process, `--workers 0`: the viewer's samples are taken on the very thread that steps, the
 * worst case); this process is the learner, stepping a Hopper-v5 session of 16 envs over loopback WebSocket with
 * uniform random actions. Cases, in short slices:
 *   alone       no viewer (the viewer page is open on the session in the browser, but hidden like a background tab);
 *   poller      a viewer's request pattern from its own process: one frame request in flight, the next one
 *               16.7 ms after the last answer (the most a page asks for), no browser;
 *   browser     the real viewer page in headless Chromium watching the session (three.js on SwiftShader, i.e.
 *               WebGL drawn by the CPU);
 *   burn        control, no viewer: a process (bench/busy-process.ts) where Chromium runs, using as much CPU time
 *               per second as Chromium did in this run's browser slices so far, in bursts at its frame rate;
 *   stream      the same, but its bursts stream memory (1 MiB copies through 64 MiB) as a rasterizer writes
 *               frames: if burn or stream slows the learner as much as the browser, the browser's cost is the
 *               machine's shared resources (caches, memory, the host under the VM), not watching.
 * under two placements of the processes, each with its own `alone` reference:
 *   shared      no pinning, all at the same priority: the browser competes with the server and the learner for
 *               the same cores (a browser on the env server's machine);
 *   split       the server pinned to one CPU, everything else (learner, poller, Chromium) to the other, with the
 *               poller and Chromium at nice 19 there: a viewer on another machine, which costs the server only
 *               what it asks of it, and whose drawing does not slow the learner either;
 *   isolated    server and learner pinned to one CPU, the poller and Chromium to the other CPU alone: the
 *               viewer's drawing competes with neither, so what remains is what the server pays for the frames.
 * Each round runs every case of every placement once, in an order rotated from round to round, each case between
 * two `alone` slices (alone, c1, alone, c2, ..., alone), so that drifts (JIT warm-up, other jobs on the machine)
 * fall on every case alike and a case is compared with the slices right before and after it. Per slice it measures
 * the session's env steps per second and the server's CPU time per env step (its main thread, from /proc:
 * nanoseconds on a CPU, so time the thread waits for a core does not count). A case's cost is the median over
 * rounds of its ratio to the mean of its two neighbouring `alone` slices, with a 95 % bootstrap interval: the
 * interval, not the median, says whether the run resolves 5 %.
 *
 *   pnpm bench:viewer     (BENCH_SECONDS per slice, default 2; BENCH_ROUNDS, default 24; BENCH_CASES, of
 *                          poller,browser,burn,stream, default all; BENCH_PLACEMENTS, of shared,split,isolated,
 *                          default isolated; BENCH_WORKERS, the server's --workers, default 0)
 */
import { spawn } from 'node:child_process';
import { loadavg } from 'node:os';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { RemoteVectorEnv } from '@vinegym/agent';
import { findChromium, launchChromium } from '@vinegym/env-server/render';
import { ndarray } from '@vinegym/protocol';
import { allowedCpus, cpuList, descendantPids, pin, processCpuNs, renice, threadCpuNs } from './processes.js';
import { median, medianInterval } from './stats.js';

/** What the viewer page exposes on window for scripts like this one. */
interface ViewerWindow {
  vinegymViewer: { framesDrawn: number };
}

const SLICE_MS = 1000 * Number(process.env.BENCH_SECONDS ?? 2);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 24);
/** Time for a viewer to start or stop after being told, before a slice is measured. */
const SETTLE_MS = 150;
const NUM_ENVS = 16;
/** The server's worker threads per session: 0 (default here) samples on the stepping thread, the worst case. */
const WORKERS = Number(process.env.BENCH_WORKERS ?? 0);
const TOKEN = 'bench-viewer';
const CLI = fileURLToPath(new URL('../packages/env-server/src/cli.ts', import.meta.url));

const server = spawn(
  process.execPath,
  ['--import', 'tsx', '--conditions=source', CLI, '--port', '0', '--token', TOKEN, '--workers', String(WORKERS)],
  { stdio: ['ignore', 'pipe', 'pipe'] },
);
server.stderr!.resume(); // its log (info, the CLI's default) is read and dropped, as a terminal would show it
const url = await new Promise<string>((resolve, reject) => {
  createInterface({ input: server.stdout! }).once('line', resolve);
  server.once('exit', (code) => reject(new Error(`the server exited (${code}) before printing its URL`)));
});
const serverPid = server.pid!;
const serverChildren = new Set(descendantPids(serverPid)); // none today: --workers 0 runs the envs in its process
const httpUrl = new URL(url).origin.replace(/^ws/, 'http');
const env = await RemoteVectorEnv.connect(url, { envId: 'Hopper-v5', numEnvs: NUM_ENVS, token: TOKEN });
await env.reset({ seed: 0 });
const sessionId = env.spec.session_id;
const actions = Array.from({ length: 64 }, () =>
  ndarray(
    'float32',
    [NUM_ENVS, 3],
    Float32Array.from({ length: 3 * NUM_ENVS }, () => Math.random() * 2 - 1),
  ),
);

interface Stepped {
  envSteps: number;
  seconds: number;
  serverNs: number; // the server's main thread
  serverAllNs: number; // all its threads (GC helpers, libuv pool)
}

async function stepFor(ms: number): Promise<Stepped> {
  const main0 = threadCpuNs(serverPid);
  const all0 = processCpuNs(serverPid);
  const start = performance.now();
  let steps = 0;
  while (performance.now() - start < ms) {
    await env.step(actions[steps % actions.length]);
    steps++;
  }
  const seconds = (performance.now() - start) / 1000;
  return {
    envSteps: steps * NUM_ENVS,
    seconds,
    serverNs: threadCpuNs(serverPid) - main0,
    serverAllNs: processCpuNs(serverPid) - all0,
  };
}

// The poller, a process of its own that answers IPC: 'on' polls, 'off' pauses, 'count' reports frames so far.
const frameUrl = `${httpUrl}/v1/sessions/${sessionId}/frame?mode=poses`;
const poller = spawn(
  process.execPath,
  [
    '-e',
    // node:http with one kept-alive socket, as a page keeps one: far lighter than fetch, so that in the shared
    // placement the poller takes little CPU from the server (its CPU is printed all the same).
    `const http = require('node:http');
     const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
     const get = () => new Promise((resolve, reject) => {
       const request = http.get(${JSON.stringify(frameUrl)}, { agent, headers: { authorization: 'Bearer ${TOKEN}' } }, (r) => {
         r.on('data', () => undefined).on('end', resolve).on('error', reject);
       });
       request.on('error', reject);
     });
     let on = false, frames = 0;
     process.on('message', (m) => { if (m === 'count') process.send(frames); else on = m === 'on'; });
     process.on('disconnect', () => process.exit(0));
     (async () => {
       for (;;) {
         if (on) {
           await get();
           frames++;
         }
         await new Promise((resolve) => setTimeout(resolve, 1000 / 60));
       }
     })();`,
  ],
  { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] },
);
const pollerFrames = () =>
  new Promise<number>((resolve) => {
    poller.once('message', (count) => resolve(Number(count)));
    poller.send('count');
  });

interface Browser {
  watch(on: boolean): Promise<void>;
  framesDrawn(): Promise<number>;
  close(): Promise<void>;
}

async function openBrowser(): Promise<Browser | null> {
  const chromium = findChromium();
  if (chromium === null) {
    console.log('bench:viewer: no Chromium found, the browser case is skipped (apt-get install chromium)');
    return null;
  }
  const browser = await launchChromium(chromium);
  const page = await browser.newPage({ viewport: { width: 1000, height: 600 } });
  await page.goto(`${httpUrl}/viewer#token=${TOKEN}`);
  // The page hides and shows itself as a browser tab would (document.hidden and its visibilitychange event): a
  // hidden viewer asks for nothing and draws nothing, a shown one goes on with the same 3D view. So the slices
  // measure watching in its steady state, not building the view (and SwiftShader compiling its shaders) anew.
  const setHidden = (hidden: boolean) =>
    page.evaluate((value) => {
      Object.defineProperty(document, 'hidden', { configurable: true, value });
      document.dispatchEvent(new Event('visibilitychange'));
    }, hidden);
  await page.locator(`li[data-id="${sessionId}"]`).click();
  await page.waitForFunction(() => (window as unknown as ViewerWindow).vinegymViewer.framesDrawn >= 1, undefined, {
    timeout: 60_000,
  });
  await setHidden(true);
  return {
    watch: (on: boolean) => setHidden(!on),
    framesDrawn: () => page.evaluate(() => (window as unknown as ViewerWindow).vinegymViewer.framesDrawn),
    close: () => browser.close(),
  };
}

const browser = await openBrowser();
const allowed = allowedCpus();
const cpus = allowed === null ? [] : cpuList(allowed);
const pinnable = cpus.length >= 2;
if (!pinnable)
  console.log(
    `bench:viewer: ${allowed === null ? 'taskset is not available (util-linux)' : `only CPUs ${allowed}`}, the split and isolated placements are skipped`,
  );
type Placement = 'shared' | 'split' | 'isolated';
const wanted = (process.env.BENCH_PLACEMENTS ?? 'isolated').split(',') as Placement[];
const placements = wanted.filter((p) => p === 'shared' || ((p === 'split' || p === 'isolated') && pinnable));
let reniced = true;

/** Puts the processes where `placement` says (all threads of each; Chromium's processes all). */
function place(placement: Placement): void {
  if (!pinnable) return;
  const serverSide = [serverPid, ...descendantPids(serverPid)];
  const viewers = descendantPids(process.pid).filter((pid) => !serverSide.includes(pid));
  if (placement === 'shared') {
    pin([process.pid, ...serverSide, ...viewers], allowed!);
    reniced = renice(viewers, 0) && reniced;
  } else if (placement === 'split') {
    pin(serverSide, String(cpus[0]));
    pin([process.pid, ...viewers], String(cpus[1]));
    reniced = renice(viewers, 19) && reniced;
  } else {
    pin([process.pid, ...serverSide], String(cpus[0]));
    pin(viewers, String(cpus[1]));
    reniced = renice(viewers, 0) && reniced;
  }
}

interface Slice extends Stepped {
  viewerCpu: number; // CPU seconds per second of the viewer's processes (poller, Chromium or the busy process)
  frames: number; // frames the viewer got (poller) or drew (browser) per second; bursts per second (burn, stream)
  reference?: Stepped; // a case's two neighbouring `alone` slices, summed
}
type Case = 'alone' | 'poller' | 'browser' | 'burn' | 'stream';
const viewerCases = (process.env.BENCH_CASES ?? 'poller,browser,burn,stream')
  .split(',')
  .filter((name) => name !== 'browser' || browser !== null) as Case[];
const caseNames: Case[] = ['alone', ...viewerCases];
const results = new Map<string, Slice[]>();
for (const placement of placements) for (const name of caseNames) results.set(`${placement} ${name}`, []);

// The control cases' process: it burns what Chromium used so far in this placement (before the first browser
// slice, BENCH_BURN_CPU CPU-s/s at BENCH_BURN_FPS bursts a second, defaults 0.5 and 10).
const busy = spawn(
  process.execPath,
  ['--import', 'tsx', fileURLToPath(new URL('./busy-process.ts', import.meta.url))],
  {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  },
);
function burnLike(placement: Placement, memory: boolean) {
  const seen = results.get(`${placement} browser`) ?? [];
  return {
    cpu: seen.length > 0 ? median(seen.map((s) => s.viewerCpu)) : Number(process.env.BENCH_BURN_CPU ?? 0.5),
    fps: seen.length > 0 ? Math.max(1, median(seen.map((s) => s.frames))) : Number(process.env.BENCH_BURN_FPS ?? 10),
    memory,
  };
}

async function slice(placement: Placement, name: Case): Promise<Slice> {
  if (name === 'poller') poller.send('on');
  if (name === 'browser') await browser!.watch(true);
  const burn = name === 'burn' || name === 'stream' ? burnLike(placement, name === 'stream') : null;
  if (burn) busy.send(burn);
  await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
  // The CPU of the case's own viewer only (a hidden Chromium still finishing a frame is not the busy process's).
  const viewerPids = () =>
    name === 'poller'
      ? [poller.pid!]
      : burn
        ? [busy.pid!]
        : descendantPids(process.pid).filter(
            (pid) => pid !== serverPid && !serverChildren.has(pid) && pid !== poller.pid && pid !== busy.pid,
          );
  const cpu0 = viewerPids().reduce((sum, pid) => sum + processCpuNs(pid), 0);
  const frames0 = name === 'browser' ? await browser!.framesDrawn() : name === 'poller' ? await pollerFrames() : 0;
  const stepped = await stepFor(SLICE_MS);
  const frames1 = name === 'browser' ? await browser!.framesDrawn() : name === 'poller' ? await pollerFrames() : 0;
  const viewerCpu = (viewerPids().reduce((sum, pid) => sum + processCpuNs(pid), 0) - cpu0) / 1e9 / stepped.seconds;
  if (name === 'poller') poller.send('off');
  if (name === 'browser') await browser!.watch(false);
  if (burn) busy.send('off');
  return { ...stepped, viewerCpu, frames: burn ? burn.fps : (frames1 - frames0) / stepped.seconds };
}

const rate = (s: Stepped) => s.envSteps / s.seconds;
const cpuPerStep = (s: Stepped) => s.serverNs / 1000 / s.envSteps; // µs of the server's main thread per env step
const sum = (a: Stepped, b: Stepped): Stepped => ({
  envSteps: a.envSteps + b.envSteps,
  seconds: a.seconds + b.seconds,
  serverNs: a.serverNs + b.serverNs,
  serverAllNs: a.serverAllNs + b.serverAllNs,
});

const loadBefore = loadavg();
const started = performance.now();
await stepFor(3000); // warm-up: the JIT and the caches of server and learner
for (let round = 0; round < ROUNDS; round++) {
  const placementOrder = round % 2 === 0 ? placements : [...placements].reverse();
  for (const placement of placementOrder) {
    place(placement);
    const rotated = viewerCases.map((_, k) => viewerCases[(k + round) % viewerCases.length]);
    const order = round % 2 === 0 ? rotated : rotated.reverse();
    let before = await slice(placement, 'alone');
    results.get(`${placement} alone`)!.push(before);
    for (const name of order) {
      const watched = await slice(placement, name);
      const after = await slice(placement, 'alone');
      results.get(`${placement} alone`)!.push(after);
      results.get(`${placement} ${name}`)!.push({ ...watched, reference: sum(before, after) });
      before = after;
    }
  }
}
place('shared');
const loadAfter = loadavg();

const loads = (l: number[]) => l.map((x) => x.toFixed(2)).join(' ');
const pct = (x: number) => `${x >= 0 ? '+' : ''}${(100 * x).toFixed(1)} %`;
/** "median [low, high]" of the ratios of `measure` between each slice and its neighbouring `alone` slices. */
function change(slices: Slice[], measure: (s: Stepped) => number): string {
  const ratios = slices.map((s) => measure(s) / measure(s.reference!));
  const [low, high] = medianInterval(ratios);
  return `${pct(median(ratios) - 1)} [${pct(low - 1)}, ${pct(high - 1)}]`;
}
console.log(
  `bench:viewer — Hopper-v5, ${NUM_ENVS} envs over loopback WS, server (CLI, --workers ${WORKERS}) in its own process; ` +
    `${ROUNDS} rounds × ${SLICE_MS} ms slices per case, interleaved; ${((performance.now() - started) / 60_000).toFixed(1)} min`,
);
console.log(
  '  per case: median env-steps/s and server µs per env step (main thread); change against the neighbouring ' +
    '`alone` slices as median [95 % bootstrap interval]',
);
for (const placement of placements) {
  console.log(
    placement === 'shared'
      ? `  shared: no pinning, every process on CPUs ${allowed ?? 'all'}`
      : placement === 'split'
        ? `  split: server on CPU ${cpus[0]}; learner, poller and Chromium on CPU ${cpus[1]}, poller and Chromium at nice 19${reniced ? '' : ' (renice failed: not root?)'}`
        : `  isolated: server and learner on CPU ${cpus[0]}; poller, Chromium and the busy process alone on CPU ${cpus[1]}`,
  );
  const alone = results.get(`${placement} alone`)!;
  for (const name of caseNames) {
    const slices = results.get(`${placement} ${name}`)!;
    const rates = slices.map(rate);
    // How much slices of one case differ, in rate and in the server's CPU per step (the work the server does).
    const cpus = slices.map(cpuPerStep);
    const range = (xs: number[], digits: number) =>
      `${Math.min(...xs).toFixed(digits)}–${Math.max(...xs).toFixed(digits)}`;
    // The noise floor: how much two consecutive `alone` slices differ in steps/s (median of |ratio - 1|).
    const drift = rates.slice(1).map((r, k) => Math.abs(r / rates[k] - 1));
    const spread =
      name === 'alone'
        ? `; slices ${range(rates, 0)} env-steps/s, ${range(cpus, 1)} µs/step; consecutive slices differ by ${pct(median(drift)).slice(1)}`
        : '';
    // The server's extra CPU per second while watched, over the frames it served: what one frame costs it.
    const extraPerFrame =
      ((median(slices.map(cpuPerStep)) - median(alone.map(cpuPerStep))) * median(rates)) /
      median(slices.map((s) => s.frames));
    const served = name === 'poller' || name === 'browser';
    const versus =
      name === 'alone'
        ? ''
        : `   steps/s ${change(slices, rate)}, server CPU/step ${change(slices, cpuPerStep)}` +
          (served ? `, ≈ ${extraPerFrame.toFixed(0)} µs of server CPU per frame` : '');
    const viewer =
      name === 'alone'
        ? ''
        : `   ${name} CPU ${median(slices.map((s) => s.viewerCpu)).toFixed(2)} s/s, ` +
          `${median(slices.map((s) => s.frames)).toFixed(0)} ${served ? 'frames' : 'bursts'}/s`;
    const allThreads = median(slices.map((s) => s.serverAllNs / 1000 / s.envSteps));
    console.log(
      `    ${name.padEnd(8)} ${median(rates).toFixed(0).padStart(6)} env-steps/s, server ${median(slices.map(cpuPerStep)).toFixed(1)} µs/step ` +
        `(all threads ${allThreads.toFixed(1)})${spread}${versus}${viewer}`,
    );
  }
}
console.log(`  load average before ${loads(loadBefore)}, after ${loads(loadAfter)}`);
poller.disconnect();
busy.disconnect();
await browser?.close();
await env.close();
server.kill('SIGINT');
await new Promise((resolve) => server.once('exit', resolve));
