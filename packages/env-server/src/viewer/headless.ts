/**
 * MuJoCo frames without a display: the viewer's three.js page (viewer/render.html + scene-view.js) in headless
 * Chromium, driven by playwright-core. Chromium is the system's (Debian package `chromium`); playwright-core
 * downloads no browser. WebGL runs on SwiftShader, Chromium's CPU rasterizer, so no GPU is needed.
 *
 *   const frames = await renderMujocoFrames(scene, poses, { width: 480, height: 480 });  // RGBA, top row first
 *
 * or, for a stream (videos): `const r = await SceneRenderer.open(scene); await r.frame(poses); ...; await r.close()`.
 * The page's assets are served to the browser by request interception: no socket is opened.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import type { Scene, ScenePoses } from '@vinegym/protocol';
import type { Browser } from 'playwright-core';
import { sceneToJson, VIEWER_ASSETS } from './routes.js';

/** Where Chromium is looked for when neither `executablePath` nor VINEGYM_CHROMIUM says. */
export const CHROMIUM_CANDIDATES = [
  '/usr/bin/chromium',
  '/usr/bin/chromium-browser',
  '/usr/bin/google-chrome',
  '/usr/bin/google-chrome-stable',
];
/**
 * Chromium flags for WebGL without a GPU (SwiftShader) and without a sandbox-capable kernel setup (containers).
 * The page itself is composited in software, as a desktop Chrome without a usable GPU does: compositing through
 * SwiftShader redraws the whole page on the CPU for every frame of a canvas, a third of a viewer frame's CPU
 * (docs/viewer.md); WebGL stays on SwiftShader.
 */
const CHROMIUM_ARGS = [
  '--use-angle=swiftshader',
  '--enable-unsafe-swiftshader',
  '--ignore-gpu-blocklist',
  '--disable-gpu-compositing',
  '--no-sandbox',
];
const ORIGIN = 'http://vinegym.invalid';

export interface SceneRendererOptions {
  /** Frame size in pixels. Defaults 480 × 480 (Gymnasium's MuJoCo default). */
  width?: number;
  height?: number;
  /** Chromium executable. Default: VINEGYM_CHROMIUM, else the first of CHROMIUM_CANDIDATES that exists. */
  executablePath?: string;
}

/** An RGBA frame, rows top to bottom. */
export interface RgbaFrame {
  width: number;
  height: number;
  data: Uint8Array;
}

/** The Chromium executable to use, or null when none is installed. */
export function findChromium(explicit?: string): string | null {
  const path = explicit ?? process.env.VINEGYM_CHROMIUM;
  if (path !== undefined && path !== '') return existsSync(path) ? path : null;
  return CHROMIUM_CANDIDATES.find((candidate) => existsSync(candidate)) ?? null;
}

/** Thrown when no Chromium executable is found; its message says how to get one. */
export class ChromiumMissingError extends Error {
  override readonly name = 'ChromiumMissingError';
}

/**
 * Headless Chromium with WebGL on SwiftShader, through playwright-core (loaded here, so that importing the server
 * never loads the browser driver), with `extraArgs` after ours. Throws ChromiumMissingError when no Chromium is
 * installed.
 */
export async function launchChromium(executablePath?: string, extraArgs: string[] = []): Promise<Browser> {
  const found = findChromium(executablePath);
  if (found === null) {
    throw new ChromiumMissingError(
      'MuJoCo frames need Chromium (Debian: apt-get install chromium), or set VINEGYM_CHROMIUM to a Chrome/Chromium executable',
    );
  }
  const { chromium } = await import('playwright-core');
  return chromium.launch({ executablePath: found, args: [...CHROMIUM_ARGS, ...extraArgs] });
}

interface Page {
  evaluate<R, A>(fn: (arg: A) => R | Promise<R>, arg: A): Promise<R>;
}

export class SceneRenderer {
  private constructor(
    private readonly close_: () => Promise<void>,
    private readonly page: Page,
    readonly width: number,
    readonly height: number,
  ) {}

  /** Starts Chromium and loads `scene` (a render-mode `scene` result's static part). */
  static async open(scene: Scene, options: SceneRendererOptions = {}): Promise<SceneRenderer> {
    const width = options.width ?? 480;
    const height = options.height ?? 480;
    const browser = await launchChromium(options.executablePath);
    try {
      const page = await browser.newPage({ viewport: { width, height } });
      await page.route(`${ORIGIN}/**`, async (route) => {
        const asset = VIEWER_ASSETS[new URL(route.request().url()).pathname];
        if (asset === undefined) return route.fulfill({ status: 404, body: '' });
        return route.fulfill({ status: 200, contentType: asset[1], body: await readFile(asset[0]) });
      });
      await page.goto(`${ORIGIN}/viewer/render.html`);
      await page.waitForFunction(
        () => (window as unknown as { vinegymRenderReady?: boolean }).vinegymRenderReady === true,
      );
      await page.evaluate(([json, w, h]) => (window as unknown as RenderPage).vinegymRender.init(json, w, h), [
        sceneToJson(scene),
        width,
        height,
      ] as const);
      return new SceneRenderer(() => browser.close(), page as unknown as Page, width, height);
    } catch (error) {
      await browser.close();
      throw error;
    }
  }

  /** One frame of the scene at `poses`. */
  async frame(poses: ScenePoses): Promise<RgbaFrame> {
    const positions = Array.from(poses.positions.data as Float64Array);
    const rotations = Array.from(poses.rotations.data as Float64Array);
    const base64 = await this.page.evaluate(([p, r]) => (window as unknown as RenderPage).vinegymRender.frame(p, r), [
      positions,
      rotations,
    ] as const);
    return {
      width: this.width,
      height: this.height,
      data: flipRows(Buffer.from(base64, 'base64'), this.width, this.height),
    };
  }

  async close(): Promise<void> {
    await this.close_();
  }
}

/** Frames of `scene` at each of `poses`, through one headless Chromium started and closed for the call. */
export async function renderMujocoFrames(
  scene: Scene,
  poses: readonly ScenePoses[],
  options: SceneRendererOptions = {},
): Promise<RgbaFrame[]> {
  const renderer = await SceneRenderer.open(scene, options);
  try {
    const frames: RgbaFrame[] = [];
    for (const pose of poses) frames.push(await renderer.frame(pose));
    return frames;
  } finally {
    await renderer.close();
  }
}

interface RenderPage {
  vinegymRender: {
    init(scene: unknown, width: number, height: number): void;
    frame(positions: number[], rotations: number[]): string;
  };
}

/** WebGL reads the bottom row first; images are stored top row first. */
function flipRows(bytes: Uint8Array, width: number, height: number): Uint8Array {
  const out = new Uint8Array(bytes.length);
  const row = 4 * width;
  for (let y = 0; y < height; y++) out.set(bytes.subarray((height - 1 - y) * row, (height - y) * row), y * row);
  return out;
}
