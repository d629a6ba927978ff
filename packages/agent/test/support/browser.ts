/** Headless Chromium for the page tests: CHROMIUM_PATH, or a Chromium / Chrome on PATH (browser downloads are not used). */
import { findOnPath } from '../../src/video/ffmpeg.js';

export const CHROMIUM = process.env.CHROMIUM_PATH || ['chromium', 'chromium-browser', 'google-chrome-stable', 'google-chrome'].map((name) => findOnPath(name)).find((path) => path !== null) || null;
/** Why browser tests skip, or null when they run. */
export const CHROMIUM_MISSING = CHROMIUM ? null : 'Chromium is not installed (apt-get install chromium, or set CHROMIUM_PATH; .ci/run installs it)';

export async function launchChromium() {
  const { chromium } = await import('playwright-core');
  // No sandbox: CI containers run as root, where Chromium's sandbox refuses to start.
  return chromium.launch({ executablePath: CHROMIUM!, chromiumSandbox: false, args: ['--disable-dev-shm-usage'] });
}
