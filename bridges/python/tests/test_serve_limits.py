"""What a client can make a live bridge hold or do, with and without the token (issue 15; PROTOCOL.md 6, 9): small
limits before hello, the hello deadline, connection pools, token back-off, idle and message timeouts, pongs,
decode budgets, counts in requests, quoting of client text."""
from __future__ import annotations

import dataclasses
import socket
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import numpy as np
import pytest
from helpers import wait_for
from servers import ThreadedServer
from websockets.exceptions import ConnectionClosed
from websockets.frames import Frame, Opcode
from websockets.sync.client import ClientConnection, connect

from vinegym.protocol.codec import decode_frame, encode_frame
from vinegym.server.app import BridgeServer
from vinegym.server.config import ServerConfig
from vinegym.snapshots.envelope import open_envelope, seal_envelope

HELLO = {"protocol_versions": [1], "client": {"name": "limits-test", "version": "0"}}


@contextmanager
def raw(url: str) -> Iterator[ClientConnection]:
    websocket = connect(url, compression=None, max_size=None, open_timeout=10).__enter__()
    try:
        yield websocket
    finally:
        websocket.close()


def call(websocket: ClientConnection, request_id: int, request_type: str, body: dict[str, Any]) -> dict[str, Any]:
    websocket.send(encode_frame({"id": request_id, "type": request_type, "body": body}))
    return receive(websocket)


def receive(websocket: ClientConnection, timeout: float = 10) -> dict[str, Any]:
    while True:
        frame = decode_frame(websocket.recv(timeout=timeout))
        if frame.get("type") != "ping":
            return frame


def send_together(websocket: ClientConnection, *messages: bytes) -> None:
    """Writes binary messages in one write to the socket, so the server has them all before it answers the first
    (two sends race with a server that closes the connection after the first)."""
    websocket.socket.sendall(b"".join(Frame(Opcode.BINARY, m).serialize(mask=True) for m in messages))


def close_code(websocket: ClientConnection, timeout: float = 10) -> int | None:
    """Reads until the server closes the connection; its close code."""
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            websocket.recv(timeout=deadline - time.monotonic())
    except ConnectionClosed:
        pass
    except TimeoutError:
        return None
    return websocket.close_code


@contextmanager
def serving(cartpole_server: ThreadedServer, **config: Any) -> Iterator[ThreadedServer]:
    """A server with `config` sharing the CartPole server's envs (no second probe)."""
    server = ThreadedServer("CartPole-v1", ServerConfig(**config), envs_of=cartpole_server.server)
    try:
        yield server
    finally:
        server.stop()


def test_before_hello_frames_are_small_and_get_a_small_budget(cartpole_server: ThreadedServer) -> None:
    with raw(cartpole_server.url) as websocket:
        padded = {**HELLO, "pad": list(range(300))}
        answer = call(websocket, 1, "hello", padded)
        assert answer["id"] is None and answer["error"]["code"] == "LIMIT_EXCEEDED"
        assert answer["error"]["details"] == {"limit": "max_frame_values_before_hello", "max": 256}
        assert call(websocket, 2, "hello", HELLO)["ok"]  # the connection stayed usable
        big = call(websocket, 3, "restore", {"session_id": "x", "env_index": 0, "snapshot": bytes(100_000)})
        assert big["id"] == 3 and big["error"]["code"] == "UNKNOWN_SESSION"  # 100 KB is fine after hello
    with raw(cartpole_server.url) as websocket:
        websocket.send(encode_frame({"id": 1, "type": "hello", "body": {**HELLO, "pad": b"x" * 9000}}))
        assert close_code(websocket) == 1009


def test_a_decode_bomb_costs_nothing_and_leaves_the_connection_usable(cartpole_server: ThreadedServer) -> None:
    bomb = b"\xdd" + (16 * 2**20).to_bytes(4, "big") + b"\x80" * (16 * 2**20)
    with raw(cartpole_server.url) as websocket:
        assert call(websocket, 1, "hello", HELLO)["ok"]
        websocket.send(bomb)
        answer = receive(websocket)
        assert answer["id"] is None and answer["error"]["details"]["limit"] == "max_frame_values"
        assert call(websocket, 2, "list", {})["ok"]


def test_connections_must_say_hello_in_time(cartpole_server: ThreadedServer) -> None:
    with serving(cartpole_server, hello_timeout_s=0.3) as server, raw(server.url) as websocket:
        assert close_code(websocket) == 4001


