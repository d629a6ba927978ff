"""`--workers N`: a session's envs split across worker processes must answer every request exactly as one
process does (same bytes: observations, rewards, flags, infos, final observations, snapshots, frames, and the same
errors with the same global env indices), for every env family and autoreset mode, and its processes must end
with the session, the connection, or the server."""
from __future__ import annotations

import dataclasses
import multiprocessing
import os
import signal
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np
import pytest
from helpers import expect_error, wait_for
from servers import ThreadedServer

from vinegym import VinegymClient, VinegymError
from vinegym.protocol.codec import encode_frame
from vinegym.server.sharded_session import shard_sizes

Script = Callable[[VinegymClient, "Recorder"], None]


class Recorder:
    """Runs requests and records each answer (encoded) or error (code, message, details), with session ids
    replaced by their order of appearance so that two servers' records compare."""

    def __init__(self) -> None:
        self.records: list[Any] = []
        self._sessions: dict[str, str] = {}

    def _anonymous(self, text: str) -> str:
        for real, alias in self._sessions.items():
            text = text.replace(real, alias)
        return text

    def __call__(self, request: Callable[[], Any], summary: Callable[[Any], Any] | None = None) -> Any:
        """`summary`: what of the answer to record (default: all of it)."""
        try:
            answer = request()
        except VinegymError as error:
            self.records.append(("error", error.code, self._anonymous(error.message), error.details))
            return error
        recorded = answer if summary is None else summary(answer)
        if isinstance(answer, dict) and "session_id" in answer:
            self._sessions.setdefault(answer["session_id"], f"session-{len(self._sessions)}")
            recorded = {**answer, "session_id": self._sessions[answer["session_id"]]}
        self.records.append(encode_frame(recorded))
        return answer


def _same_answers(one_process: ThreadedServer, workers: ThreadedServer, script: Script) -> list[Any]:
    records = []
    for server in (one_process, workers):
        recorder = Recorder()
        with VinegymClient(server.url) as client:
            script(client, recorder)
        records.append(recorder.records)
    assert len(records[0]) == len(records[1])
    for index, (expected, got) in enumerate(zip(*records)):
        assert got == expected, f"answer {index} differs"
    return records[1]


def _with_workers(one_process: ThreadedServer, workers: int) -> Iterator[ThreadedServer]:
    """The same envs as `one_process` served with `workers` worker processes per session."""
    config = dataclasses.replace(one_process.server.config, workers=workers)
    server = ThreadedServer("", config, envs_of=one_process.server)
    yield server
    server.stop()


@pytest.fixture(scope="module")
def cartpole_3_workers(cartpole_server: ThreadedServer) -> Iterator[ThreadedServer]:
    yield from _with_workers(cartpole_server, 3)


@pytest.fixture(scope="module")
def hopper_2_workers(hopper_server: ThreadedServer) -> Iterator[ThreadedServer]:
    yield from _with_workers(hopper_server, 2)


@pytest.fixture(scope="module")
def pong_2_workers(pong_preprocessed_server: ThreadedServer) -> Iterator[ThreadedServer]:
    yield from _with_workers(pong_preprocessed_server, 2)


@pytest.fixture(scope="module")
def toy_2_workers(toy_server: ThreadedServer) -> Iterator[ThreadedServer]:
    yield from _with_workers(toy_server, 2)


def _worker_processes(session_id: str) -> list[multiprocessing.process.BaseProcess]:
    return [p for p in multiprocessing.active_children() if p.name.startswith(f"vinegym-{session_id}-")]


def test_shard_sizes() -> None:
    assert shard_sizes(16, 2) == [8, 8]
    assert shard_sizes(5, 3) == [2, 2, 1]
    assert shard_sizes(2, 4) == [1, 1]


