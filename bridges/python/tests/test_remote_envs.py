"""RemoteEnv / RemoteVectorEnv against the bridge: Gymnasium's env checker, parity with local envs, rendering."""
from __future__ import annotations

import warnings

import gymnasium as gym
import numpy as np
from gymnasium.utils.env_checker import check_env
from gymnasium.vector import AutoresetMode, SyncVectorEnv
from servers import ThreadedServer

from vinegym import RemoteEnv, RemoteVectorEnv


def test_remote_env_passes_check_env(cartpole_server: ThreadedServer) -> None:
    env = RemoteEnv(cartpole_server.url, "CartPole-v1")
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # check_env must not even warn ...
        warnings.filterwarnings("ignore", message=".*infinity.*")  # ... beyond what local CartPole gets too
        check_env(env, skip_render_check=True)
    env.close()


def test_remote_env_dict_spaces_pass_check_env(toy_server: ThreadedServer) -> None:
    env = RemoteEnv(toy_server.url, "Toy-v0")
    check_env(env, skip_render_check=True)
    env.close()


def test_remote_env_matches_local_env(hopper_server: ThreadedServer) -> None:
    remote, local = RemoteEnv(hopper_server.url, "Hopper-v5"), gym.make("Hopper-v5")
    remote_obs, _ = remote.reset(seed=4)
    local_obs, _ = local.reset(seed=4)
    assert np.array_equal(remote_obs, local_obs)
    local.action_space.seed(0)
    for _ in range(20):
        action = local.action_space.sample()
        r = remote.step(action)
        l_ = local.step(action)
        assert np.array_equal(r[0], l_[0]) and r[1] == l_[1] and r[2:4] == l_[2:4]
    snapshot = remote.snapshot()
    after = remote.step(np.zeros(3, np.float32))[0]
    remote.restore(snapshot)
    assert np.array_equal(remote.step(np.zeros(3, np.float32))[0], after)
    remote.close()


def test_remote_vector_env_matches_sync_vector_env(cartpole_server: ThreadedServer) -> None:
    remote = RemoteVectorEnv(cartpole_server.url, "CartPole-v1", num_envs=4)
    local = SyncVectorEnv([lambda: gym.make("CartPole-v1")] * 4, autoreset_mode=AutoresetMode.NEXT_STEP)
    assert remote.metadata["autoreset_mode"] == AutoresetMode.NEXT_STEP
    assert remote.observation_space == local.observation_space and remote.action_space == local.action_space
    r_obs, _ = remote.reset(seed=21)
    l_obs, _ = local.reset(seed=21)
    assert np.array_equal(r_obs, l_obs)
    local.action_space.seed(1)
    for _ in range(60):
        actions = local.action_space.sample()
        r = remote.step(actions)
        l_ = local.step(actions)
        for a, b in zip(r[:4], l_[:4]):
            assert np.array_equal(a, b)
    remote.close()


def test_remote_pong_renders_and_is_a_uint8_image(pong_server: ThreadedServer) -> None:
    env = RemoteEnv(pong_server.url, "ALE/Pong-v5", render_mode="rgb_array")
    obs, info = env.reset(seed=0)
    assert obs.dtype == np.uint8 and obs.shape == (210, 160, 3)
    assert isinstance(env.observation_space, gym.spaces.Box) and env.observation_space.dtype == np.uint8
    frame = env.render()
    assert frame is not None and frame.dtype == np.uint8 and frame.shape == (210, 160, 3)
    assert np.array_equal(frame, obs)
    env.close()


def test_remote_pong_vector_env_steps(pong_server: ThreadedServer) -> None:
    env = RemoteVectorEnv(pong_server.url, "ALE/Pong-v5", num_envs=2, seed=0, frameskip=2)
    obs, _ = env.reset()
    obs, rewards, terminated, truncated, infos = env.step(np.array([0, 1]))
    assert obs.shape == (2, 210, 160, 3) and rewards.shape == (2,)
    assert infos["episode_frame_number"].tolist() == [2, 2]
    env.close()
