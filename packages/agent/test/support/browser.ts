/** Headless Chromium for the page tests: the env server's lookup (VINEGYM_CHROMIUM, else the usual install paths); no browser download. */
import { findChromium } from '@vinegym/env-server/render';

export const CHROMIUM = findChromium();
/** Why browser tests skip, or null when they run. */
export const CHROMIUM_MISSING = CHROMIUM
  ? null
  : 'Chromium is not installed (apt-get install chromium, or set VINEGYM_CHROMIUM; .ci/run installs it)';

export async function launchChromium() {
  const { chromium } = await import('playwright-core');
  // No sandbox: CI containers run as root, where Chromium's sandbox refuses to start.
  return chromium.launch({ executablePath: CHROMIUM!, chromiumSandbox: false, args: ['--disable-dev-shm-usage'] });
}