def test_silent_sockets_cannot_keep_a_client_out(cartpole_server: ThreadedServer) -> None:
    with serving(cartpole_server, max_pending_connections=3) as server:
        silent = [socket.create_connection(("127.0.0.1", server.server.port)) for _ in range(3)]
        try:
            wait_for(lambda: server.server.slots.pending == 3)
            with raw(server.url) as websocket:  # takes the oldest silent socket's slot
                assert call(websocket, 1, "hello", HELLO)["ok"]
            silent[0].settimeout(5)
            assert silent[0].recv(1) == b""  # dropped
        finally:
            for sock in silent:
                sock.close()


def test_max_connections_refuses_upgrades_and_hellos(cartpole_server: ThreadedServer) -> None:
    with serving(cartpole_server, max_connections=1) as server, raw(server.url) as first, raw(server.url) as second:
        assert call(first, 1, "hello", HELLO)["ok"]
        answer = call(second, 7, "hello", HELLO)  # connected before the first hello: refused at its own hello
        assert answer["id"] == 7 and answer["error"]["details"] == {"limit": "max_connections"}
        assert close_code(second) == 1013
        with raw(server.url) as third:  # connected while full: refused at once
            answer = receive(third)
            assert answer["id"] is None and answer["error"]["code"] == "LIMIT_EXCEEDED"
            assert close_code(third) == 1013


def test_wrong_tokens_back_off_and_end_the_frames_behind_them(cartpole_server: ThreadedServer) -> None:
    with serving(cartpole_server, token="s3cret") as server:
        for attempt in range(4):  # 3 free failures, then the 4th makes the next check wait 1 s
            with raw(server.url) as websocket:
                send_together(
                    websocket,
                    encode_frame({"id": 1, "type": "hello", "body": {**HELLO, "token": f"guess{attempt}"}}),
                    encode_frame({"id": 2, "type": "list", "body": {}}),  # behind a refused hello
                )
                answer = receive(websocket)
                assert answer["id"] == 1 and answer["error"]["code"] == "UNAUTHORIZED"
                behind: list[dict[str, Any]] = []
                with pytest.raises(ConnectionClosed):
                    while True:
                        behind.append(decode_frame(websocket.recv(timeout=10)))
                assert websocket.close_code == 1008
                assert [frame for frame in behind if frame.get("id") == 2] == []  # no answer to the list
        with raw(server.url) as websocket:
            answer = call(websocket, 1, "hello", {**HELLO, "token": "s3cret"})  # right, but within the back-off
            assert answer["error"]["code"] == "UNAUTHORIZED" and 0 < answer["error"]["details"]["retry_after_s"] <= 1
        time.sleep(1.05)
        with raw(server.url) as websocket:
            assert call(websocket, 1, "hello", {**HELLO, "token": "s3cret"})["ok"]


def test_pongs_neither_keep_a_connection_from_idling_nor_answer_other_pings(cartpole_server: ThreadedServer) -> None:
    with serving(cartpole_server, idle_timeout_s=0.5, ping_interval_s=0) as server, raw(server.url) as websocket:
        assert call(websocket, 1, "hello", HELLO)["ok"]
        started = time.monotonic()
        with pytest.raises(ConnectionClosed):
            while time.monotonic() - started < 10:
                websocket.send(encode_frame({"type": "pong", "nonce": 1}))  # unsolicited
                time.sleep(0.05)
        assert websocket.close_code == 4001
    with serving(cartpole_server, ping_interval_s=0.1, ping_timeout_s=0.5) as server, raw(server.url) as websocket:
        assert call(websocket, 1, "hello", HELLO)["ok"]
        with pytest.raises(ConnectionClosed):
            while True:
                ping = decode_frame(websocket.recv(timeout=10))
                websocket.send(encode_frame({"type": "pong", "nonce": ping["nonce"] + 100}))  # a wrong nonce
        assert websocket.close_code == 4000


