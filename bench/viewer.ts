/**
 * pnpm bench:viewer — what watching costs the watched session (docs/viewer.md). A Hopper-v5 session of 16 envs
 * is stepped over loopback WebSocket with uniform random actions (server in this process, envs in-process: the
 * viewer's samples are taken on the very thread that steps, the worst case), in short slices that alternate:
 *   alone       no viewer (the viewer page is open on the session in the browser, but hidden like a background tab);
 *   poller      a viewer's request pattern from another thread: one frame request in flight, the next one
 *               16.7 ms after the last answer (the most a page asks for), no browser;
 *   browser     the real viewer page in headless Chromium watching the session (three.js on SwiftShader, i.e.
 *               WebGL drawn by the CPU).
 * under two placements of the processes, each with its own `alone` reference:
 *   shared      no pinning: the browser competes with the server for the same cores (a browser on the server);
 *   split       this process (server, session, poller) pinned to one CPU, Chromium to another with taskset: the
 *               browser on a CPU the server does not use, standing for a browser on the user's own machine.
 * Every slice of every case runs once per round, interleaved; the median steps/s of each case is reported with
 * its ratio to the `alone` of the same placement from the same run, next to the load average. For each case the
 * browser's CPU use (CPU seconds per second, all Chromium processes) and the page's draws per second are printed.
 *
 *   pnpm bench:viewer     (BENCH_SECONDS per slice, default 2; BENCH_ROUNDS, default 5)
 */
import { loadavg } from 'node:os';
import { Worker } from 'node:worker_threads';
import { RemoteVectorEnv } from '@vinegym/agent';
import { createServer } from '@vinegym/env-server';
import { findChromium, launchChromium } from '@vinegym/env-server/render';
import { ndarray } from '@vinegym/protocol';
import { allowedCpus, cpuList, descendantPids, descendantsCpuSeconds, pin } from './processes.js';
import { median } from './stats.js';

/** What the viewer page exposes on window for scripts like this one. */
interface ViewerWindow {
  vinegymViewer: { framesDrawn: number };
}

const SLICE_MS = 1000 * Number(process.env.BENCH_SECONDS ?? 2);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const NUM_ENVS = 16;
const TOKEN = 'bench-viewer';

const server = await createServer({ port: 0, workers: 0, token: TOKEN, logger: false });
const env = await RemoteVectorEnv.connect(server.url, { envId: 'Hopper-v5', numEnvs: NUM_ENVS, token: TOKEN });
await env.reset({ seed: 0 });
const sessionId = env.spec.session_id;
const actions = Array.from({ length: 64 }, () =>
  ndarray(
    'float32',
    [NUM_ENVS, 3],
    Float32Array.from({ length: 3 * NUM_ENVS }, () => Math.random() * 2 - 1),
  ),
);

async function stepFor(ms: number): Promise<number> {
  let steps = 0;
  const end = performance.now() + ms;
  while (performance.now() < end) {
    await env.step(actions[steps % actions.length]);
    steps++;
  }
  return (steps * NUM_ENVS * 1000) / ms;
}

// The poller: flag 0 paused, 1 polling, 2 stop.
const flag = new Int32Array(new SharedArrayBuffer(4));
const poller = new Worker(
  `const { workerData } = require('node:worker_threads');
   (async () => {
     while (Atomics.load(workerData.flag, 0) !== 2) {
       if (Atomics.load(workerData.flag, 0) === 1) {
         const r = await fetch(workerData.url, { headers: { authorization: 'Bearer ' + workerData.token } });
         await r.arrayBuffer();
       }
       await new Promise((resolve) => setTimeout(resolve, 1000 / 60));
     }
   })();`,
  {
    eval: true,
    workerData: { url: `${server.httpUrl}/v1/sessions/${sessionId}/frame?mode=poses`, token: TOKEN, flag },
  },
);

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
  await page.goto(server.viewerUrl!);
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
  const viewer = {
    watch: (on: boolean) => setHidden(!on),
    framesDrawn: () => page.evaluate(() => (window as unknown as ViewerWindow).vinegymViewer.framesDrawn),
    close: () => browser.close(),
  };
  return viewer;
}

