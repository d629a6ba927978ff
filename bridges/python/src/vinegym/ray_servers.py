"""Env servers as Ray actors: `serve_on_ray("Hopper-v5", num_servers=4)` starts N vinegym servers across a Ray
cluster and returns their ws:// URLs, for `vinegym train --server URL ...` or any other protocol v1 client.

Each actor owns one server process on its node: the Node server (`vinegym-server`, which serves the built-in
CartPole, MuJoCo and Atari envs) where it is installed and serves the env, otherwise the Python bridge
(`python -m vinegym serve`, any Gymnasium env). The process ends with its actor: stop() or the driver's exit ends
the actors, and the kernel ends a server whose actor died (PR_SET_PDEATHSIG). Needs `pip install vinegym[ray]`.
"""
from __future__ import annotations

import ctypes
import json
import os
import shlex
import shutil
import signal
import subprocess
import sys
import threading
import urllib.request
from dataclasses import dataclass, field
from ipaddress import ip_address
from typing import Any, Literal, Sequence

Backend = Literal["auto", "node", "python"]
BACKENDS: tuple[str, ...] = ("auto", "node", "python")
_PR_SET_PDEATHSIG = 1
_START_TIMEOUT_S = 120.0
_STOP_GRACE_S = 10.0


def _die_with_parent() -> None:
    """Runs in the server process before exec: the kernel sends it SIGTERM when its actor's process dies."""
    try:
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)
    except (OSError, AttributeError):  # not Linux: stop() and the actor's exit still end it
        pass


def _ws_url(host: str, port: int) -> str:
    try:
        literal = f"[{host}]" if ip_address(host).version == 6 else host
    except ValueError:
        literal = host
    return f"ws://{literal}:{port}/v1/ws"


@dataclass
class ServerCommand:
    """How an actor starts its server; `backend` is the one it settled on."""

    backend: str
    argv: list[str]


def server_commands(
    env_id: str,
    backend: str,
    host: str,
    port: int,
    kwargs: dict[str, Any],
    server_args: Sequence[str],
    node_command: Sequence[str] | None,
) -> list[ServerCommand]:
    """The commands to try, in order: for "auto" the Node server first (when found), then the Python bridge."""
    if backend not in BACKENDS:
        raise ValueError(f"backend must be one of {', '.join(BACKENDS)}, got {backend!r}")
    commands = []
    if backend in ("auto", "node"):
        node = list(node_command) if node_command else ([found] if (found := shutil.which("vinegym-server")) else None)
        if node is None and backend == "node":
            raise RuntimeError("backend 'node': no vinegym-server on PATH on this node; pass node_command")
        if node is not None:
            if kwargs:
                raise ValueError("the Node server takes env kwargs from each client's make, not at start: leave kwargs empty")
            commands.append(ServerCommand("node", [*node, "--host", host, "--port", str(port), *server_args]))
    if backend in ("auto", "python"):
        argv = [sys.executable, "-m", "vinegym", "serve", env_id, "--host", host, "--port", str(port)]
        commands.append(ServerCommand("python", [*argv, "--kwargs", json.dumps(kwargs), *server_args]))
    return commands


