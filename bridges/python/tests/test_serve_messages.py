"""Every message of protocol v1 against the bridge serving CartPole-v1 and a toy Dict/Tuple env, compared with
local Gymnasium envs where the results are deterministic."""
from __future__ import annotations

import json
import urllib.request

import gymnasium as gym
import numpy as np
from helpers import expect_error
from servers import ThreadedServer

from vinegym import VinegymClient
from vinegym.protocol.spaces import space_to_wire


def test_hello_reports_version_limits_and_capabilities(cartpole_server: ThreadedServer) -> None:
    with VinegymClient(cartpole_server.url) as client:
        hello = client.hello
    assert list(hello) == ["protocol_version", "server", "capabilities", "limits", "ping_interval_s"]
    assert hello["protocol_version"] == 1
    assert "snapshot" in hello["capabilities"]
    limits = hello["limits"]
    required = {"max_sessions": 4, "max_envs_per_session": 64, "max_message_bytes": 64 * 1024 * 1024}
    assert {key: limits[key] for key in required} == required
    assert limits["max_connections"] == 256 and limits["max_pending_connections"] == 128
    assert limits["max_message_bytes_before_hello"] == 8192 and limits["max_frame_values_before_hello"] == 256
    assert limits["hello_timeout_s"] == 10.0 and limits["idle_timeout_s"] == 900.0
    assert limits["ping_timeout_s"] == 300.0
    assert all(isinstance(value, (int, float)) for value in limits.values())


def test_list_describes_the_env_and_its_kwargs(cartpole_server: ThreadedServer) -> None:
    with VinegymClient(cartpole_server.url) as client:
        (env,) = client.list_envs()
    assert env["id"] == "CartPole-v1" and env["max_episode_steps"] == 500
    assert env["kwargs"]["sutton_barto_reward"]["type"] == "boolean"
    assert env["kwargs"]["sutton_barto_reward"]["default"] is False


def test_make_describes_single_and_batched_spaces(cartpole_server: ThreadedServer) -> None:
    with VinegymClient(cartpole_server.url) as client:
        made = client.make("CartPole-v1", num_envs=3, seed=1)
    local = gym.make("CartPole-v1")
    assert made["single_action_space"] == {"type": "discrete", "n": 2, "start": 0}
    assert made["action_space"]["type"] == "multi_discrete" and made["action_space"]["nvec"].tolist() == [2, 2, 2]
    wire_obs = space_to_wire(local.observation_space)
    assert np.array_equal(made["single_observation_space"]["high"], wire_obs["high"])
    assert made["observation_space"]["shape"] == [3, 4]
    assert made["max_episode_steps"] == 500 and made["autoreset_mode"] == "next_step"
    assert made["snapshot_supported"] is True and made["render_supported"] is False


def test_reset_and_step_match_local_gymnasium(cartpole_server: ThreadedServer) -> None:
    local = [gym.make("CartPole-v1") for _ in range(2)]
    with VinegymClient(cartpole_server.url) as client:
        session = client.make("CartPole-v1", num_envs=2, seed=10)["session_id"]
        reset = client.reset(session)
        assert reset["env_indices"] == [0, 1]
        for i, env in enumerate(local):
            obs, _ = env.reset(seed=10 + i)
            assert np.array_equal(reset["observations"][i], obs)
        for t in range(5):
            actions = np.array([t % 2, 1], dtype=np.int64)
            result = client.step(session, actions)
            assert result["rewards"].dtype == np.float64 and result["terminated"].dtype == np.bool_
            assert "final_observations" not in result
            for i, env in enumerate(local):
                obs, reward, *_ = env.step(int(actions[i]))
                assert np.array_equal(result["observations"][i], obs) and result["rewards"][i] == reward


def test_reset_seed_seeds_and_env_indices(cartpole_server: ThreadedServer) -> None:
    with VinegymClient(cartpole_server.url) as client:
        session = client.make("CartPole-v1", num_envs=3)["session_id"]
        all_reset = client.reset(session, seed=5)
        partial = client.reset(session, seeds=[7, None], env_indices=[0, 2])
        assert partial["env_indices"] == [0, 2] and partial["observations"].shape == (2, 4)
        assert np.array_equal(partial["observations"][0], gym.make("CartPole-v1").reset(seed=7)[0])
        again = client.reset(session, seed=5, env_indices=[2])
        assert np.array_equal(again["observations"][0], all_reset["observations"][2])  # seed + session index
        options = client.reset(session, options={"low": -0.01, "high": 0.01}, env_indices=[1])
        assert np.abs(options["observations"]).max() <= 0.01


def test_close_frees_the_session(cartpole_server: ThreadedServer) -> None:
    with VinegymClient(cartpole_server.url) as client:
        session = client.make("CartPole-v1")["session_id"]
        client.close_session(session)
        expect_error("UNKNOWN_SESSION", lambda: client.close_session(session))
        expect_error("UNKNOWN_SESSION", lambda: client.reset(session))


def test_kwargs_reach_the_env(cartpole_server: ThreadedServer) -> None:
    with VinegymClient(cartpole_server.url) as client:
        session = client.make("CartPole-v1", kwargs={"sutton_barto_reward": True}, seed=0)["session_id"]
        client.reset(session)
        assert client.step(session, np.array([1]))["rewards"][0] == 0.0


def test_dict_and_tuple_spaces_travel(toy_server: ThreadedServer) -> None:
    with VinegymClient(toy_server.url) as client:
        made = client.make("Toy-v0", num_envs=2, seed=3, autoreset_mode="same_step")
        assert list(made["single_observation_space"]["spaces"]) == ["flags", "position"]  # Gymnasium sorts keys
        flags_batch = made["observation_space"]["spaces"]["flags"]["spaces"]
        assert flags_batch[0]["type"] == "multi_discrete"
        assert flags_batch[1] == {"type": "multi_binary", "shape": [2, 2]}
        session = made["session_id"]
        reset = client.reset(session, options={"note": np.arange(3, dtype=np.int16)})
        assert reset["observations"]["position"].shape == (2, 2)
        assert reset["observations"]["flags"][0].dtype == np.int64
        assert reset["observations"]["flags"][1].dtype == np.int8
        assert np.array_equal(reset["infos"][0]["options"]["note"], np.arange(3, dtype=np.int16))
        result = client.step(session, np.zeros((2, 2), dtype=np.float32))
        assert result["infos"] == [{"moves": 1}, {"moves": 1}]


def test_http_endpoints(cartpole_server: ThreadedServer) -> None:
    def get(path: str) -> str:
        with urllib.request.urlopen(cartpole_server.http_url + path, timeout=5) as response:
            assert response.status == 200
            return response.read().decode()

    assert json.loads(get("/healthz")) == {"status": "ok"}
    assert json.loads(get("/v1/envs"))["envs"][0]["id"] == "CartPole-v1"
    assert "vinegym_requests_total" in get("/metrics")
