"""Runs Gymnasium's env checker on CartPole-v1 served by the vinegym TypeScript env server, used from Python
through `vinegym.RemoteEnv`.

    .venv/bin/python examples/python-bridge/check_remote_env.py                    # starts the TS server itself
    .venv/bin/python examples/python-bridge/check_remote_env.py ws://127.0.0.1:8765/v1/ws   # uses a running one

Starting the server needs Node.js and the repo's dependencies (`pnpm install`).
"""
from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy as np
from gymnasium.utils.env_checker import check_env

from vinegym import RemoteEnv

REPO = Path(__file__).resolve().parents[2]


@contextmanager
def typescript_server() -> Iterator[str]:
    """Starts `packages/env-server/src/cli.ts --port 0` and yields the ws URL it prints first."""
    process = subprocess.Popen(
        ["npx", "tsx", "--conditions=source", "packages/env-server/src/cli.ts", "--port", "0", "--log-level", "warn"],
        cwd=REPO,
        stdout=subprocess.PIPE,
        text=True,
        start_new_session=True,  # its own process group, so npx and the node process under it stop together
    )
    try:
        assert process.stdout is not None
        url = process.stdout.readline().strip()
        if not url.startswith("ws"):
            raise RuntimeError(f"the TypeScript server did not print its URL (got {url!r})")
        yield url
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)


def check(url: str) -> None:
    env = RemoteEnv(url, "CartPole-v1")
    try:
        print(f"{url}: observation_space={env.observation_space}, action_space={env.action_space}")
        check_env(env, skip_render_check=True)
        print("gymnasium.utils.env_checker.check_env: passed")
        observation, _ = env.reset(seed=0)
        total, steps = 0.0, 0
        while True:
            action = int(observation[2] + observation[3] > 0)  # push toward the side the pole falls to
            observation, reward, terminated, truncated, _ = env.step(action)
            total, steps = total + float(reward), steps + 1
            if terminated or truncated:
                break
        print(f"one episode with a hand-written policy: {steps} steps, return {total}")
        assert isinstance(observation, np.ndarray) and observation.dtype == np.float32
    finally:
        env.close()


def main() -> None:
    if len(sys.argv) > 1:
        check(sys.argv[1])
    else:
        with typescript_server() as url:
            check(url)


if __name__ == "__main__":
    main()
