#!/usr/bin/env bash
# Creates the Python venv used by the Gymnasium parity tests (.venv at the repo root) and installs
# gymnasium, numpy, msgpack, websockets, prometheus-client, pytest, what gymnasium[mujoco] needs (mujoco, imageio,
# packaging) and ray (vinegym[ray], for the Ray launcher's tests: ~1.5 min and ~250 MB more) into it with plain pip.
# Idempotent: when the venv exists and every package imports, it only says so and exits.
#
# Stable-Baselines3 (for bridges/python/tests/test_sb3.py and bench/sb3_vec_env.py) is optional: the package index
# does not carry it, so it installs only from its source archive. Set VINEGYM_SB3_ARCHIVES to a folder holding
# stable-baselines3-*.tar.gz and it goes into the venv too (its dependencies, torch among them, come from the
# index); unset, the SB3 tests skip and say so.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
venv="$root/.venv"
python="${PYTHON:-python3}"
packages=(gymnasium numpy msgpack websockets prometheus-client pytest ale-py mujoco imageio packaging ray)
modules="gymnasium, numpy, msgpack, websockets, prometheus_client, pytest, ale_py, mujoco, imageio, packaging, ray, vinegym"
sb3_archives="${VINEGYM_SB3_ARCHIVES:-}"
if [ -n "$sb3_archives" ]; then
  sb3_archive="$(ls "$sb3_archives"/stable-baselines3-*.tar.gz 2>/dev/null | grep -v -- -contrib- | head -n 1 || true)"
  if [ -z "$sb3_archive" ]; then
    echo "setup-python: VINEGYM_SB3_ARCHIVES=$sb3_archives holds no stable-baselines3-*.tar.gz" >&2
    exit 1
  fi
  modules="$modules, stable_baselines3"
fi

if [ -x "$venv/bin/python" ] && "$venv/bin/python" -c "import $modules" 2>/dev/null; then
  echo "setup-python: $venv already has ${packages[*]}${sb3_archives:+ stable-baselines3}; nothing to do"
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
if [ -n "$sb3_archives" ]; then
  echo "setup-python: installing stable-baselines3 from $sb3_archive (torch and cloudpickle from the index)"
  unpacked="$(mktemp -d)"
  trap 'rm -rf "$unpacked"' EXIT
  tar -xzf "$sb3_archive" -C "$unpacked"
  "$venv/bin/python" -m pip install --quiet --retries 0 --timeout 10 setuptools wheel
  "$venv/bin/python" -m pip install --quiet --retries 0 --timeout 10 --no-build-isolation "$unpacked"/stable-baselines3*/
fi
"$venv/bin/python" -c "import $modules; print('setup-python: ok, gymnasium', gymnasium.__version__, 'numpy', numpy.__version__, 'mujoco', mujoco.__version__)"
