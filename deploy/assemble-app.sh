#!/bin/sh
# Assembles what the images run from a workspace after `pnpm install` (which built dist/ and the tfjs-node binding):
#   OUT/server   the env server with its production dependencies only (pnpm deploy)
#   OUT/trainer  the agent CLI with its production dependencies and tfjs-node's native binding, built by the
#                project's install script (reusing the workspace's cache of the TensorFlow C library)
# Usage: sh deploy/assemble-app.sh OUT. The Dockerfile runs it in its build stage; test/deploy/image.test.ts runs it
# on the host and then runs the result.
set -eu
out=$1
root=$(cd "$(dirname "$0")/.." && pwd)
pnpm=${VINEGYM_PNPM:-"npx --yes pnpm@9.15.9"}
mkdir -p "$out"
out=$(cd "$out" && pwd)
rm -rf "$out/server" "$out/trainer"
cd "$root"
# --offline: everything is in the store since `pnpm install`; --ignore-scripts: the workspace's postinstall
# (binding, tsc) has run already, and the trainer's binding is built below.
$pnpm --filter @vinegym/env-server deploy --prod --offline --ignore-scripts "$out/server"
$pnpm --filter @vinegym/agent deploy --prod --offline --ignore-scripts "$out/trainer"
mkdir -p "$out/trainer/scripts"
cp scripts/install-tfjs-node.mjs "$out/trainer/scripts/"
export VINEGYM_TFJS_CACHE="${VINEGYM_TFJS_CACHE:-$root/.cache/tfjs-node}"
node "$out/trainer/scripts/install-tfjs-node.mjs"
# The install script never fails an install (it falls back to WASM); an image without the binding must not build.
node "$out/trainer/scripts/install-tfjs-node.mjs" --check
echo "assemble-app: $out/server and $out/trainer are ready"
