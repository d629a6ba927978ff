#!/bin/sh
# Entry point of the vinegym images.
#   server [flags]                    the env server on $VINEGYM_HOST:$PORT (default 0.0.0.0:8765); flags as
#                                     `vinegym-server --help`; it needs a token (VINEGYM_TOKEN or VINEGYM_TOKEN_FILE)
#                                     unless VINEGYM_ALLOW_NO_TOKEN=1
#   train|eval|plot|compare [args]    the agent CLI (`vinegym train --help`)
#   anything else                     run as is
# VINEGYM_TOKEN_FILE (e.g. a mounted Kubernetes Secret) is read into VINEGYM_TOKEN, which server and agent read.
# `exec` leaves node as the container's main process: SIGTERM reaches it, and the server closes gracefully.
set -eu
app=${VINEGYM_APP:-/app}

if [ -n "${VINEGYM_TOKEN_FILE:-}" ]; then
  if [ ! -r "$VINEGYM_TOKEN_FILE" ]; then
    echo "vinegym: VINEGYM_TOKEN_FILE=$VINEGYM_TOKEN_FILE cannot be read" >&2
    exit 64
  fi
  VINEGYM_TOKEN=$(cat "$VINEGYM_TOKEN_FILE")
  export VINEGYM_TOKEN
fi

command=${1:-server}
[ $# -gt 0 ] && shift
case "$command" in
  server)
    host=${VINEGYM_HOST:-0.0.0.0}
    if [ -z "${VINEGYM_TOKEN:-}" ] && [ "${VINEGYM_ALLOW_NO_TOKEN:-0}" != 1 ]; then
      echo "vinegym-server: refusing to serve on $host without a token: set VINEGYM_TOKEN or VINEGYM_TOKEN_FILE" \
        "(or VINEGYM_ALLOW_NO_TOKEN=1 on a network you trust)" >&2
      exit 64
    fi
    if [ -n "${VINEGYM_WORKERS:-}" ]; then
      set -- --workers "$VINEGYM_WORKERS" "$@"
    fi
    exec node "$app/server/dist/cli.js" --host "$host" --port "${PORT:-8765}" "$@"
    ;;
  train | eval | plot | compare)
    exec node "$app/trainer/dist/cli/main.js" "$command" "$@"
    ;;
  *)
    exec "$command" "$@"
    ;;
esac
