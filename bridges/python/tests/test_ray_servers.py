"""vinegym.ray_servers on a real local Ray instance: the Node backend, the Python backend and "auto" (Node where it
serves the env, else Python), servers that end with their actor, and errors that say what is wrong. The TypeScript
agent training against servers started this way is test/ray.test.ts."""
from __future__ import annotations

import os
import shutil
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from vinegym.client.connection import VinegymClient
from vinegym.ray_servers import server_commands

ray = pytest.importorskip("ray", reason="Ray is not installed: pip install 'vinegym[ray]' (scripts/setup-python.sh does)")

ROOT = Path(__file__).resolve().parents[3]
NODE_SERVER = ROOT / "packages" / "env-server" / "dist" / "cli.js"
NODE = shutil.which("node")
needs_node = pytest.mark.skipif(
    NODE is None or not NODE_SERVER.exists(),
    reason="needs node and the built Node server (packages/env-server/dist/cli.js: pnpm install builds it)",
)
TOKEN = "ray-servers-token"


@pytest.fixture(scope="module")
def local_ray() -> Iterator[None]:
    # Four logical CPUs on any machine: the actors reserve one each but mostly wait. Ray gives its raylet a fixed
    # 30 s to register; on a loaded machine that can pass: one more try then.
    for attempt in (1, 2):
        try:
            ray.init(num_cpus=4, include_dashboard=False, log_to_driver=False)
            break
        except Exception as error:
            ray.shutdown()
            if attempt == 2 or "timed out during startup" not in str(error):
                raise
    yield
    ray.shutdown()


def _answers(url: str) -> dict:
    client = VinegymClient(url, token=TOKEN, timeout=30)
    try:
        made = client.request("make", {"env_id": "CartPole-v1", "num_envs": 2, "seed": 1})
        client.request("reset", {"session_id": made["session_id"]})
        return client.hello
    finally:
        client.close()


def _gone(pid: int, within_s: float) -> bool:
    deadline = time.monotonic() + within_s
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        time.sleep(0.1)
    return False


def test_commands_say_what_is_wrong() -> None:
    with pytest.raises(ValueError, match="backend must be one of auto, node, python"):
        server_commands("CartPole-v1", "java", "127.0.0.1", 0, {}, [], None)
    with pytest.raises(ValueError, match="the Node server takes env kwargs from each client"):
        server_commands("CartPole-v1", "node", "127.0.0.1", 0, {"x": 1}, [], ["vinegym-server"])
    auto = server_commands("CartPole-v1", "auto", "0.0.0.0", 0, {}, ["--max-connections", "8"], ["vinegym-server"])
    assert [c.backend for c in auto] == ["node", "python"]
    assert auto[0].argv == ["vinegym-server", "--host", "0.0.0.0", "--port", "0", "--max-connections", "8"]
    assert auto[1].argv[1:5] == ["-m", "vinegym", "serve", "CartPole-v1"]


@needs_node
def test_node_backend_serves_and_stops(local_ray: None) -> None:
    from vinegym.ray_servers import serve_on_ray

    servers = serve_on_ray(
        "CartPole-v1", 2, backend="node", host="127.0.0.1", token=TOKEN, node_command=[NODE, str(NODE_SERVER)]
    )
    try:
        assert servers.backends == ["node", "node"]
        assert len(set(servers.urls)) == 2
        for url in servers.urls:
            assert url.startswith("ws://127.0.0.1:")
            assert _answers(url)["server"]["name"] == "vinegym-env-server"
        assert servers.alive() == [True, True]
    finally:
        codes = servers.stop()
    assert codes == [0, 0]  # SIGTERM: graceful close, exit 0


@needs_node
def test_auto_takes_python_for_an_env_the_node_server_lacks(local_ray: None) -> None:
    from vinegym.ray_servers import serve_on_ray

    with serve_on_ray(
        "Acrobot-v1", 1, backend="auto", host="127.0.0.1", token=TOKEN, node_command=[NODE, str(NODE_SERVER)]
    ) as servers:
        assert servers.backends == ["python"]
        client = VinegymClient(servers.urls[0], token=TOKEN, timeout=30)
        assert [env["id"] for env in client.list_envs()] == ["Acrobot-v1"]
        client.close()


def test_a_server_ends_with_its_actor(local_ray: None) -> None:
    from vinegym.ray_servers import serve_on_ray

    servers = serve_on_ray("CartPole-v1", 1, backend="python", host="127.0.0.1", token=TOKEN)
    pid = ray.get(servers.actors[0].info.remote())["pid"]
    assert _answers(servers.urls[0])["server"]["name"] != "vinegym-env-server"
    ray.kill(servers.actors[0])  # the actor dies without stop(): the kernel ends its server
    assert _gone(pid, 30), f"server {pid} outlived its actor"
    servers.actors = []


@pytest.mark.skipif(shutil.which("vinegym-server") is not None, reason="vinegym-server is on PATH here")
def test_node_backend_without_a_node_server_fails_clearly(local_ray: None) -> None:
    from vinegym.ray_servers import serve_on_ray

    with pytest.raises(Exception, match="no vinegym-server on PATH"):
        serve_on_ray("CartPole-v1", 1, backend="node", host="127.0.0.1")