@pytest.mark.parametrize("mode", ["next_step", "same_step", "disabled"])
def test_cartpole_answers_as_one_process(
    cartpole_server: ThreadedServer, cartpole_3_workers: ThreadedServer, mode: str
) -> None:
    def script(client: VinegymClient, record: Recorder) -> None:
        n = 5  # shards of 2, 2 and 1 envs
        session = record(lambda: client.make("CartPole-v1", num_envs=n, seed=3, autoreset_mode=mode))["session_id"]
        other = record(lambda: client.make("CartPole-v1", num_envs=n, seed=50))["session_id"]
        record(lambda: client.reset(other))
        record(lambda: client.step(session, np.zeros(n, np.int64)))  # nothing reset yet
        record(lambda: client.reset(session, env_indices=[1, 3], seeds=[10, None]))
        record(lambda: client.step(session, np.zeros(n, np.int64)))  # env 0 never reset
        record(lambda: client.reset(session, env_indices=[0, 2, 4]))  # the make seed: 3 + index
        record(lambda: client.step(session, np.array([0, 1, 0, 2, 0])))  # INVALID_ACTION at env 3
        snapshots: list[bytes] = []
        for t in range(60):
            actions = np.array([(t + i) % 3 == 0 for i in range(n)], dtype=np.int64)
            answer = record(lambda: client.step(session, actions))
            if isinstance(answer, VinegymError):  # disabled mode: reset the ended env it names
                record(lambda: client.reset(session, env_indices=[answer.details["env_index"]]))
            record(lambda: client.step(other, 1 - actions))
            if t == 20:
                snapshots = record(lambda: client.snapshot(session, [4, 0, 2]))
            if t == 40:
                record(lambda: client.restore(session, 1, snapshots[0]))  # env 4's state into env 1
                record(lambda: client.restore(session, 4, snapshots[2]))
        record(lambda: client.reset(session, seed=7))
        record(lambda: client.snapshot(session, [5]))
        record(lambda: client.snapshot(session, [5, 0, 5]))  # repeats, within one shard and across shards
        record(lambda: client.render(session, 0))
        record(lambda: client.close_session(session))
        record(lambda: client.step(other, np.ones(n, np.int64)))

    _same_answers(cartpole_server, cartpole_3_workers, script)


def test_hopper_answers_as_one_process(hopper_server: ThreadedServer, hopper_2_workers: ThreadedServer) -> None:
    rng = np.random.default_rng(0)
    actions = [rng.uniform(-1, 1, (6, 3)).astype(np.float32) for _ in range(80)]

    def script(client: VinegymClient, record: Recorder) -> None:
        session = record(lambda: client.make("Hopper-v5", num_envs=6, seed=0))["session_id"]
        record(lambda: client.reset(session))
        snapshots: list[bytes] = []
        for t, batch in enumerate(actions):
            record(lambda: client.step(session, batch))
            if t == 30:
                snapshots = record(lambda: client.snapshot(session, [5, 1]))
            if t == 50:
                record(lambda: client.restore(session, 0, snapshots[0]))
                record(lambda: client.restore(session, 4, snapshots[1]))
            if t == 60:  # the scene modes answered by the worker that holds the env
                record(lambda: client.render_scene(session, 5, "scene"))
                record(lambda: client.render_scene(session, 0, "poses"))
        bad = actions[0].copy()
        bad[4, 1] = np.nan
        record(lambda: client.step(session, bad))
        record(lambda: client.make("Hopper-v5", kwargs={"frame_skip": 0}, num_envs=4))

    records = _same_answers(hopper_server, hopper_2_workers, script)
    assert ("error", "INVALID_ACTION") == records[-2][:2] and records[-2][3] == {"env_index": 4}
    assert records[-1][:2] == ("error", "INVALID_KWARGS")  # the env rejected frame_skip=0 while being built (7.3)


