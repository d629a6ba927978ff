"""Typed errors for bad input (PROTOCOL.md 4, 6, 9, 10), keep-alive pings and close codes."""
from __future__ import annotations

import time
from pathlib import Path

import gymnasium as gym
import numpy as np
import pytest
from helpers import expect_error, raw_error, wait_for
from servers import ThreadedServer

from vinegym import VinegymClient
from vinegym.protocol.codec import encode_frame
from vinegym.server.config import ServerConfig


def test_undecodable_frames_get_a_null_id(cartpole_server: ThreadedServer) -> None:
    with VinegymClient(cartpole_server.url) as client:
        for data in (b"\xc1", b"\x81\xa2id", b"\x80\x00", b"\xd4\x01\x00", encode_frame([1, 2]), "text frame"):
            answer = raw_error(client, data)
            assert answer["id"] is None and answer["ok"] is False and answer["error"]["code"] == "BAD_REQUEST"
        client.list_envs()  # the connection stays usable


def test_malformed_requests_keep_their_id(cartpole_server: ThreadedServer) -> None:
    with VinegymClient(cartpole_server.url) as client:
        expect_error("BAD_REQUEST", lambda: client.request("frobnicate", {}))
        expect_error("BAD_REQUEST", lambda: client.request("list", {"extra": 1}))
        expect_error("BAD_REQUEST", lambda: client.request("make", {}))
        expect_error("BAD_REQUEST", lambda: client.request("make", {"env_id": "CartPole-v1", "num_envs": 0}))
        expect_error("BAD_REQUEST", lambda: client.request("make", {"env_id": "CartPole-v1", "autoreset_mode": "x"}))
        expect_error("BAD_REQUEST", lambda: client.request("make", {"env_id": "CartPole-v1", "seed": -1}))
        expect_error("BAD_REQUEST", lambda: client.request("reset", {"session_id": 3}))


def test_hello_rules(cartpole_server: ThreadedServer) -> None:
    client = VinegymClient(cartpole_server.url, say_hello=False)
    try:
        expect_error("BAD_REQUEST", lambda: client.list_envs())
        error = expect_error(
            "UNSUPPORTED_VERSION",
            lambda: client.request("hello", {"protocol_versions": [99], "client": {"name": "t", "version": "0"}}),
        )
        assert error.details == {"supported": [1]}
        client.say_hello()
        expect_error("BAD_REQUEST", lambda: client.say_hello())
        client.list_envs()
    finally:
        client.close()


def test_token_is_required_when_configured() -> None:
    server = ThreadedServer("CartPole-v1", ServerConfig(token="s3cret"))
    try:
        client = VinegymClient(server.url, say_hello=False)
        expect_error("UNAUTHORIZED", lambda: client.say_hello(token="wrong"))
        client.wait_closed(5)
        assert client.close_code == 1008
        with VinegymClient(server.url, token="s3cret") as good:
            good.list_envs()
    finally:
        server.stop()


def test_make_errors(cartpole_server: ThreadedServer) -> None:
    with VinegymClient(cartpole_server.url) as client:
        expect_error("UNKNOWN_ENV", lambda: client.make("Nope-v0"))
        error = expect_error("INVALID_KWARGS", lambda: client.make("CartPole-v1", kwargs={"gravity": 1.0}))
        assert error.details == {"key": "gravity"}
        expect_error("INVALID_KWARGS", lambda: client.make("CartPole-v1", kwargs={"sutton_barto_reward": 1}))
        expect_error("LIMIT_EXCEEDED", lambda: client.make("CartPole-v1", num_envs=65))
        sessions = [client.make("CartPole-v1")["session_id"] for _ in range(4)]
        expect_error("LIMIT_EXCEEDED", lambda: client.make("CartPole-v1"))
        client.close_session(sessions[0])
        client.make("CartPole-v1")


def test_sessions_belong_to_their_connection(cartpole_server: ThreadedServer) -> None:
    with VinegymClient(cartpole_server.url) as owner, VinegymClient(cartpole_server.url) as other:
        session = owner.make("CartPole-v1")["session_id"]
        expect_error("UNKNOWN_SESSION", lambda: other.reset(session))
        expect_error("UNKNOWN_SESSION", lambda: other.step("never-made", np.array([0])))


