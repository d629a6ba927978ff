/**
 * The training dashboard in headless Chromium (playwright-core driving the system's Chromium): `vinegym train
 * --dashboard 0` on CartPole (embedded server) in a child process; the page's return curve gains points while the
 * run trains, its canvases are drawn, the x axis switches to wall time, the latest evaluation video plays
 * (`--video-every`, when ffmpeg is installed), and a wrong token is refused. A second test overlays two finished
 * runs as `vinegym dashboard a b` does. VINEGYM_DOCS_SCREENSHOTS=1 copies the screenshot to docs/dashboard.png.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { copyFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDashboard } from '../src/dashboard/server.js';
import { RunDirectory } from '../src/run/run-directory.js';
import { CHROMIUM_MISSING, launchChromium } from './support/browser.js';
import { VIDEO_TOOLS_MISSING } from './support/video-probe.js';

const REPO = fileURLToPath(new URL('../../../', import.meta.url));
const DOCS_SCREENSHOT = process.env.VINEGYM_DOCS_SCREENSHOTS === '1' ? join(REPO, 'docs', 'dashboard.png') : null;

if (CHROMIUM_MISSING) console.warn(`dashboard browser tests skipped: ${CHROMIUM_MISSING}`);
if (!CHROMIUM_MISSING && VIDEO_TOOLS_MISSING)
  console.warn(`dashboard browser test runs without the evaluation video: ${VIDEO_TOOLS_MISSING}`);

let dir: string;
let browser: Browser | null = null;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'vinegym-dashboard-browser-'));
  if (!CHROMIUM_MISSING) browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await rm(dir, { recursive: true, force: true });
});

/** `vinegym train` from the sources in a child process; resolves with the dashboard URL it prints. */
function startTraining(args: string[]): { child: ChildProcess; url: Promise<string> } {
  const child = spawn(
    process.execPath,
    ['--conditions=source', '--import', 'tsx', 'packages/agent/src/cli/main.ts', 'train', ...args],
    {
      cwd: REPO,
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  const url = new Promise<string>((resolve, reject) => {
    const read = (chunk: Buffer) => {
      output += chunk.toString();
      const found = /dashboard: (http:\/\/\S+)/.exec(output);
      if (found) resolve(found[1]);
    };
    child.stdout!.on('data', read);
    child.stderr!.on('data', read);
    child.once('exit', (code) =>
      reject(new Error(`vinegym train exited (${code}) before serving the dashboard:\n${output}`)),
    );
  });
  return { child, url };
}

const points = (page: Page, metric: string) =>
  page.$eval(`figure[data-metric="${metric}"]`, (figure) => Number((figure as HTMLElement).dataset.points));

/** Pixels of the canvas of `metric` in the colour of the first run's line. */
const linePixels = (page: Page, metric: string) =>
  page.$eval(`figure[data-metric="${metric}"] canvas`, (canvas) => {
    const { data } = (canvas as HTMLCanvasElement)
      .getContext('2d')!
      .getImageData(0, 0, (canvas as HTMLCanvasElement).width, (canvas as HTMLCanvasElement).height);
    let count = 0;
    for (let i = 0; i < data.length; i += 4)
      if (
        Math.abs(data[i] - 0x4c) < 24 &&
        Math.abs(data[i + 1] - 0x78) < 24 &&
        Math.abs(data[i + 2] - 0xa8) < 24 &&
        data[i + 3] > 128
      )
        count++;
    return count;
  });

describe.skipIf(CHROMIUM_MISSING !== null)('training dashboard in headless Chromium', () => {
  it('follows `vinegym train --dashboard` live: curves gain points while it trains, x switches to wall time, the evaluation video plays; a wrong token is refused', async () => {
    const withVideo = VIDEO_TOOLS_MISSING === null;
    const runDir = join(dir, 'live');
    const args = [
      '--env',
      'CartPole-v1',
      '--iterations',
      '300',
      '--steps-per-iteration',
      '512',
      '--num-envs',
      '8',
      '--dashboard',
      '0',
      '--out',
      runDir,
      '--quiet',
    ];
    const { child, url: urlPromise } = startTraining(withVideo ? [...args, '--video-every', '2'] : args);
    const page = await browser!.newPage({ viewport: { width: 1280, height: 900 } });
    try {
      const url = await urlPromise;
      const response = await page.goto(url);
      expect(response!.status()).toBe(200);
      await page.waitForFunction(
        () => Number(document.querySelector<HTMLElement>('figure[data-metric="return"]')?.dataset.points) >= 1,
        null,
        { timeout: 90_000 },
      );
      const before = await points(page, 'return');
      await page.waitForFunction(
        (n) => Number(document.querySelector<HTMLElement>('figure[data-metric="return"]')!.dataset.points) >= n + 2,
        before,
        { timeout: 90_000 },
      );
      expect(child.exitCode).toBeNull(); // still training: the points arrived live
      expect(await points(page, 'return')).toBeGreaterThanOrEqual(before + 2);
      for (const metric of ['kl', 'entropy', 'explained-variance', 'time'])
        expect(await points(page, metric), metric).toBeGreaterThan(0);
      expect(await page.textContent('figure[data-metric="time"] .legend')).toContain('sampling');
      expect(await page.textContent('#status')).toBe('live');
      expect(await linePixels(page, 'return')).toBeGreaterThan(50);

      await page.check('input[value="time/wall_s"]');
      await page.waitForFunction(() =>
        [...document.querySelectorAll<HTMLElement>('figure.chart')].every(
          (figure) => figure.dataset.x === 'time/wall_s',
        ),
      );
      expect(await points(page, 'return')).toBeGreaterThanOrEqual(before + 2);
      expect(await linePixels(page, 'return')).toBeGreaterThan(50);
      await page.check('input[value="env_steps"]');

      if (withVideo) {
        const size = await page.waitForFunction(
          () => {
            const video = document.querySelector<HTMLVideoElement>('#videos video');
            return video && video.readyState >= 2 && video.videoWidth > 0
              ? [video.videoWidth, video.videoHeight]
              : null;
          },
          null,
          { timeout: 90_000 },
        );
        expect(await size.jsonValue()).toEqual([600, 400]);
        expect(await page.textContent('#videos figcaption')).toMatch(/^live: iteration \d+ /);
      }
      if (DOCS_SCREENSHOT) {
        // A longer curve for the docs' picture.
        await page.waitForFunction(
          () => Number(document.querySelector<HTMLElement>('figure[data-metric="return"]')!.dataset.points) >= 25,
          null,
          { timeout: 300_000 },
        );
      }
      const screenshot = join(dir, 'dashboard.png');
      await page.screenshot({ path: screenshot, fullPage: true });
      if (DOCS_SCREENSHOT) await copyFile(screenshot, DOCS_SCREENSHOT);

      const wrong = await page.goto(url.replace(/token=\w+/, 'token=wrong'));
      expect(wrong!.status()).toBe(401);
      expect(await page.textContent('body')).toContain('wrong or missing token');
      expect(await page.$('figure.chart')).toBeNull();
    } finally {
      await page.close();
      child.kill('SIGKILL');
    }
  }, 400_000);

  it('overlays finished runs, one colour each, as `vinegym dashboard a b` shows them', async () => {
    const runs: string[] = [];
    for (const [name, slope] of [
      ['seed0', 10],
      ['seed1', 20],
    ] as const) {
      const run = await RunDirectory.create(join(dir, name), { envId: 'CartPole-v1', algo: 'trpo' });
      for (let i = 1; i <= 6; i++) {
        await run.appendMetrics({
          iteration: i,
          env_steps: 512 * i,
          'time/wall_s': i,
          'rollout/ep_return_mean': slope * i,
          'train/kl': 0.01,
          'time/sampling_ms': 50,
        });
      }
      runs.push(run.path);
    }
    const dashboard = await startDashboard({ runDirs: runs, port: 0 });
    const page = await browser!.newPage();
    try {
      await page.goto(dashboard.url);
      await page.waitForFunction(
        () => Number(document.querySelector<HTMLElement>('figure[data-metric="return"]')?.dataset.points) === 12,
      );
      expect(
        await page.$$eval('#runs li', (items) => items.map((item) => item.querySelector('b')!.textContent)),
      ).toEqual(['seed0', 'seed1']);
      expect(await page.textContent('figure[data-metric="return"] .latest')).toBe('seed0: 60  seed1: 120');
      expect(await points(page, 'time')).toBe(12);
      expect(await page.isVisible('#no-videos')).toBe(true);
    } finally {
      await page.close();
      await dashboard.close();
    }
  });
});
