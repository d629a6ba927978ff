"""`python -m vinegym serve` prints the ws URL first and serves until SIGTERM."""
from __future__ import annotations

import signal
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy as np
from helpers import wait_for

from vinegym import VinegymClient


@contextmanager
def _serving(*args: str) -> Iterator[tuple[subprocess.Popen[str], str]]:
    """`python -m vinegym serve ARGS --port 0`: the process and the URL it printed first; on leaving, SIGTERM must
    stop it with exit code 0."""
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
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=10) == 0


def test_cli_serves_and_prints_the_url_first() -> None:
    with _serving("CartPole-v1", "--max-envs", "8", "--kwargs", '{"sutton_barto_reward": true}') as (_, url):
        assert url.startswith("ws://127.0.0.1:") and url.endswith("/v1/ws")
        with VinegymClient(url) as client:
            assert client.hello["limits"]["max_envs_per_session"] == 8
            (env,) = client.list_envs()
            assert env["kwargs"]["sutton_barto_reward"]["default"] is True
            session = client.make("CartPole-v1", seed=0)["session_id"]
            client.reset(session)
            assert client.step(session, np.array([0]))["rewards"][0] == 0.0


def test_cli_rejects_unknown_envs() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "vinegym", "serve", "NoSuchEnv-v0", "--port", "0"],
        capture_output=True, text=True, timeout=60,
    )
    assert result.returncode == 2 and "cannot serve" in result.stderr


def test_cli_atari_preprocess_options() -> None:
    with _serving("ALE/Pong-v5", "--atari-preprocess", "--atari-screen", "42x32", "--atari-frames", "2") as (_, url):
        with VinegymClient(url) as client:
            space = client.make("ALE/Pong-v5", seed=0)["single_observation_space"]
            assert (space["dtype"], space["shape"]) == ("uint8", [42, 32, 2])


def test_cli_atari_preprocess_needs_an_ale_env() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "vinegym", "serve", "CartPole-v1", "--port", "0", "--atari-preprocess"],
        capture_output=True, text=True, timeout=60,
    )
    assert result.returncode == 2 and "ALE" in result.stderr


def _live_processes() -> dict[int, int]:
    """pid -> parent pid of every process that is not a zombie, from /proc."""
    parents: dict[int, int] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if fields[0] != "Z":
            parents[int(stat.parent.name)] = int(fields[1])
    return parents


def _descendants(pid: int) -> set[int]:
    parents = _live_processes()
    found: set[int] = set()
    frontier = {pid}
    while frontier:
        frontier = {child for child, parent in parents.items() if parent in frontier} - found
        found |= frontier
    return found


def test_cli_workers_step_in_processes_that_end_with_the_server() -> None:
    with _serving("CartPole-v1", "--workers", "2") as (process, url):
        with VinegymClient(url) as client:
            session = client.make("CartPole-v1", num_envs=4, seed=0)["session_id"]
            client.reset(session)
            assert client.step(session, np.zeros(4, np.int64))["observations"].shape == (4, 4)
            workers = _descendants(process.pid)
            assert len(workers) >= 2  # multiprocessing's fork server and the session's worker
    wait_for(lambda: not workers & set(_live_processes()))


def test_cli_rejects_workers_below_one() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "vinegym", "serve", "CartPole-v1", "--workers", "0"],
        capture_output=True, text=True, timeout=60,
    )
    assert result.returncode == 2 and "--workers" in result.stderr
