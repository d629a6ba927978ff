/**
 * The viewer page in a real browser (headless Chromium through playwright-core) against a real server whose
 * sessions are being stepped by a client: the canvas is not blank, the hopper's pose changes between frames,
 * Atari and CartPole frames are drawn, the page is frugal (draws only new samples, caps its rate, stops while
 * hidden, no antialiasing in software WebGL), a wrong token is refused. Also the headless renderer of MuJoCo frames.
 * Screenshots go to VINEGYM_SCREENSHOT_DIR when it is set (scripts/viewer-screenshots.sh sets it to docs/img).
 * Without Chromium only this file is skipped, and it says so.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { ndarray } from '@vinegym/protocol';
import type { RenderResult } from '@vinegym/protocol';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type VinegymServer } from '../src/server.js';
import { findChromium, launchChromium, renderMujocoFrames } from '../src/viewer/headless.js';
import { TestClient } from './fixtures/test-client.js';

const CHROMIUM = findChromium();
if (CHROMIUM === null) {
  console.warn(
    'viewer.browser.test.ts: SKIPPED, no Chromium found (apt-get install chromium, or set VINEGYM_CHROMIUM)',
  );
}
const TOKEN = 'browser-test-token';
const SCREENSHOTS = process.env.VINEGYM_SCREENSHOT_DIR;
const TIMEOUT = 60_000;

interface Driven {
  id: string;
  stop: () => Promise<void>;
}

describe.skipIf(CHROMIUM === null)('the viewer in headless Chromium', () => {
  let server: VinegymServer;
  let client: TestClient;
  let browser: Browser;
  const driven: Driven[] = [];

  /** Makes a session and steps it with `action()` until stopped, as a training client would. */
  async function drive(envId: string, action: () => unknown, kwargs: Record<string, unknown> = {}): Promise<Driven> {
    const made = await client.call('make', { env_id: envId, kwargs, seed: 0 });
    await client.call('reset', { session_id: made.session_id });
    let running = true;
    const loop = (async () => {
      while (running) {
        await client.call('step', { session_id: made.session_id, actions: action() });
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    })();
    const entry = { id: made.session_id, stop: async () => ((running = false), await loop) };
    driven.push(entry);
    return entry;
  }

  beforeAll(async () => {
    server = await createServer({ port: 0, workers: 0, token: TOKEN });
    client = await TestClient.open(server.url, TOKEN);
    browser = await launchChromium(CHROMIUM!);
    if (SCREENSHOTS) mkdirSync(SCREENSHOTS, { recursive: true });
  }, TIMEOUT);
  afterAll(async () => {
    for (const entry of driven) await entry.stop();
    await browser?.close();
    client?.close();
    await server?.close();
  });

  async function openViewer(token: string): Promise<Page> {
    const page = await browser.newPage({ viewport: { width: 1100, height: 620 } });
    await page.goto(server.viewerUrl!.replace(/#token=.*$/, `#token=${encodeURIComponent(token)}`));
    return page;
  }

  /** Clicks the session in the list and waits until the page has drawn `frames` frames of it. */
  async function watch(page: Page, sessionId: string, frames = 3): Promise<void> {
    await page.locator(`li[data-id="${sessionId}"]`).click();
    await page.waitForFunction((n) => (window as any).vinegymViewer.framesDrawn >= n, frames, { timeout: 20_000 });
  }

  /**
   * Distinct colours in the stage's canvas as the page shows it (a blank canvas has one). Read from a screenshot of
   * the canvas, i.e. the composited picture: the 3D canvas keeps no drawing buffer to read back after a frame.
   */
  const canvasColours = async (page: Page) => {
    const png = await page.locator('#stage canvas').screenshot();
    return page.evaluate(async (base64) => {
      const image = new Image();
      image.src = `data:image/png;base64,${base64}`;
      await image.decode();
      const copy = document.createElement('canvas');
      [copy.width, copy.height] = [image.width, image.height];
      const context = copy.getContext('2d')!;
      context.drawImage(image, 0, 0);
      const pixels = context.getImageData(0, 0, copy.width, copy.height).data;
      const colours = new Set<number>();
      for (let i = 0; i < pixels.length; i += 4 * 7)
        colours.add((pixels[i] << 16) | (pixels[i + 1] << 8) | pixels[i + 2]);
      return colours.size;
    }, png.toString('base64'));
  };

  const screenshot = async (page: Page, name: string) => {
    if (SCREENSHOTS) await page.screenshot({ path: join(SCREENSHOTS, `viewer-${name}.png`) });
  };

  it(
    'lists the sessions and shows the hopper moving in 3D with its episode return and step count',
    async () => {
      const hopper = await drive('Hopper-v5', () =>
        ndarray(
          'float32',
          [1, 3],
          Float32Array.from({ length: 3 }, () => Math.random() * 2 - 1),
        ),
      );
      const page = await openViewer(TOKEN);
      await watch(page, hopper.id);
      const first = await page.evaluate(() => (window as any).vinegymViewer.lastPoses as number[]);
      await page.waitForFunction(
        (before) => {
          const now = (window as any).vinegymViewer.lastPoses as number[];
          return now.some((v, i) => Math.abs(v - before[i]) > 1e-4);
        },
        first,
        { timeout: 10_000 },
      );
      expect(await canvasColours(page)).toBeGreaterThan(20);
      expect(await page.locator('#env-id').textContent()).toBe('Hopper-v5');
      expect(Number(await page.locator('#steps').textContent())).toBeGreaterThan(0);
      expect(await page.locator('#episode-return').textContent()).toMatch(/^-?\d+\.\d\d$/);
      await screenshot(page, 'hopper');
      await page.close();
    },
    TIMEOUT,
  );

  it(
    'shows Humanoid in 3D, and Pong and CartPole as frames',
    async () => {
      const humanoid = await drive('Humanoid-v5', () =>
        ndarray(
          'float32',
          [1, 17],
          Float32Array.from({ length: 17 }, () => Math.random() * 0.8 - 0.4),
        ),
      );
      const pong = await drive('ALE/Pong-v5', () =>
        ndarray('int64', [1], BigInt64Array.of(BigInt(Math.floor(Math.random() * 6)))),
      );
      const cartpole = await drive('CartPole-v1', () =>
        ndarray('int64', [1], BigInt64Array.of(BigInt(Math.random() < 0.5 ? 0 : 1))),
      );
      const page = await openViewer(TOKEN);
      for (const [name, session] of [
        ['humanoid', humanoid],
        ['pong', pong],
        ['cartpole', cartpole],
      ] as const) {
        await watch(page, session.id);
        expect(await canvasColours(page), name).toBeGreaterThan(name === 'humanoid' ? 20 : 2);
        await screenshot(page, name);
      }
      await page.close();
    },
    TIMEOUT,
  );

  it(
    'is frugal: draws new samples only, at most at its frame rate, nothing while hidden, no antialiasing in software GL',
    async () => {
      const made = await client.call('make', { env_id: 'Hopper-v5', seed: 1 });
      await client.call('reset', { session_id: made.session_id });
      const stepOnce = () =>
        client.call('step', {
          session_id: made.session_id,
          actions: ndarray('float32', [1, 3], Float32Array.of(0.5, -0.5, 0.5)),
        });
      await stepOnce();
      const page = await openViewer(TOKEN);
      const viewer = () =>
        page.evaluate(
          () =>
            (window as any).vinegymViewer as { framesDrawn: number; settings: { fps: number; softwareWebGL: boolean } },
        );
      await watch(page, made.session_id, 1);
      // SwiftShader here: no antialiasing, device pixel ratio 1, a canvas of at most 480 × 360, 15 fps, and no
      // preserved drawing buffer (it would cost a copy of every frame).
      const context = await page.evaluate(() => {
        const canvas = document.querySelector('#stage canvas') as HTMLCanvasElement;
        const gl = canvas.getContext('webgl2') as WebGL2RenderingContext;
        return {
          width: canvas.width,
          height: canvas.height,
          antialias: gl.getContextAttributes()!.antialias,
          preserveDrawingBuffer: gl.getContextAttributes()!.preserveDrawingBuffer,
          cssWidth: canvas.clientWidth,
        };
      });
      expect(context.antialias).toBe(false);
      expect(context.preserveDrawingBuffer).toBe(false);
      expect(context.width).toBeLessThanOrEqual(480);
      expect(context.height).toBeLessThanOrEqual(360);
      expect((await viewer()).settings).toMatchObject({ fps: 15, softwareWebGL: true });

      // The session does not step: the page keeps asking (slowly) but draws the unchanged scene no more.
      await new Promise((resolve) => setTimeout(resolve, 1000));
      const idle = (await viewer()).framesDrawn;
      await new Promise((resolve) => setTimeout(resolve, 1000));
      expect((await viewer()).framesDrawn).toBe(idle);
      await stepOnce();
      await page.waitForFunction((n) => (window as any).vinegymViewer.framesDrawn === n + 1, idle, { timeout: 5_000 });
      // The status line catches up with that last sample, though it is rewritten only a few times a second.
      await page.waitForFunction(
        () => document.getElementById('steps')!.textContent === String((window as any).vinegymViewer.lastStatus.steps),
        undefined,
        { timeout: 2_000 },
      );

      // A session stepping much faster than the frame rate is drawn at most at the frame rate.
      const stepping = await drive('Hopper-v5', () => ndarray('float32', [1, 3], Float32Array.of(0.3, 0.3, -0.3)));
      await watch(page, stepping.id, 2);
      // Count the status line's rewrites meanwhile: at most 4 a second (every text change costs the page a layout,
      // a paint and a composited frame), whatever the frame rate.
      await page.evaluate(() => {
        const counter = { writes: 0 };
        new MutationObserver((records) => (counter.writes += records.length)).observe(
          document.getElementById('steps')!,
          { childList: true, characterData: true, subtree: true },
        );
        (window as any).overlayWrites = counter;
      });
      const before = (await viewer()).framesDrawn;
      const started = Date.now();
      await new Promise((resolve) => setTimeout(resolve, 2000));
      const drawn = (await viewer()).framesDrawn - before;
      const rate = (drawn * 1000) / (Date.now() - started);
      expect(rate).toBeGreaterThan(0);
      expect(rate).toBeLessThanOrEqual(15 * 1.2);
      const writes = await page.evaluate(() => (window as any).overlayWrites.writes as number);
      expect(writes).toBeGreaterThan(0);
      expect(writes).toBeLessThanOrEqual(Math.ceil((4 * (Date.now() - started)) / 1000) + 1);

      // Hidden (as a background tab: document.hidden and its event, which headless Chromium never sends by itself):
      // no requests reach the server and nothing is drawn; shown again, it goes on.
      const setHidden = (hidden: boolean) =>
        page.evaluate((value) => {
          Object.defineProperty(document, 'hidden', { configurable: true, value });
          document.dispatchEvent(new Event('visibilitychange'));
        }, hidden);
      await setHidden(true);
      await new Promise((resolve) => setTimeout(resolve, 300)); // the request in flight, if any, lands
      const [drawnHidden, samplesHidden] = [(await viewer()).framesDrawn, server.viewerSampler!.taken];
      await new Promise((resolve) => setTimeout(resolve, 1000));
      expect((await viewer()).framesDrawn).toBe(drawnHidden);
      expect(server.viewerSampler!.taken).toBe(samplesHidden);
      await setHidden(false);
      await page.waitForFunction((n) => (window as any).vinegymViewer.framesDrawn > n + 2, drawnHidden, {
        timeout: 10_000,
      });
      expect(await canvasColours(page)).toBeGreaterThan(20);
      await page.close();
      await client.call('close', { session_id: made.session_id });
    },
    TIMEOUT,
  );

  it(
    'refuses a wrong token: no sessions listed, the refusal shown',
    async () => {
      const page = await openViewer('not-the-token');
      await page.waitForFunction(() => (window as any).vinegymViewer.refused === true, undefined, { timeout: 10_000 });
      expect(await page.locator('#status').textContent()).toMatch(/refused: wrong token/);
      expect(await page.locator('#sessions li').count()).toBe(0);
      await page.close();
    },
    TIMEOUT,
  );

  it(
    'renderMujocoFrames draws the hopper from the scene and poses the server sent',
    async () => {
      const made = await client.call('make', { env_id: 'Hopper-v5', seed: 4 });
      await client.call('reset', { session_id: made.session_id });
      const scene = (await client.call('render', {
        session_id: made.session_id,
        env_index: 0,
        mode: 'scene',
      })) as RenderResult;
      const poses = [scene.poses!];
      for (let t = 0; t < 30; t++)
        await client.call('step', {
          session_id: made.session_id,
          actions: ndarray('float32', [1, 3], Float32Array.of(1, 1, 1)),
        });
      poses.push(
        ((await client.call('render', { session_id: made.session_id, env_index: 0, mode: 'poses' })) as RenderResult)
          .poses!,
      );
      const frames = await renderMujocoFrames(scene.scene!, poses, {
        width: 160,
        height: 120,
        executablePath: CHROMIUM!,
      });
      expect(frames.map((f) => [f.width, f.height, f.data.length])).toEqual([
        [160, 120, 160 * 120 * 4],
        [160, 120, 160 * 120 * 4],
      ]);
      const colours = new Set<number>();
      for (let i = 0; i < frames[0].data.length; i += 4)
        colours.add((frames[0].data[i] << 16) | (frames[0].data[i + 1] << 8) | frames[0].data[i + 2]);
      expect(colours.size).toBeGreaterThan(20);
      expect(Buffer.compare(Buffer.from(frames[0].data), Buffer.from(frames[1].data))).not.toBe(0);
      // Top row first: the sky is at the top, the floor at the bottom.
      const pixel = (f: (typeof frames)[0], y: number) =>
        Array.from(f.data.subarray(4 * y * 160 + 320, 4 * y * 160 + 323));
      expect(pixel(frames[0], 0)).toEqual([0x9d, 0xb4, 0xc8]);
      expect(pixel(frames[0], 119)).not.toEqual([0x9d, 0xb4, 0xc8]);
      await client.call('close', { session_id: made.session_id });
    },
    TIMEOUT,
  );
});
