#!/usr/bin/env bash
# Creates the Python venv used by the Gymnasium parity tests (.venv at the repo root) and installs
# gymnasium, numpy, msgpack, websockets and pytest into it with plain pip. Idempotent: when the venv exists
# and every package imports, it only says so and exits.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
venv="$root/.venv"
python="${PYTHON:-python3}"
packages=(gymnasium numpy msgpack websockets pytest ale-py)
modules="gymnasium, numpy, msgpack, websockets, pytest, ale_py"

if [ -x "$venv/bin/python" ] && "$venv/bin/python" -c "import $modules" 2>/dev/null; then
  echo "setup-python: $venv already has ${packages[*]}; nothing to do"
  exit 0
fi

if [ ! -x "$venv/bin/python" ]; then
  echo "setup-python: creating venv $venv with $("$python" --version 2>&1)"
  "$python" -m venv "$venv"
fi

echo "setup-python: installing ${packages[*]} into $venv"
"$venv/bin/python" -m pip install --quiet "${packages[@]}"
"$venv/bin/python" -c "import $modules; print('setup-python: ok, gymnasium', gymnasium.__version__, 'numpy', numpy.__version__)"
