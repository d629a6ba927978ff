"""Stable-Baselines3 through vinegym: SB3's own env checker on RemoteEnv, RemoteVecEnv step for step equal to
SB3's DummyVecEnv of local Gymnasium envs (envs served by the bridge, and CartPole by the TypeScript server),
pickling (SubprocVecEnv), and PPO learning CartPole through RemoteVecEnv on a short budget.

stable-baselines3 is an optional dependency (`pip install 'vinegym[sb3]'`) that the project's package index does
not carry, so these tests skip where it is not installed. `VINEGYM_SB3_ARCHIVES=<folder with the
stable-baselines3-*.tar.gz source archive> bash scripts/setup-python.sh` installs it into the test venv.
"""
from __future__ import annotations

import pickle
import warnings

import gymnasium as gym
import numpy as np
import pytest
from servers import ThreadedServer, cli_server

sb3 = pytest.importorskip(
    "stable_baselines3",
    reason=(
        "stable-baselines3 is not installed and the package index does not carry it: set VINEGYM_SB3_ARCHIVES to a "
        "folder with its source archive (stable-baselines3-*.tar.gz) and rerun scripts/setup-python.sh"
    ),
)
from stable_baselines3 import PPO  # noqa: E402
from stable_baselines3.common.env_checker import check_env  # noqa: E402
from stable_baselines3.common.evaluation import evaluate_policy  # noqa: E402
from stable_baselines3.common.vec_env import DummyVecEnv, SubprocVecEnv, VecMonitor  # noqa: E402

from vinegym import RemoteEnv  # noqa: E402
from vinegym.sb3 import RemoteVecEnv  # noqa: E402


def test_sb3_check_env_passes_on_remote_envs(cartpole_server: ThreadedServer, hopper_server: ThreadedServer) -> None:
    for url, env_id in ((cartpole_server.url, "CartPole-v1"), (hopper_server.url, "Hopper-v5")):
        env = RemoteEnv(url, env_id)
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # SB3's checker must not even warn
            check_env(env)
        env.close()


def _compare_with_dummy(url: str, env_id: str, steps: int, actions: np.ndarray) -> int:
    """Steps RemoteVecEnv and DummyVecEnv of local envs side by side; returns the episodes that ended."""
    n = actions.shape[1]
    remote = RemoteVecEnv(url, env_id, num_envs=n)
    local = DummyVecEnv([lambda: gym.make(env_id)] * n)
    remote.seed(4)
    local.seed(4)
    assert np.array_equal(remote.reset(), local.reset())
    assert remote.reset_infos == [dict(i) for i in local.reset_infos]
    ended = 0
    for t in range(steps):
        r_obs, r_rew, r_done, r_info = remote.step(actions[t])
        l_obs, l_rew, l_done, l_info = local.step(actions[t])
        assert np.array_equal(r_obs, l_obs) and np.array_equal(r_rew, l_rew) and np.array_equal(r_done, l_done), t
        assert r_rew.dtype == l_rew.dtype and r_done.dtype == l_done.dtype
        for i in range(n):
            assert r_info[i]["TimeLimit.truncated"] == l_info[i]["TimeLimit.truncated"]
            if l_done[i]:
                assert np.array_equal(r_info[i]["terminal_observation"], l_info[i]["terminal_observation"])
                ended += 1
    remote.close()
    local.close()
    return ended


def test_remote_vec_env_equals_dummy_vec_env_step_for_step(cartpole_server: ThreadedServer) -> None:
    rng = np.random.default_rng(0)
    # Mostly pushing one way for a while then the other: short episodes and some that run longer.
    actions = (rng.random((3000, 6)) < 0.5).astype(np.int64)
    assert _compare_with_dummy(cartpole_server.url, "CartPole-v1", 3000, actions) > 500


