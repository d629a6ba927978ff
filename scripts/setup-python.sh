#!/usr/bin/env bash
# Creates the Python venv used by the Gymnasium parity tests (.venv at the repo root) and installs
# gymnasium, numpy, msgpack, websockets, prometheus-client, pytest and what gymnasium[mujoco] needs (mujoco, imageio, packaging)
# into it with plain pip. Idempotent: when the venv exists and every package imports, it only says so and exits.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
venv="$root/.venv"
python="${PYTHON:-python3}"
packages=(gymnasium numpy msgpack websockets prometheus-client pytest ale-py mujoco imageio packaging)
modules="gymnasium, numpy, msgpack, websockets, prometheus_client, pytest, ale_py, mujoco, imageio, packaging, vinegym"

if [ -x "$venv/bin/python" ] && "$venv/bin/python" -c "import $modules" 2>/dev/null; then
  echo "setup-python: $venv already has ${packages[*]}; nothing to do"
  exit 0
fi

if [ ! -x "$venv/bin/python" ]; then
  echo "setup-python: creating venv $venv with $("$python" --version 2>&1)"
  "$python" -m venv "$venv"
fi

echo "setup-python: installing ${packages[*]} into $venv"
# --retries 0: an unreachable default index fails at once instead of after minutes of retries, and pip then
# takes the packages from the other indexes it is configured with.
"$venv/bin/python" -m pip install --quiet --retries 0 --timeout 10 "${packages[@]}"
"$venv/bin/python" -m pip install --quiet --retries 0 --timeout 10 -e "$root/bridges/python"
"$venv/bin/python" -c "import $modules; print('setup-python: ok, gymnasium', gymnasium.__version__, 'numpy', numpy.__version__, 'mujoco', mujoco.__version__)"
