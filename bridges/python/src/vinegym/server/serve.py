"""Builds and runs a bridge server for one env source (used by the CLI and by tests)."""
from __future__ import annotations

import asyncio
import signal
import sys
from typing import Any

from vinegym.server.app import BridgeServer
from vinegym.server.atari_preprocessing import AtariPreprocessSettings
from vinegym.server.capabilities import probe_capabilities
from vinegym.server.config import ServerConfig
from vinegym.server.connection import ServedEnv
from vinegym.server.env_recipe import EnvRecipe
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
    recipe = EnvRecipe(env_name, dict(server_kwargs or {}), max_episode_steps, atari_preprocess)
    source = recipe.build()
    snapshot_key = snapshot_key_from_environment()
    capabilities = probe_capabilities(source, snapshot_key)
    for problem in (capabilities.render_problem, capabilities.snapshot_problem):
        if problem:
            print(f"vinegym-bridge: {source.env_id}: {problem}", file=sys.stderr)
    return BridgeServer(config, {source.env_id: ServedEnv(source, capabilities, recipe)}, snapshot_key)


async def run_until_signalled(server: BridgeServer) -> None:
    await server.start()
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    # Before the URL is printed: whoever waits for it (an orchestrator, a test) may signal at once.
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    print(server.url, flush=True)
    print(f"vinegym-bridge: serving {', '.join(server.envs)} at {server.url}", file=sys.stderr, flush=True)
    await stop.wait()
    # A second signal ends the process at once (the default action), e.g. when an env step hangs.
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.remove_signal_handler(signum)
    print("vinegym-bridge: closing: answering the requests being carried out", file=sys.stderr, flush=True)
    await server.close()
    print("vinegym-bridge: closed", file=sys.stderr, flush=True)