def test_preprocessed_pong_answers_as_one_process(
    pong_preprocessed_server: ThreadedServer, pong_2_workers: ThreadedServer
) -> None:
    rng = np.random.default_rng(1)
    actions = [rng.integers(0, 6, 4).astype(np.int64) for _ in range(30)]

    def script(client: VinegymClient, record: Recorder) -> None:
        session = record(lambda: client.make("ALE/Pong-v5", num_envs=4, seed=5))["session_id"]
        record(lambda: client.reset(session))
        for t, batch in enumerate(actions):
            record(lambda: client.step(session, batch))
            if t == 10:
                snapshot = record(lambda: client.snapshot(session, [3]))[0]
        record(lambda: client.restore(session, 0, snapshot))
        for batch in actions[11:]:
            record(lambda: client.step(session, batch))
        record(lambda: client.render(session, 3))

    _same_answers(pong_preprocessed_server, pong_2_workers, script)


@pytest.mark.parametrize("mode", ["next_step", "same_step"])
def test_dict_tuple_spaces_time_limit_and_env_errors(
    toy_server: ThreadedServer, toy_2_workers: ThreadedServer, mode: str
) -> None:
    rng = np.random.default_rng(2)
    actions = [rng.uniform(-1, 1, (3, 2)).astype(np.float32) for _ in range(12)]  # the time limit is 5 steps

    def script(client: VinegymClient, record: Recorder) -> None:
        session = record(lambda: client.make("Toy-v0", num_envs=3, seed=1, autoreset_mode=mode))["session_id"]
        record(lambda: client.reset(session, options={"tag": 1}))
        for batch in actions:
            record(lambda: client.step(session, batch))
        # Pickle snapshots hold the same state but not always the same bytes (pickle's memo follows object
        # identity, e.g. of interned strings): what is restored is compared instead.
        snapshots = record(lambda: client.snapshot(session, [2, 0]), summary=len)
        record(lambda: client.restore(session, 1, snapshots[0]))
        record(lambda: client.step(session, actions[0]))
        record(lambda: client.reset(session, env_indices=[0]))
        record(lambda: client.reset(session, env_indices=[], seed=4))
        record(lambda: client.reset(session, env_indices=[2], options={"explode": True}))
        record(lambda: client.step(session, actions[1]))
        record(lambda: client.close_session(session))

    records = _same_answers(toy_server, toy_2_workers, script)
    assert records[-3][:2] == ("error", "ENV_ERROR") and records[-3][3] == {"env_index": 2}
    assert records[-2][:2] == ("error", "ENV_ERROR") and "unusable" in records[-2][2]


def test_workers_end_with_their_session_and_connection(cartpole_3_workers: ThreadedServer) -> None:
    with VinegymClient(cartpole_3_workers.url) as client:
        closed = client.make("CartPole-v1", num_envs=4)["session_id"]
        left_open = client.make("CartPole-v1", num_envs=2)["session_id"]
        single = client.make("CartPole-v1", num_envs=1)["session_id"]
        # The server process steps the first shard itself: shards of 2, 1, 1 envs and of 1, 1 env.
        assert len(_worker_processes(closed)) == 2 and len(_worker_processes(left_open)) == 1
        assert _worker_processes(single) == []  # one env: nothing to split
        client.close_session(closed)
        assert _worker_processes(closed) == []
        assert len(_worker_processes(left_open)) == 1
    wait_for(lambda: _worker_processes(left_open) == [])


def test_a_dead_worker_makes_the_session_unusable(hopper_2_workers: ThreadedServer) -> None:
    with VinegymClient(hopper_2_workers.url) as client:
        session = client.make("Hopper-v5", num_envs=4, seed=0)["session_id"]
        healthy = client.make("Hopper-v5", num_envs=4, seed=0)["session_id"]
        client.reset(session)
        client.reset(healthy)
        (victim,) = _worker_processes(session)  # envs 2-3; envs 0-1 step in the server process
        os.kill(victim.pid, signal.SIGKILL)  # type: ignore[arg-type]
        error = expect_error("ENV_ERROR", lambda: client.step(session, np.zeros((4, 3), np.float32)))
        assert error.details == {"env_index": 2} and "worker process of envs 2-3" in error.message
        expect_error("ENV_ERROR", lambda: client.reset(session))
        client.step(healthy, np.zeros((4, 3), np.float32))
        client.close_session(session)
        assert _worker_processes(session) == []