const browser = await openBrowser();
const allowed = allowedCpus();
const cpus = allowed === null ? [] : cpuList(allowed);
const pinnable = cpus.length >= 2;
if (!pinnable)
  console.log(
    `bench:viewer: ${allowed === null ? 'taskset is not available (util-linux)' : `only CPUs ${allowed}`}, the split placement is skipped`,
  );
const placements = pinnable ? (['shared', 'split'] as const) : (['shared'] as const);
type Placement = (typeof placements)[number];

/** Puts this process and Chromium where `placement` says (all threads; Chromium's processes all). */
function place(placement: Placement): void {
  if (!pinnable) return;
  const chromium = descendantPids(process.pid);
  if (placement === 'shared') {
    pin([process.pid, ...chromium], allowed!);
  } else {
    pin([process.pid], String(cpus[0]));
    pin(chromium, String(cpus[1]));
  }
}

interface Slice {
  stepsPerSecond: number;
  browserCpu: number; // CPU seconds per second of all Chromium processes
  draws: number; // the page's draws per second
}
const caseNames = ['alone', 'poller', ...(browser ? ['browser'] : [])];
const results = new Map<string, Slice[]>();
for (const placement of placements) for (const name of caseNames) results.set(`${placement} ${name}`, []);

async function slice(name: string): Promise<Slice> {
  if (name === 'poller') Atomics.store(flag, 0, 1);
  if (name === 'browser') await browser!.watch(true);
  const cpu0 = descendantsCpuSeconds(process.pid);
  const drawn0 = browser ? await browser.framesDrawn() : 0;
  const start = performance.now();
  const stepsPerSecond = await stepFor(SLICE_MS);
  const seconds = (performance.now() - start) / 1000;
  const draws = name === 'browser' ? ((await browser!.framesDrawn()) - drawn0) / seconds : 0;
  const browserCpu = (descendantsCpuSeconds(process.pid) - cpu0) / seconds;
  if (name === 'poller') Atomics.store(flag, 0, 0);
  if (name === 'browser') await browser!.watch(false);
  return { stepsPerSecond, browserCpu, draws };
}

const loadBefore = loadavg();
await stepFor(SLICE_MS); // warm-up
const samplesBefore = server.viewerSampler!.taken;
for (let round = 0; round < ROUNDS; round++) {
  for (const placement of placements) {
    place(placement);
    for (const name of caseNames) results.get(`${placement} ${name}`)!.push(await slice(name));
  }
}
place('shared');
Atomics.store(flag, 0, 2);

const loads = (l: number[]) => l.map((x) => x.toFixed(2)).join(' ');
console.log(
  `bench:viewer — Hopper-v5, ${NUM_ENVS} envs over loopback WS, ${ROUNDS} × ${SLICE_MS} ms slices per case, interleaved`,
);
for (const placement of placements) {
  console.log(
    placement === 'shared'
      ? `  shared: no pinning, browser and server on the same CPUs (${allowed ?? 'all'})`
      : `  split: server on CPU ${cpus[0]}, Chromium on CPU ${cpus[1]} (taskset)`,
  );
  const reference = median(results.get(`${placement} alone`)!.map((s) => s.stepsPerSecond));
  for (const name of caseNames) {
    const slices = results.get(`${placement} ${name}`)!;
    const rate = median(slices.map((s) => s.stepsPerSecond));
    const browserPart = browser ? `   browser CPU ${median(slices.map((s) => s.browserCpu)).toFixed(2)} s/s` : '';
    const draws = median(slices.map((s) => s.draws));
    const drawPart = name === 'browser' ? `, ${draws.toFixed(0)} draws/s` : '';
    console.log(
      `    ${name.padEnd(8)} ${rate.toFixed(0).padStart(7)} env-steps/s   ratio to alone ${(rate / reference).toFixed(3)}${browserPart}${drawPart}` +
        `   (slices: ${slices.map((s) => s.stepsPerSecond.toFixed(0)).join(' ')})`,
    );
  }
}
console.log(`  samples the viewers took from the session: ${server.viewerSampler!.taken - samplesBefore}`);
console.log(`  load average before ${loads(loadBefore)}, after ${loads(loadavg())}`);
await poller.terminate();
await browser?.close();
await env.close();
await server.close();