def test_remote_vec_env_on_the_typescript_server_equals_dummy_vec_env(ts_server_url: str) -> None:
    # The TS server's CartPole draws its resets as Gymnasium's does, so SB3 sees the same episodes bit for bit.
    actions = (np.random.default_rng(2).random((1500, 8)) < 0.5).astype(np.int64)
    assert _compare_with_dummy(ts_server_url, "CartPole-v1", 1500, actions) > 300


def test_remote_vec_env_over_two_servers_equals_dummy_vec_env(hopper_server: ThreadedServer) -> None:
    # The second server is a process of its own: two bridges probing MuJoCo rendering in one process abort.
    with cli_server("Hopper-v5") as (_, second_url):
        rng = np.random.default_rng(1)
        actions = rng.uniform(-1, 1, (300, 4, 3)).astype(np.float32)
        n = 4
        remote = RemoteVecEnv([hopper_server.url, second_url], "Hopper-v5", num_envs=n)
        local = DummyVecEnv([lambda: gym.make("Hopper-v5")] * n)
        remote.seed(11)
        local.seed(11)
        assert np.array_equal(remote.reset(), local.reset())
        ended = 0
        for t in range(300):
            r, l_ = remote.step(actions[t]), local.step(actions[t])
            assert np.array_equal(r[0], l_[0]) and np.array_equal(r[1], l_[1]) and np.array_equal(r[2], l_[2]), t
            ended += int(l_[2].sum())
        assert ended > 5
        remote.close()
        local.close()


def test_pickling_round_trip_and_subproc_vec_env(cartpole_server: ThreadedServer) -> None:
    env = RemoteVecEnv(cartpole_server.url, "CartPole-v1", num_envs=3)
    env.seed(0)
    env.reset()
    env.step(np.array([1, 0, 1]))
    clone = pickle.loads(pickle.dumps(env))
    for _ in range(30):
        actions = np.array([1, 1, 0])
        a, b = env.step(actions), clone.step(actions)
        assert np.array_equal(a[0], b[0]) and np.array_equal(a[2], b[2])
    env.close()
    clone.close()
    # SubprocVecEnv builds each env in a worker process from a pickled factory; the gym.make'd RemoteEnvs there
    # equal DummyVecEnv's local envs. "vinegym:" imports vinegym (which registers the ids) in a fresh process.
    url = cartpole_server.url
    subproc = SubprocVecEnv([lambda: gym.make("vinegym:vinegym/CartPole-v1", url=url)] * 2, start_method="spawn")
    local = DummyVecEnv([lambda: gym.make("CartPole-v1")] * 2)
    subproc.seed(6)
    local.seed(6)
    assert np.array_equal(subproc.reset(), local.reset())
    for _ in range(100):
        actions = np.array([0, 1])
        a, b = subproc.step(actions), local.step(actions)
        assert np.array_equal(a[0], b[0]) and np.array_equal(a[2], b[2])
    subproc.close()


def test_ppo_learns_cartpole_through_remote_vec_env(cartpole_server: ThreadedServer) -> None:
    import torch

    torch.set_num_threads(1)
    env = VecMonitor(RemoteVecEnv(cartpole_server.url, "CartPole-v1", num_envs=8))
    model = PPO("MlpPolicy", env, seed=0, n_steps=256, batch_size=256, learning_rate=1e-3, verbose=0)
    model.learn(total_timesteps=40_000)
    returns = [info["r"] for info in model.ep_info_buffer]
    print(f"PPO through RemoteVecEnv: mean return of the last 20 training episodes {np.mean(returns[-20:]):.1f}")
    assert np.mean(returns[-20:]) > 150, returns[-20:]
    evaluation = VecMonitor(RemoteVecEnv(cartpole_server.url, "CartPole-v1", num_envs=4))
    mean, _ = evaluate_policy(model, evaluation, n_eval_episodes=8, deterministic=True)
    print(f"PPO through RemoteVecEnv: deterministic evaluation over 8 episodes {mean:.1f}")
    assert mean > 195, mean
    env.close()
    evaluation.close()
