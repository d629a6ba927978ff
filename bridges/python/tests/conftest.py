from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from collections.abc import Iterator  # noqa: E402

import pytest  # noqa: E402
from servers import ThreadedServer, typescript_server  # noqa: E402

from vinegym.server.atari_preprocessing import AtariPreprocessSettings  # noqa: E402
from vinegym.server.config import ServerConfig  # noqa: E402


def _serve(env_name: str, **config: object) -> Iterator[ThreadedServer]:
    server = ThreadedServer(env_name, ServerConfig(**config))  # type: ignore[arg-type]
    yield server
    server.stop()


@pytest.fixture(scope="session")
def cartpole_server() -> Iterator[ThreadedServer]:
    yield from _serve("CartPole-v1", max_sessions=4, max_envs_per_session=64)


@pytest.fixture(scope="session")
def hopper_server() -> Iterator[ThreadedServer]:
    yield from _serve("Hopper-v5")


@pytest.fixture(scope="session")
def pong_server() -> Iterator[ThreadedServer]:
    yield from _serve("ALE/Pong-v5")


@pytest.fixture(scope="session")
def pong_preprocessed_server() -> Iterator[ThreadedServer]:
    server = ThreadedServer("ALE/Pong-v5", atari_preprocess=AtariPreprocessSettings())
    yield server
    server.stop()


@pytest.fixture(scope="session")
def ts_server_url() -> Iterator[str]:
    """URL of the TypeScript env server serving every registered env."""
    with typescript_server() as url:
        yield url


@pytest.fixture(scope="session")
def toy_server() -> Iterator[ThreadedServer]:
    yield from _serve("toy_envs:Toy-v0")