def test_request_errors(cartpole_server: ThreadedServer) -> None:
    with VinegymClient(cartpole_server.url) as client:
        session = client.make("CartPole-v1", num_envs=2, seed=0)["session_id"]
        expect_error("BAD_REQUEST", lambda: client.reset(session, seed=1, seeds=[1, 2]))
        expect_error("BAD_REQUEST", lambda: client.reset(session, seeds=[1]))
        expect_error("BAD_REQUEST", lambda: client.reset(session, env_indices=[2]))
        expect_error("BAD_REQUEST", lambda: client.reset(session, env_indices=[1, 0]))
        expect_error("BAD_REQUEST", lambda: client.snapshot(session, [5]))
        expect_error("NOT_SUPPORTED", lambda: client.render(session, 0))


def test_invalid_actions_move_no_env(cartpole_server: ThreadedServer) -> None:
    with VinegymClient(cartpole_server.url) as client:
        session = client.make("CartPole-v1", num_envs=2, seed=0)["session_id"]
        client.reset(session)
        before = client.snapshot(session, [0, 1])
        error = expect_error("INVALID_ACTION", lambda: client.step(session, np.array([0, 2])))
        assert error.details == {"env_index": 1}
        for bad in (np.array([0, 1, 0]), np.array([0.0, 1.0]), [0, 1], {"a": np.array([0, 1])}):
            expect_error("INVALID_ACTION", lambda bad=bad: client.step(session, bad))
        assert client.snapshot(session, [0, 1]) == before


def test_box_actions_reject_nan_and_wrong_dtype(hopper_server: ThreadedServer) -> None:
    with VinegymClient(hopper_server.url) as client:
        session = client.make("Hopper-v5", seed=0)["session_id"]
        client.reset(session)
        expect_error("INVALID_ACTION", lambda: client.step(session, np.full((1, 3), np.nan, np.float32)))
        expect_error("INVALID_ACTION", lambda: client.step(session, np.full((1, 3), np.inf, np.float32)))
        expect_error("INVALID_ACTION", lambda: client.step(session, np.zeros((1, 3), np.float64)))
        client.step(session, np.zeros((1, 3), np.float32))


def test_box_actions_outside_the_bounds_pass_as_in_gymnasium_unless_strict(hopper_server: ThreadedServer) -> None:
    action = np.array([2.0, -3.0, 0.5], dtype=np.float32)
    local = gym.make("Hopper-v5")
    local.reset(seed=4)
    expected = local.step(action)
    with VinegymClient(hopper_server.url) as client:
        made = client.make("Hopper-v5")
        assert made["strict_actions"] is False
        client.reset(made["session_id"], seed=4)
        result = client.step(made["session_id"], action[None])
        np.testing.assert_array_equal(result["observations"][0], expected[0])
        assert float(result["rewards"][0]) == expected[1]
        strict = client.make("Hopper-v5", strict_actions=True)
        assert strict["strict_actions"] is True
        client.reset(strict["session_id"], seed=4)
        expect_error("INVALID_ACTION", lambda: client.step(strict["session_id"], action[None]))
        expect_error("BAD_REQUEST", lambda: client.request("make", {"env_id": "Hopper-v5", "strict_actions": 1}))


def test_env_errors_poison_the_session(toy_server: ThreadedServer) -> None:
    with VinegymClient(toy_server.url) as client:
        session = client.make("Toy-v0")["session_id"]
        expect_error("ENV_ERROR", lambda: client.reset(session, options={"explode": True}))
        expect_error("ENV_ERROR", lambda: client.reset(session))
        client.close_session(session)
        healthy = client.make("Toy-v0")["session_id"]
        client.reset(healthy)


def test_oversized_messages_close_with_1009() -> None:
    server = ThreadedServer("CartPole-v1", ServerConfig(max_message_bytes=2048))
    try:
        client = VinegymClient(server.url)
        client.send_raw(encode_frame({"id": 1, "type": "list", "body": {"pad": b"x" * 4096}}))
        client.wait_closed(5)
        assert client.close_code == 1009
    finally:
        server.stop()


