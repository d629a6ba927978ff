#!/usr/bin/env bash
# Regenerates the viewer screenshots of docs/viewer.md: runs the browser test of the viewer (a real server, real
# sessions being stepped, headless Chromium) with VINEGYM_SCREENSHOT_DIR pointing at docs/img.
set -euo pipefail
cd "$(dirname "$0")/.."
VINEGYM_SCREENSHOT_DIR="$PWD/docs/img" npx vitest run packages/env-server/test/viewer.browser.test.ts
ls -l docs/img/viewer-*.png
