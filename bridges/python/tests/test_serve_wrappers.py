"""The wrapper kwargs (PROTOCOL.md 7.3, server/wrappers.py) on the bridge: listed for every env, applied with
Gymnasium's own wrappers (compared with the same wrappers around gym.make here), refused with INVALID_KWARGS
where they do not fit the env, and no snapshots behind stateful wrappers."""
from __future__ import annotations

import gymnasium as gym
import numpy as np
from gymnasium.vector import AutoresetMode, SyncVectorEnv
from gymnasium.wrappers import ClipAction, FrameStackObservation, RecordEpisodeStatistics, RescaleAction, TimeLimit
from helpers import expect_error
from servers import ThreadedServer

from vinegym import VinegymClient

WRAPPER_KWARGS = {"max_episode_steps", "frame_stack", "rescale_action_min", "rescale_action_max", "clip_action", "record_episode_statistics"}


def test_every_env_lists_the_wrapper_kwargs(cartpole_server: ThreadedServer) -> None:
    with VinegymClient(cartpole_server.url) as client:
        (env,) = [e for e in client.list_envs() if e["id"] == "CartPole-v1"]
    assert WRAPPER_KWARGS <= set(env["kwargs"])
    assert env["kwargs"]["frame_stack"] == {
        "type": "integer",
        "default": 1,
        "minimum": 1,
        "maximum": 16,
        "description": env["kwargs"]["frame_stack"]["description"],
    }


def test_time_limit_frame_stack_and_episode_statistics_match_gymnasium(cartpole_server: ThreadedServer) -> None:
    def wrapped() -> gym.Env:
        return RecordEpisodeStatistics(FrameStackObservation(TimeLimit(gym.make("CartPole-v1").unwrapped, 7), 3))

    reference = SyncVectorEnv([wrapped] * 2, autoreset_mode=AutoresetMode.NEXT_STEP)
    kwargs = {"max_episode_steps": 7, "frame_stack": 3, "record_episode_statistics": True}
    with VinegymClient(cartpole_server.url) as client:
        made = client.make("CartPole-v1", num_envs=2, seed=5, kwargs=kwargs)
        assert made["max_episode_steps"] == 7 and not made["snapshot_supported"]
        session = made["session_id"]
        ref_obs, _ = reference.reset(seed=[5, 6])
        obs = client.reset(session)["observations"]
        assert obs.shape == (2, 3, 4) and np.array_equal(obs, ref_obs)
        episodes = 0
        for t in range(30):
            actions = np.array([t % 2, (t // 3) % 2], dtype=np.int64)
            result = client.step(session, actions)
            ref_obs, rewards, terminated, truncated, infos = reference.step(actions)
            assert np.array_equal(result["observations"], ref_obs)
            assert np.array_equal(result["rewards"], rewards)
            assert np.array_equal(result["terminated"], terminated) and np.array_equal(result["truncated"], truncated)
            for i, info in enumerate(result["infos"]):
                if "episode" in infos and infos["_episode"][i]:
                    episodes += 1
                    assert info["episode"]["r"] == infos["episode"]["r"][i]
                    assert info["episode"]["l"] == infos["episode"]["l"][i]
                else:
                    assert "episode" not in info
        assert episodes >= 4
        expect_error("NOT_SUPPORTED", lambda: client.snapshot(session, [0]))


def test_action_wrappers_match_gymnasium(hopper_server: ThreadedServer) -> None:
    kwargs = {"rescale_action_min": -2.0, "rescale_action_max": 2.0, "clip_action": True}
    reference = ClipAction(RescaleAction(TimeLimit(gym.make("Hopper-v5").unwrapped, 1000), -2.0, 2.0))
    with VinegymClient(hopper_server.url) as client:
        made = client.make("Hopper-v5", seed=3, kwargs=kwargs)
        assert made["single_action_space"]["low"].tolist() == [-np.inf] * 3
        session = made["session_id"]
        client.reset(session)
        reference.reset(seed=3)
        for t in range(10):
            action = np.array([[3.0 * np.sin(t), 1.5 * np.cos(t), -0.5]], dtype=np.float32)
            result = client.step(session, action)
            ref_obs, reward, *_ = reference.step(action[0])
            assert np.array_equal(result["observations"][0], ref_obs)
            assert result["rewards"][0] == reward


def test_wrappers_that_do_not_fit_are_invalid_kwargs(cartpole_server: ThreadedServer) -> None:
    with VinegymClient(cartpole_server.url) as client:
        for kwargs, key in (
            ({"clip_action": True}, "clip_action"),
            ({"rescale_action_min": -1.0}, "rescale_action_max"),
            ({"frame_stack": 0}, "frame_stack"),
            ({"max_episode_steps": 0}, "max_episode_steps"),
        ):
            error = expect_error("INVALID_KWARGS", lambda: client.make("CartPole-v1", kwargs=kwargs))
            assert error.details == {"key": key}, kwargs
