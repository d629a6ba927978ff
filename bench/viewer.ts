/**
 * pnpm bench:viewer — what watching costs the watched session (docs/viewer.md). A Hopper-v5 session of 16 envs
 * is stepped over loopback WebSocket with uniform random actions (server in this process, envs in-process: the
 * viewer's samples are taken on the very thread that steps, the worst case), in short slices that alternate:
 *   alone       no viewer;
 *   poller      a viewer's request pattern from another thread: one frame request in flight, the next one
 *               16.7 ms after the last answer (the page's requestAnimationFrame loop), no browser;
 *   browser     the real viewer page in headless Chromium watching the session (three.js on SwiftShader: the
 *               browser's own rendering competes for this machine's cores, which a browser elsewhere would not).
 * Each case runs ROUNDS slices, interleaved, and the median steps/s is reported with its ratio to `alone` from
 * the same run, next to the load average.
 *
 *   pnpm bench:viewer     (BENCH_SECONDS per slice, default 1; BENCH_ROUNDS, default 5)
 */
import { loadavg } from 'node:os';
import { Worker } from 'node:worker_threads';
import { RemoteVectorEnv } from '@vinegym/agent';
import { createServer } from '@vinegym/env-server';
import { findChromium, launchChromium } from '@vinegym/env-server/render';

/** What the viewer page exposes on window for scripts like this one. */
interface ViewerWindow {
  vinegymViewer: { framesDrawn: number; watching?: { stop(): void } };
}
import { ndarray } from '@vinegym/protocol';

const SLICE_MS = 1000 * Number(process.env.BENCH_SECONDS ?? 1);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const NUM_ENVS = 16;
const TOKEN = 'bench-viewer';

const server = await createServer({ port: 0, workers: 0, token: TOKEN, logger: false });
const env = await RemoteVectorEnv.connect(server.url, { envId: 'Hopper-v5', numEnvs: NUM_ENVS, token: TOKEN });
await env.reset({ seed: 0 });
const sessionId = env.spec.session_id;
const actions = Array.from({ length: 64 }, () => ndarray('float32', [NUM_ENVS, 3], Float32Array.from({ length: 3 * NUM_ENVS }, () => Math.random() * 2 - 1)));

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
  { eval: true, workerData: { url: `${server.httpUrl}/v1/sessions/${sessionId}/frame?mode=poses`, token: TOKEN, flag } },
);

const chromium = findChromium();
let watchInBrowser: ((on: boolean) => Promise<void>) | null = null;
let closeBrowser = async () => undefined as void;
if (chromium === null) {
  console.log('bench:viewer: no Chromium found, the browser case is skipped (apt-get install chromium)');
} else {
  const browser = await launchChromium(chromium);
  closeBrowser = () => browser.close();
  const page = await browser.newPage({ viewport: { width: 1000, height: 600 } });
  await page.goto(server.viewerUrl!);
  await page.locator(`li[data-id="${sessionId}"]`).click();
  await page.waitForFunction(() => (window as unknown as ViewerWindow).vinegymViewer.framesDrawn >= 3, undefined, { timeout: 60_000 });
  // Watching off: the page goes back to an empty stage (the page stops its frame loop when it watches nothing).
  watchInBrowser = async (on) => {
    if (on) await page.locator(`li[data-id="${sessionId}"]`).click();
    else await page.evaluate(() => (window as unknown as ViewerWindow).vinegymViewer.watching?.stop());
  };
  await watchInBrowser(false);
}

const cases: Record<string, number[]> = { alone: [], poller: [], ...(watchInBrowser ? { browser: [] } : {}) };
await stepFor(SLICE_MS); // warm-up
const framesBefore = server.viewerSampler!.taken;
for (let round = 0; round < ROUNDS; round++) {
  cases.alone.push(await stepFor(SLICE_MS));
  Atomics.store(flag, 0, 1);
  cases.poller.push(await stepFor(SLICE_MS));
  Atomics.store(flag, 0, 0);
  if (watchInBrowser) {
    await watchInBrowser(true);
    cases.browser.push(await stepFor(SLICE_MS));
    await watchInBrowser(false);
  }
}
Atomics.store(flag, 0, 2);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const reference = median(cases.alone);
console.log(`bench:viewer — Hopper-v5, ${NUM_ENVS} envs over loopback WS, ${ROUNDS} × ${SLICE_MS} ms slices per case, interleaved`);
for (const [name, rates] of Object.entries(cases)) {
  console.log(`  ${name.padEnd(8)} ${median(rates).toFixed(0).padStart(8)} env-steps/s   ratio to alone ${(median(rates) / reference).toFixed(3)}   (slices: ${rates.map((r) => r.toFixed(0)).join(' ')})`);
}
console.log(`  samples the viewers took from the session: ${server.viewerSampler!.taken - framesBefore}`);
console.log(`  load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
await poller.terminate();
await closeBrowser();
await env.close();
await server.close();
