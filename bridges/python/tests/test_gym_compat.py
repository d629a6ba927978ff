"""What Gymnasium users rely on beyond reset/step: registered ids, spec and metadata, pickling that reconnects
(deepcopy, multiprocessing), RemoteVectorEnv's same_step mode and several servers."""
from __future__ import annotations

import copy
import multiprocessing
import pickle
import warnings

import gymnasium as gym
import numpy as np
from gymnasium.vector import AutoresetMode, SyncVectorEnv
from helpers import step_pickled_env
from servers import ThreadedServer

from vinegym import RemoteEnv, RemoteVectorEnv


def test_registered_ids_make_remote_envs_with_spec_and_class_metadata(
    hopper_server: ThreadedServer, pong_server: ThreadedServer
) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no render-mode or metadata warnings from gym.make
        env = gym.make("vinegym/Hopper-v5", url=hopper_server.url)
        pong = gym.make("vinegym/Remote-v0", url=pong_server.url, env_id="ALE/Pong-v5", render_mode="rgb_array")
    assert env.spec is not None and env.spec.id == "vinegym/Hopper-v5" and env.spec.max_episode_steps == 1000
    assert RemoteEnv.metadata["render_modes"] == ["rgb_array"] and "render_fps" in RemoteEnv.metadata
    assert env.metadata["render_fps"] == gym.make("Hopper-v5").metadata["render_fps"] == 125
    local = gym.make("Hopper-v5")
    assert np.array_equal(env.reset(seed=8)[0], local.reset(seed=8)[0])
    pong.reset(seed=0)
    assert pong.render().shape == (210, 160, 3) and pong.metadata["render_fps"] == 30
    generic = gym.make("vinegym/Remote-v0", url=hopper_server.url, env_id="Hopper-v5")
    assert generic.unwrapped.env_id == "Hopper-v5"
    direct = RemoteEnv(hopper_server.url, "Hopper-v5")
    assert direct.spec is not None and direct.spec.id == "vinegym/Hopper-v5" and direct.spec.max_episode_steps == 1000
    for e in (env, pong, generic, direct):
        e.close()


def test_pickle_and_deepcopy_reconnect_and_continue_the_episode(hopper_server: ThreadedServer) -> None:
    env = RemoteEnv(hopper_server.url, "Hopper-v5")
    env.reset(seed=2)
    for _ in range(5):
        env.step(np.full(3, 0.3, np.float32))
    actions = [np.full(3, a, np.float32) for a in (0.1, -0.4, 0.8)]
    clone = pickle.loads(pickle.dumps(env))
    twin = copy.deepcopy(env)
    assert clone.session_id != env.session_id
    expected = [env.step(a)[0] for a in actions]
    for other in (clone, twin):
        assert all(np.array_equal(o, e) for o, e in zip((other.step(a)[0] for a in actions), expected))
        other.close()
    # multiprocessing pickles the env into a child process, which reconnects and continues from the same state.
    source = RemoteEnv(hopper_server.url, "Hopper-v5")
    source.reset(seed=2)
    with multiprocessing.get_context("spawn").Pool(1) as pool:
        remote = pool.apply(step_pickled_env, (source, actions))
    assert all(np.array_equal(o, e) for o, e in zip(remote, [source.step(a)[0] for a in actions]))
    vector = RemoteVectorEnv(hopper_server.url, "Hopper-v5", num_envs=2, seed=3)
    vector.reset()
    vector_clone = pickle.loads(pickle.dumps(vector))
    batch = np.full((2, 3), 0.5, np.float32)
    assert np.array_equal(vector.step(batch)[0], vector_clone.step(batch)[0])
    for e in (env, source, vector, vector_clone):
        e.close()


def test_same_step_mode_matches_gymnasium_sync_vector_env(cartpole_server: ThreadedServer) -> None:
    remote = RemoteVectorEnv(cartpole_server.url, "CartPole-v1", num_envs=4, autoreset_mode="same_step")
    local = SyncVectorEnv([lambda: gym.make("CartPole-v1")] * 4, autoreset_mode=AutoresetMode.SAME_STEP)
    assert remote.metadata["autoreset_mode"] == AutoresetMode.SAME_STEP
    r_obs, _ = remote.reset(seed=5)
    l_obs, _ = local.reset(seed=5)
    assert np.array_equal(r_obs, l_obs)
    local.action_space.seed(2)
    finals = 0
    for _ in range(300):
        actions = local.action_space.sample()
        r, l_ = remote.step(actions), local.step(actions)
        for k in range(4):
            assert np.array_equal(r[k], l_[k])
        assert np.array_equal(r[4].get("_final_obs", np.zeros(4, bool)), l_[4].get("_final_obs", np.zeros(4, bool)))
        for i in np.flatnonzero(l_[4].get("_final_obs", np.zeros(4, bool))):
            assert np.array_equal(r[4]["final_obs"][i], l_[4]["final_obs"][i])
            finals += 1
    assert finals > 20
    remote.close()


def test_envs_split_across_several_servers_step_like_one_server(cartpole_server: ThreadedServer) -> None:
    second = ThreadedServer("CartPole-v1")
    try:
        split = RemoteVectorEnv([cartpole_server.url, second.url], "CartPole-v1", num_envs=5, autoreset_mode="same_step")
        single = RemoteVectorEnv(cartpole_server.url, "CartPole-v1", num_envs=5, autoreset_mode="same_step")
        assert split.group.sizes == [3, 2]
        assert np.array_equal(split.reset(seed=9)[0], single.reset(seed=9)[0])
        rng = np.random.default_rng(0)
        for _ in range(200):
            actions = rng.integers(0, 2, 5)
            a, b = split.step(actions), single.step(actions)
            for k in range(4):
                assert np.array_equal(a[k], b[k])
        split.close()
        single.close()
    finally:
        second.stop()
