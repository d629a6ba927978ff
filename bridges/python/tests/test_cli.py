"""`python -m vinegym serve` prints the ws URL first and serves until SIGTERM."""
from __future__ import annotations

import signal
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import numpy as np
from helpers import wait_for
from servers import cli_server

from websockets.sync.client import connect

from vinegym import VinegymClient
from vinegym.protocol.codec import decode_frame, encode_frame


def test_cli_serves_and_prints_the_url_first() -> None:
    with cli_server("CartPole-v1", "--max-envs", "8", "--kwargs", '{"sutton_barto_reward": true}') as (_, url):
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
    with cli_server("ALE/Pong-v5", "--atari-preprocess", "--atari-screen", "42x32", "--atari-frames", "2") as (_, url):
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
    with cli_server("CartPole-v1", "--workers", "2") as (process, url):
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


def _rss_bytes(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    raise AssertionError("no VmRSS")


def _requests_handled(url: str, request_type: str) -> int:
    metrics = urllib.request.urlopen(url.replace("ws://", "http://").replace("/v1/ws", "/metrics"), timeout=10)
    for line in metrics.read().decode().splitlines():
        if line.startswith(f'vinegym_requests_total{{type="{request_type}"}}'):
            return int(float(line.split()[1]))  # prometheus-client writes counters as floats
    raise AssertionError(f"no request count for {request_type}")


def test_cli_a_client_that_never_reads_makes_the_bridge_hold_one_answer() -> None:
    """1,000 pipelined renders of Pong (100 KB answers, 100 MB in all) while the client reads nothing: the bridge
    stops handling them once its socket buffers are full, and its memory grows by less than 32 MiB (one answer and
    its write buffer, plus the kernel's socket buffers outside the process); then every answer arrives, in order."""
    with cli_server("ALE/Pong-v5") as (process, url):
        websocket = connect(url, compression=None, max_size=None).__enter__()
        hello = {"protocol_versions": [1], "client": {"name": "never-reads", "version": "0"}}
        websocket.send(encode_frame({"id": 1, "type": "hello", "body": hello}))
        websocket.send(encode_frame({"id": 2, "type": "make", "body": {"env_id": "ALE/Pong-v5", "seed": 0}}))
        decode_frame(websocket.recv(timeout=30))
        session_id = decode_frame(websocket.recv(timeout=30))["body"]["session_id"]
        websocket.send(encode_frame({"id": 3, "type": "reset", "body": {"session_id": session_id}}))
        decode_frame(websocket.recv(timeout=30))
        rss_before = _rss_bytes(process.pid)
        render = {"session_id": session_id, "env_index": 0}
        sender = threading.Thread(target=lambda: [
            websocket.send(encode_frame({"id": 100 + i, "type": "render", "body": render})) for i in range(1000)
        ])
        sender.start()
        handled = -1
        while handled != (handled := _requests_handled(url, "render")):
            time.sleep(1.0)
        growth = _rss_bytes(process.pid) - rss_before
        print(f"never-reading client: {handled} of 1000 renders handled, RSS growth {growth / 2**20:.1f} MiB")
        assert handled < 500, handled
        assert growth < 32 * 2**20, growth
        ids = [decode_frame(websocket.recv(timeout=30))["id"] for _ in range(1000)]
        sender.join()
        assert ids == list(range(100, 1100))
        websocket.close()


def test_cli_sigterm_answers_what_was_received_and_closes_with_1001() -> None:
    with cli_server("CartPole-v1") as (process, url):
        with VinegymClient(url) as client:
            session = client.make("CartPole-v1", num_envs=4, seed=0)["session_id"]
            client.reset(session)
            futures = [client.request_async("step", {"session_id": session, "actions": np.zeros(4, np.int64)})
                       for _ in range(400)]
            time.sleep(0.05)
            process.send_signal(signal.SIGTERM)
            client.wait_closed(30)
            assert client.close_code == 1001
            answered = [f for f in futures if f.done() and f.exception() is None]
            assert answered and all(f.done() for f in futures)  # the others failed with the closed connection
            assert futures[: len(answered)] == answered  # answers came in order, a prefix of the requests
        assert process.wait(timeout=30) == 0
