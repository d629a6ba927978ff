"""Builds and runs a bridge server for one env source (used by the CLI and by tests)."""
from __future__ import annotations

import asyncio
import dataclasses
import signal
import sys
from typing import Any

from vinegym.server.app import BridgeServer
from vinegym.server.atari_preprocessing import AtariPreprocessSettings, with_atari_preprocessing
from vinegym.server.capabilities import probe_capabilities
from vinegym.server.config import ServerConfig
from vinegym.server.connection import ServedEnv
from vinegym.server.env_source import resolve_env_source
from vinegym.snapshots.strategies import snapshot_key_from_environment


def build_server(
    env_name: str,
    config: ServerConfig,
    server_kwargs: dict[str, Any] | None = None,
    max_episode_steps: int | None = None,
    atari_preprocess: AtariPreprocessSettings | None = None,
) -> BridgeServer:
    """`max_episode_steps` overrides the time limit of the env's registration; `atari_preprocess` serves an ALE
    env's frames downsampled and stacked (atari_preprocessing.py)."""
    source = resolve_env_source(env_name, server_kwargs)
    if atari_preprocess is not None:
        source = with_atari_preprocessing(source, atari_preprocess)
    if max_episode_steps is not None:
        source = dataclasses.replace(source, max_episode_steps=max_episode_steps)
    snapshot_key = snapshot_key_from_environment()
    capabilities = probe_capabilities(source, snapshot_key)
    for problem in (capabilities.render_problem, capabilities.snapshot_problem):
        if problem:
            print(f"vinegym-bridge: {source.env_id}: {problem}", file=sys.stderr)
    return BridgeServer(config, {source.env_id: ServedEnv(source, capabilities)}, snapshot_key)


async def run_until_signalled(server: BridgeServer) -> None:
    await server.start()
    print(server.url, flush=True)
    print(f"vinegym-bridge: serving {', '.join(server.envs)} at {server.url}", file=sys.stderr, flush=True)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    await stop.wait()
    print("vinegym-bridge: closing", file=sys.stderr, flush=True)
    await server.close()
