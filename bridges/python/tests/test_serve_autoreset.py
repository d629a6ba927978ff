"""The three autoreset modes (PROTOCOL.md 8.3) and the time limit (8.2), checked against Gymnasium's own
SyncVectorEnv for next_step / same_step on CartPole, and on the toy env's 5-step limit."""
from __future__ import annotations

import gymnasium as gym
import numpy as np
from gymnasium.vector import AutoresetMode, SyncVectorEnv
from helpers import expect_error
from servers import ThreadedServer

from vinegym import VinegymClient

STEPS = 40  # CartPole with mostly action 1 falls within ~10 steps, so every env ends several times


def _actions(t: int, n: int) -> np.ndarray:
    return np.array([(t + i) % 5 == 0 for i in range(n)], dtype=np.int64)


def test_next_step_matches_gymnasium_vector_env(cartpole_server: ThreadedServer) -> None:
    n = 3
    reference = SyncVectorEnv([lambda: gym.make("CartPole-v1")] * n, autoreset_mode=AutoresetMode.NEXT_STEP)
    ref_obs, _ = reference.reset(seed=[100 + i for i in range(n)])
    with VinegymClient(cartpole_server.url) as client:
        session = client.make("CartPole-v1", num_envs=n, seed=100)["session_id"]
        assert np.array_equal(client.reset(session)["observations"], ref_obs)
        pending = np.zeros(n, dtype=bool)
        for t in range(STEPS):
            actions = _actions(t, n)
            result = client.step(session, actions)
            obs, rewards, terminated, truncated, _ = reference.step(actions)
            assert np.array_equal(result["observations"], obs)
            assert np.array_equal(result["rewards"], rewards)
            assert np.array_equal(result["terminated"], terminated)
            assert np.array_equal(result["truncated"], truncated)
            assert np.array_equal(result["autoreset"], pending)
            pending = terminated | truncated
        assert result["autoreset"].dtype == np.bool_


def test_same_step_matches_gymnasium_vector_env(cartpole_server: ThreadedServer) -> None:
    n = 2
    reference = SyncVectorEnv([lambda: gym.make("CartPole-v1")] * n, autoreset_mode=AutoresetMode.SAME_STEP)
    reference.reset(seed=[7, 8])
    ended = 0
    with VinegymClient(cartpole_server.url) as client:
        session = client.make("CartPole-v1", num_envs=n, seed=7, autoreset_mode="same_step")["session_id"]
        client.reset(session)
        for t in range(STEPS):
            actions = _actions(t, n)
            result = client.step(session, actions)
            obs, rewards, terminated, truncated, infos = reference.step(actions)
            assert np.array_equal(result["observations"], obs)
            assert np.array_equal(result["terminated"], terminated) and not result["autoreset"].any()
            for i in range(n):
                if terminated[i] or truncated[i]:
                    ended += 1
                    assert np.array_equal(result["final_observations"][i], infos["final_obs"][i])
                    assert result["final_infos"][i] == {}
                else:
                    assert result["final_observations"][i] is None and result["final_infos"][i] is None
    assert ended >= 2


def test_disabled_mode_requires_explicit_reset(cartpole_server: ThreadedServer) -> None:
    with VinegymClient(cartpole_server.url) as client:
        session = client.make("CartPole-v1", num_envs=2, seed=0, autoreset_mode="disabled")["session_id"]
        client.reset(session)
        while True:
            result = client.step(session, np.array([1, 0]))
            assert not result["autoreset"].any() and "final_observations" not in result
            if result["terminated"].any():
                break
        ended = int(np.argmax(result["terminated"]))
        error = expect_error("BAD_REQUEST", lambda: client.step(session, np.array([1, 0])))
        assert error.details == {"env_index": ended}
        client.reset(session, env_indices=[ended])
        client.step(session, np.array([1, 0]))


def test_reset_cancels_a_pending_autoreset(cartpole_server: ThreadedServer) -> None:
    with VinegymClient(cartpole_server.url) as client:
        session = client.make("CartPole-v1", seed=0)["session_id"]
        client.reset(session)
        while not client.step(session, np.array([1]))["terminated"][0]:
            pass
        client.reset(session)
        assert not client.step(session, np.array([1]))["autoreset"][0]


def test_time_limit_truncates_in_every_mode(toy_server: ThreadedServer) -> None:
    with VinegymClient(toy_server.url) as client:
        for mode in ("next_step", "same_step", "disabled"):
            made = client.make("Toy-v0", seed=1, autoreset_mode=mode, kwargs={"limit": 1000.0})
            assert made["max_episode_steps"] == 5
            session = made["session_id"]
            client.reset(session)
            flags = [bool(client.step(session, np.zeros((1, 2), np.float32))["truncated"][0]) for _ in range(5)]
            assert flags == [False] * 4 + [True]
            if mode == "next_step":
                after = client.step(session, np.zeros((1, 2), np.float32))
                assert after["autoreset"][0] and after["rewards"][0] == 0 and after["infos"][0]["label"] == "toy"
            client.close_session(session)


def test_step_before_reset_fails(cartpole_server: ThreadedServer) -> None:
    with VinegymClient(cartpole_server.url) as client:
        session = client.make("CartPole-v1", num_envs=2)["session_id"]
        client.reset(session, env_indices=[0])
        error = expect_error("BAD_REQUEST", lambda: client.step(session, np.array([0, 0])))
        assert error.details == {"env_index": 1}
