"""The Python client against the TypeScript env server, as a Gymnasium user meets it: seeded resets equal Gymnasium's
local envs through RemoteEnv and the registered ids, CartPole episodes equal SyncVectorEnv's through
RemoteVectorEnv in both autoreset modes (final observations included), Gymnasium's check_env passes, and Box
actions outside the bounds are taken as Gymnasium's Hopper takes them (strict_actions rejects them instead).
The TS-side tests (test/gymnasium-seeds.test.ts, test/gymnasium-actions.test.ts) check the envs themselves; these
check that nothing between the envs and a Python user changes a bit."""
from __future__ import annotations

import warnings

import gymnasium as gym
import numpy as np
import pytest
from gymnasium.utils.env_checker import check_env
from gymnasium.vector import AutoresetMode, SyncVectorEnv
from helpers import expect_error

import vinegym  # noqa: F401  (registers the vinegym/... ids)
from vinegym import RemoteEnv, RemoteVectorEnv

SEEDS = [*range(25), 2**31, 2**32 + 5, 2**53 - 1]


@pytest.mark.parametrize("env_id", ["CartPole-v1", "Hopper-v5"])
def test_seeded_resets_equal_gymnasiums(ts_server_url: str, env_id: str) -> None:
    remote = RemoteEnv(ts_server_url, env_id)
    registered = gym.make(f"vinegym/{env_id}", url=ts_server_url)
    local = gym.make(env_id)
    for seed in SEEDS:
        expected, _ = local.reset(seed=seed)
        for env in (remote, registered):
            observation, _ = env.reset(seed=seed)
            assert observation.dtype == expected.dtype and np.array_equal(observation, expected), (env_id, seed)
    remote.close()
    registered.close()


@pytest.mark.parametrize("mode", [AutoresetMode.NEXT_STEP, AutoresetMode.SAME_STEP])
def test_cartpole_episodes_equal_sync_vector_env(ts_server_url: str, mode: AutoresetMode) -> None:
    n, steps = 4, 2000
    remote = RemoteVectorEnv(ts_server_url, "CartPole-v1", num_envs=n, autoreset_mode=mode)
    local = SyncVectorEnv([lambda: gym.make("CartPole-v1")] * n, autoreset_mode=mode)
    assert np.array_equal(remote.reset(seed=21)[0], local.reset(seed=21)[0])
    local.action_space.seed(4)
    ended = 0
    for t in range(steps):
        actions = local.action_space.sample()
        r, l_ = remote.step(actions), local.step(actions)
        for k in range(4):  # observations, rewards, terminated, truncated
            assert r[k].dtype == l_[k].dtype and np.array_equal(r[k], l_[k]), (mode, t, k)
        if mode == AutoresetMode.SAME_STEP:
            finals = l_[4].get("_final_obs", np.zeros(n, bool))
            assert np.array_equal(r[4].get("_final_obs", np.zeros(n, bool)), finals), t
            for i in np.flatnonzero(finals):
                assert np.array_equal(r[4]["final_obs"][i], l_[4]["final_obs"][i]), (t, i)
        ended += int(np.sum(l_[2] | l_[3]))
    assert ended > 200  # the comparison crossed many autoresets
    remote.close()
    local.close()


def test_check_env_passes(ts_server_url: str) -> None:
    for env_id in ("CartPole-v1", "Hopper-v5"):
        env = RemoteEnv(ts_server_url, env_id)
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # check_env must not even warn ...
            warnings.filterwarnings("ignore", message=".*infinity.*")  # ... beyond what the local envs get too
            check_env(env, skip_render_check=True)
        env.close()


def test_out_of_bounds_actions_as_in_gymnasium(ts_server_url: str) -> None:
    remote = RemoteEnv(ts_server_url, "Hopper-v5")
    local = gym.make("Hopper-v5")
    remote.reset(seed=3)
    local.reset(seed=3)
    # Far outside [-1, 1]: MuJoCo clamps ctrl, the control cost sees the action as sent. Three steps stay before
    # Hopper's first contact, where the two MuJoCo builds agree to rounding (MUJOCO.md).
    for action in ([2.5, -3.0, 0.7], [-4.0, 1.5, 9.0], [0.2, 2.0, -2.0]):
        a = np.array(action, np.float32)
        r, l_ = remote.step(a), local.step(a)
        assert np.allclose(r[0], l_[0], rtol=1e-12, atol=1e-14), (r[0], l_[0])
        # Gymnasium's Hopper squares and sums a float32 action in float32; the TS server in float64. Beyond that
        # control cost the rewards agree to rounding.
        cost32 = float(1e-3 * np.sum(np.square(a)))
        cost64 = 1e-3 * float(np.sum(np.square(a.astype(np.float64))))
        assert abs((r[1] - l_[1]) - (cost32 - cost64)) <= 1e-12, (r[1], l_[1], cost32 - cost64)
    expect_error("INVALID_ACTION", lambda: remote.step(np.array([np.nan, 0, 0], np.float32)))
    strict = RemoteEnv(ts_server_url, "Hopper-v5", strict_actions=True)
    strict.reset(seed=3)
    expect_error("INVALID_ACTION", lambda: strict.step(np.array([2.5, 0, 0], np.float32)))
    strict.step(np.array([1.0, -1.0, 0.0], np.float32))  # the bounds themselves are fine
    for env in (remote, strict, local):
        env.close()
