"""Bridge servers running in a background thread of the test process, on real loopback sockets."""
from __future__ import annotations

import asyncio
import shutil
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from vinegym.server.app import BridgeServer
from vinegym.server.atari_preprocessing import AtariPreprocessSettings
from vinegym.server.config import ServerConfig
from vinegym.server.serve import build_server


class ThreadedServer:
    def __init__(
        self,
        env_name: str,
        config: ServerConfig | None = None,
        kwargs: dict[str, Any] | None = None,
        atari_preprocess: AtariPreprocessSettings | None = None,
        envs_of: BridgeServer | None = None,
    ):
        """`envs_of`: serve that server's envs (and snapshot key) instead of building and probing them again; MuJoCo's
        render probe aborts the process when it runs a second time."""
        if envs_of is not None:
            self.server = BridgeServer(config or ServerConfig(), envs_of.envs, envs_of.snapshot_key)
        else:
            self.server = build_server(env_name, config or ServerConfig(), kwargs, None, atari_preprocess)
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._thread.start()
        asyncio.run_coroutine_threadsafe(self.server.start(), self._loop).result(timeout=30)

    @property
    def url(self) -> str:
        return self.server.url

    @property
    def http_url(self) -> str:
        return f"http://127.0.0.1:{self.server.port}"

    def stop(self) -> None:
        asyncio.run_coroutine_threadsafe(self.server.close(), self._loop).result(timeout=30)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=10)


@contextmanager
def cli_server(*args: str) -> Iterator[tuple[subprocess.Popen[str], str]]:
    """`python -m vinegym serve ARGS --port 0`, the documented way: the process and the URL it printed first; on
    leaving, SIGTERM must stop it with exit code 0."""
    process = subprocess.Popen(
        [sys.executable, "-m", "vinegym", "serve", *args, "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        assert process.stdout is not None
        yield process, process.stdout.readline().strip()
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=30) == 0


REPO_ROOT = Path(__file__).resolve().parents[3]


@contextmanager
def typescript_server() -> Iterator[str]:
    """The TypeScript env server started as `pnpm server` starts it (every registered env, `--port 0`): yields the
    URL it prints first; SIGTERM must stop it with exit code 0. Skips, saying why, without Node.js or the
    repository's node_modules (`pnpm install`)."""
    node = shutil.which("node")
    if node is None or not (REPO_ROOT / "node_modules" / "tsx").is_dir():
        pytest.skip("the TypeScript server needs Node.js and the repository's node_modules (run `pnpm install`)")
    command = [node, "--import", "tsx", "--conditions=source", "packages/env-server/src/cli.ts", "--port", "0"]
    process = subprocess.Popen(command, cwd=REPO_ROOT, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        assert process.stdout is not None
        url = process.stdout.readline().strip()
        assert url.startswith("ws://"), f"the TypeScript server printed {url!r} instead of its URL"
        yield url
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=30) == 0