def test_a_client_busy_for_many_ping_intervals_keeps_its_connection(cartpole_server: ThreadedServer) -> None:
    # Two unanswered pings used to close a connection: an agent busy in a long policy update lost it.
    with serving(cartpole_server, ping_interval_s=0.1, ping_timeout_s=3) as server, raw(server.url) as websocket:
        assert call(websocket, 1, "hello", HELLO)["ok"]
        time.sleep(1.5)  # busy: reads nothing, answers nothing, for 15 ping intervals
        pings = []
        while True:
            try:
                frame = decode_frame(websocket.recv(timeout=0.05))
            except TimeoutError:
                break
            pings.append(frame["nonce"])
        assert len(pings) >= 3
        websocket.send(encode_frame({"type": "pong", "nonce": pings[-1]}))  # answers them all
        assert call(websocket, 2, "list", {})["ok"]


def test_a_message_must_arrive_completely_in_time(cartpole_server: ThreadedServer) -> None:
    with serving(cartpole_server, message_timeout_s=0.3) as server, raw(server.url) as websocket:
        assert call(websocket, 1, "hello", HELLO)["ok"]

        def fragments() -> Iterator[bytes]:
            yield b"\x83"
            time.sleep(2)  # the rest never comes in time
            yield b"\x00"

        with pytest.raises(ConnectionClosed):
            websocket.send(fragments())
            websocket.recv(timeout=10)
        assert websocket.close_code == 4002


def test_counts_in_requests_are_bounded_by_the_session(cartpole_server: ThreadedServer) -> None:
    with raw(cartpole_server.url) as websocket:
        assert call(websocket, 1, "hello", HELLO)["ok"]
        session = call(websocket, 2, "make", {"env_id": "CartPole-v1", "num_envs": 2, "seed": 0})["body"]["session_id"]
        started = time.monotonic()
        repeated = call(websocket, 3, "snapshot", {"session_id": session, "env_indices": [0] * 60_000})
        assert repeated["error"]["code"] == "BAD_REQUEST" and time.monotonic() - started < 2
        twice = call(websocket, 4, "snapshot", {"session_id": session, "env_indices": [1, 1]})
        assert len(twice["body"]["snapshots"]) == 2  # repeats are allowed, up to num_envs entries
        thrice = call(websocket, 4, "snapshot", {"session_id": session, "env_indices": [1, 1, 1]})
        assert thrice["error"]["code"] == "BAD_REQUEST"
        assert call(websocket, 5, "snapshot", {"session_id": session, "env_indices": []})["body"] == {"snapshots": []}
        empty = call(websocket, 6, "reset", {"session_id": session, "env_indices": []})["body"]
        assert empty["env_indices"] == [] and empty["observations"].shape == (0, 4) and empty["infos"] == []
        for body in ({"seeds": [1, 2, 3]}, {"seed": 2**53 - 1}, {"env_indices": [0, 1, 2]}):
            answer = call(websocket, 7, "reset", {"session_id": session, **body})
            assert answer["error"]["code"] == "BAD_REQUEST", body
        assert "2^53" in call(websocket, 8, "reset", {"session_id": session, "seed": 2**53 - 1})["error"]["message"]
        made = call(websocket, 9, "make", {"env_id": "CartPole-v1", "num_envs": 2, "seed": 2**53 - 1})
        assert made["error"]["code"] == "BAD_REQUEST"
        assert call(websocket, 10, "make", {"env_id": "CartPole-v1", "num_envs": 2, "seed": 2**53 - 2})["ok"]


def test_client_text_is_never_echoed_whole(cartpole_server: ThreadedServer) -> None:
    name = "f" * 8_000_000
    with raw(cartpole_server.url) as websocket:
        assert call(websocket, 1, "hello", HELLO)["ok"]
        for body in ({name: 1}, {"env_id": name}, {"env_id": "CartPole-v1", "kwargs": {name: 1}}):
            answer = call(websocket, 2, "make", body)
            assert len(encode_frame(answer)) < 600 and "(8000000 characters)" in answer["error"]["message"]


def test_frame_errors_carry_the_id_when_it_was_readable(cartpole_server: ThreadedServer) -> None:
    with raw(cartpole_server.url) as websocket:
        assert call(websocket, 1, "hello", HELLO)["ok"]
        bad_array = {"dtype": "int64", "shape": [2], "data": b"\x00"}
        answer = call(websocket, 41, "step", {"session_id": "x", "actions": bad_array})
        assert answer["id"] == 41 and answer["error"]["code"] == "BAD_REQUEST"
        websocket.send(b"\x83\xa2id\x2a\xa4type\xa4list\x01\xa0")  # a map key that is an int: malformed
        assert receive(websocket)["id"] is None