def test_pings_are_answered_and_unanswered_pings_close_with_4000() -> None:
    server = ThreadedServer("CartPole-v1", ServerConfig(ping_interval_s=0.1, ping_timeout_s=0.6))
    try:
        with VinegymClient(server.url) as client:
            wait_for(lambda: client.pings_answered >= 3)
            client.list_envs()
        silent = VinegymClient(server.url)
        silent.send_raw = lambda data: None  # type: ignore[method-assign]  # never answers pings
        greeted = time.monotonic()
        silent.wait_closed(5)
        assert silent.close_code == 4000
        # Not after two pings: only once the first unanswered one (one interval after hello) has waited the timeout.
        assert time.monotonic() - greeted >= 0.6
    finally:
        server.stop()


@pytest.mark.parametrize("num_envs", [1, 4])
def test_pipelined_requests_are_answered_in_order(cartpole_server: ThreadedServer, num_envs: int) -> None:
    with VinegymClient(cartpole_server.url) as client:
        session = client.make("CartPole-v1", num_envs=num_envs, seed=0)["session_id"]
        client.reset(session)
        futures = [client.request_async("step", {"session_id": session, "actions": np.zeros(num_envs, np.int64)})
                   for _ in range(10)]
        futures.insert(5, client.request_async("list", {}))
        results = [f.result(timeout=10) for f in futures]
        assert "envs" in results[5] and all("observations" in r for i, r in enumerate(results) if i != 5)


def test_kwargs_an_env_rejects_while_being_built_are_invalid_kwargs(toy_server: ThreadedServer) -> None:
    with VinegymClient(toy_server.url) as client:
        error = expect_error("INVALID_KWARGS", lambda: client.make("Toy-v0", kwargs={"limit": -1.0}))
        assert error.details == {"key": "limit"} and "limit must be positive" in error.message
        both = {"limit": -1.0, "label": "x" * 10**6}
        error = expect_error("INVALID_KWARGS", lambda: client.make("Toy-v0", kwargs=both))
        assert error.details is None and len(error.message) < 400  # two kwargs differ; the env's text is cut
        client.make("Toy-v0", kwargs={"limit": 2.0})


def test_whole_floats_stand_for_ints_as_in_the_reference_server(cartpole_server: ThreadedServer) -> None:
    with VinegymClient(cartpole_server.url) as client:
        made = client.request("make", {"env_id": "CartPole-v1", "num_envs": 2.0, "seed": 3.0})
        assert made["num_envs"] == 2 and type(made["num_envs"]) is int
        expect_error("BAD_REQUEST", lambda: client.request("make", {"env_id": "CartPole-v1", "num_envs": 1.5}))
        answer = raw_error(client, encode_frame({"id": 2.5, "type": "list", "body": {}}))
        assert answer["id"] is None
        bad_array = {"dtype": "float16", "shape": [2], "data": b"\x00" * 4}
        step = {"session_id": "x", "actions": bad_array}
        answer = raw_error(client, encode_frame({"id": 2097152.0, "type": "step", "body": step}))
        assert answer["id"] == 2097152 and answer["error"]["code"] == "BAD_REQUEST"  # the fuzzer found this one


def test_clients_cannot_name_files_for_the_bridge_to_open(hopper_server: ThreadedServer, tmp_path: Path) -> None:
    """Gymnasium's MuJoCo envs open `xml_file` wherever it points: the bridge offers no path kwarg to clients."""
    secret = tmp_path / "secret.xml"
    secret.write_text("<mujoco><worldbody><geom name='canary-7f3a' size='1'/></worldbody></mujoco>")
    with VinegymClient(hopper_server.url) as client:
        (env,) = client.list_envs()
        assert "xml_file" not in env["kwargs"]
        for path in (str(secret), "/dev/zero", "../../../../etc/hostname"):
            error = expect_error("INVALID_KWARGS", lambda path=path: client.make("Hopper-v5", kwargs={"xml_file": path}))
            assert error.details == {"key": "xml_file"} and "canary" not in error.message