class EnvServerProcess:
    """One server process: started, its URL read from its first stdout line, stopped with SIGTERM."""

    def __init__(self, command: ServerCommand, token: str | None) -> None:
        env = dict(os.environ)
        if token is not None:
            env["VINEGYM_TOKEN"] = token  # not on the command line, where every user of the node could read it
        self.command = command
        self.process = subprocess.Popen(
            command.argv, stdout=subprocess.PIPE, stdin=subprocess.DEVNULL, env=env, text=True, preexec_fn=_die_with_parent
        )
        line: list[str] = []
        reader = threading.Thread(target=lambda: line.append(self.process.stdout.readline()), daemon=True)  # type: ignore[union-attr]
        reader.start()
        reader.join(_START_TIMEOUT_S)
        printed = line[0].strip() if line else ""
        if not printed.startswith(("ws://", "wss://")):
            self.stop()
            raise RuntimeError(
                f"{command.backend} server did not start (printed {printed!r}, exit code {self.process.returncode}): "
                f"{shlex.join(command.argv)}"
            )
        self.port = int(printed.rsplit(":", 1)[1].split("/", 1)[0])
        # Whatever else the server prints goes to the actor's stdout (Ray's worker log), never into a full pipe.
        threading.Thread(target=self._forward_stdout, daemon=True).start()

    def _forward_stdout(self) -> None:
        for text in self.process.stdout:  # type: ignore[union-attr]
            sys.stdout.write(text)

    def env_ids(self) -> list[str]:
        with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/v1/envs", timeout=30) as response:
            return [entry["id"] for entry in json.load(response)["envs"]]

    def alive(self) -> bool:
        return self.process.poll() is None

    def stop(self) -> int:
        """SIGTERM (the servers close gracefully and exit 0), SIGKILL after a grace period; returns the exit code."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(_STOP_GRACE_S)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        return self.process.returncode


class EnvServerActor:
    """The Ray actor class (wrapped with ray.remote by serve_on_ray): one server process on the actor's node."""

    def __init__(
        self,
        env_id: str,
        backend: str,
        host: str,
        port: int,
        kwargs: dict[str, Any],
        token: str | None,
        server_args: Sequence[str],
        node_command: Sequence[str] | None,
    ) -> None:
        import ray

        problems = []
        self.server: EnvServerProcess | None = None
        for command in server_commands(env_id, backend, host, port, kwargs, server_args, node_command):
            try:
                server = EnvServerProcess(command, token)
            except RuntimeError as error:
                problems.append(str(error))
                continue
            if command.backend == "node" and env_id not in server.env_ids():
                server.stop()
                problems.append(f"the Node server does not serve {env_id}")
                continue
            self.server = server
            break
        if self.server is None:
            raise RuntimeError(f"no server for {env_id} on this node: {'; '.join(problems)}")
        # A server listening on every interface is reached at the node's address.
        advertised = ray.util.get_node_ip_address() if host in ("0.0.0.0", "::", "") else host
        self._url = _ws_url(advertised, self.server.port)

    def info(self) -> dict[str, Any]:
        assert self.server is not None
        return {"url": self._url, "backend": self.server.command.backend, "pid": self.server.process.pid}

    def alive(self) -> bool:
        return self.server is not None and self.server.alive()

    def stop(self) -> int | None:
        return self.server.stop() if self.server is not None else None


@dataclass
class RayEnvServers:
    """The servers serve_on_ray started: their URLs (in actor order) and the actors that own them."""

    urls: list[str]
    backends: list[str]
    actors: list[Any] = field(repr=False)

    def alive(self) -> list[bool]:
        import ray

        return ray.get([actor.alive.remote() for actor in self.actors])

    def stop(self) -> list[int | None]:
        """Stops every server (SIGTERM, graceful) and ends the actors; returns the servers' exit codes."""
        import ray

        codes: list[int | None] = []
        for ref in [actor.stop.remote() for actor in self.actors]:
            try:
                codes.append(ray.get(ref, timeout=_STOP_GRACE_S + 20))
            except Exception:  # the actor (or its node) is gone already: so is its server
                codes.append(None)
        for actor in self.actors:
            try:
                ray.kill(actor)
            except Exception:
                pass
        self.actors = []
        return codes

    def __enter__(self) -> RayEnvServers:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def serve_on_ray(
    env_id: str,
    num_servers: int,
    *,
    backend: Backend = "auto",
    host: str = "0.0.0.0",
    port: int = 0,
    kwargs: dict[str, Any] | None = None,
    token: str | None = None,
    num_cpus: float = 1.0,
    scheduling_strategy: Any = "SPREAD",
    server_args: Sequence[str] = (),
    node_command: Sequence[str] | None = None,
) -> RayEnvServers:
    """Starts `num_servers` env servers as Ray actors (on the cluster `ray.init()` joined; started here if Ray is
    not initialized yet) and waits until each is listening.

    backend: "node" (vinegym-server, or `node_command`), "python" (the bridge: any Gymnasium env), or "auto" (Node
    where it is installed and serves `env_id`, else Python). host: interface the servers listen on; "0.0.0.0" (the
    default) makes them reachable from other nodes, at the node's address. port: 0 picks a free one per server.
    kwargs: env kwargs (Python bridge only). token: the servers' shared secret. num_cpus: what each actor reserves
    (its server's steps use about one core). scheduling_strategy: Ray's, default "SPREAD" (over the nodes).
    server_args: more flags for every server (e.g. ["--max-connections", "8"]).
    """
    import ray

    if num_servers < 1:
        raise ValueError(f"num_servers must be >= 1, got {num_servers}")
    if not ray.is_initialized():
        ray.init()
    actor_class = ray.remote(EnvServerActor).options(num_cpus=num_cpus, scheduling_strategy=scheduling_strategy)
    actors = [
        actor_class.remote(env_id, backend, host, port, dict(kwargs or {}), token, list(server_args), node_command)
        for _ in range(num_servers)
    ]
    try:
        infos = ray.get([actor.info.remote() for actor in actors])
    except Exception:
        for actor in actors:
            ray.kill(actor)
        raise
    return RayEnvServers([i["url"] for i in infos], [i["backend"] for i in infos], actors)