def test_render_before_reset_names_the_env(pong_server: ThreadedServer) -> None:
    with raw(pong_server.url) as websocket:
        assert call(websocket, 1, "hello", HELLO)["ok"]
        session = call(websocket, 2, "make", {"env_id": "ALE/Pong-v5", "num_envs": 2})["body"]["session_id"]
        answer = call(websocket, 3, "render", {"session_id": session, "env_index": 1})
        assert answer["error"]["code"] == "BAD_REQUEST" and answer["error"]["details"] == {"env_index": 1}
        call(websocket, 4, "reset", {"session_id": session, "env_indices": [1]})
        frame = call(websocket, 5, "render", {"session_id": session, "env_index": 1})["body"]["frame"]
        assert frame.shape == (210, 160, 3)


def test_shutdown_answers_what_it_received_and_executes_nothing_else(cartpole_server: ThreadedServer) -> None:
    server = ThreadedServer("CartPole-v1", ServerConfig(), envs_of=cartpole_server.server)
    with raw(server.url) as websocket:
        assert call(websocket, 1, "hello", HELLO)["ok"]
        session = call(websocket, 2, "make", {"env_id": "CartPole-v1", "num_envs": 4, "seed": 0})["body"]["session_id"]
        call(websocket, 3, "reset", {"session_id": session})
        step = {"session_id": session, "actions": np.zeros(4, np.int64)}
        for request_id in range(100, 400):
            websocket.send(encode_frame({"id": request_id, "type": "step", "body": step}))
        server.stop()
        answers = []
        with pytest.raises(ConnectionClosed):
            while True:
                answers.append(receive(websocket))
        assert websocket.close_code == 1001
    assert [a["id"] for a in answers] == list(range(100, 100 + len(answers))) and all(a["ok"] for a in answers)
    assert _env_steps(server.server) == 4 * len(answers)  # a step was executed if and only if it was answered


def _env_steps(server: BridgeServer) -> int:
    line = next(x for x in server.metrics.render().splitlines() if x.startswith("vinegym_env_steps_total "))
    return int(float(line.split()[1]))  # prometheus-client writes counters as floats


def _forged_ale_snapshot(snapshot: bytes, actions: np.ndarray) -> bytes:
    """A real snapshot with its replayed actions replaced, resealed: the digest does not stop a client."""
    envelope = open_envelope(snapshot)
    payload = decode_frame(envelope.payload)
    payload["actions"] = actions
    return seal_envelope(dataclasses.replace(envelope, payload=encode_frame(payload)))


def test_forged_ale_snapshots_cannot_make_restore_replay_without_end(pong_server: ThreadedServer) -> None:
    with raw(pong_server.url) as websocket:
        assert call(websocket, 1, "hello", HELLO)["ok"]
        session = call(websocket, 2, "make", {"env_id": "ALE/Pong-v5", "seed": 0})["body"]["session_id"]
        call(websocket, 3, "reset", {"session_id": session})
        snapshot = call(websocket, 4, "snapshot", {"session_id": session, "env_indices": [0]})["body"]["snapshots"][0]
        for actions in (np.zeros(200_000, np.int64), np.array([0, 1, 99], np.int64)):
            started = time.monotonic()
            answer = call(websocket, 5, "restore", {"session_id": session, "env_index": 0,
                                                     "snapshot": _forged_ale_snapshot(snapshot, actions)})
            assert answer["error"]["code"] == "BAD_REQUEST" and time.monotonic() - started < 2, answer
        assert call(websocket, 6, "restore", {"session_id": session, "env_index": 0, "snapshot": snapshot})["ok"]
        assert call(websocket, 7, "step", {"session_id": session, "actions": np.zeros(1, np.int64)})["ok"]


def test_frames_before_an_oversized_one_are_answered_before_1009(cartpole_server: ThreadedServer) -> None:
    with raw(cartpole_server.url) as websocket:
        for request_id in range(5):
            websocket.send(encode_frame({"id": request_id, "type": "list", "body": {}}))
        websocket.send(b"\x00" * 9000)  # over the 8 KiB before hello, pipelined behind them
        answers = []
        with pytest.raises(ConnectionClosed):
            while True:
                answers.append(receive(websocket)["id"])
        assert answers == [0, 1, 2, 3, 4] and websocket.close_code == 1009
