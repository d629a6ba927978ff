"""snapshot -> step k -> restore -> step k gives identical results (PROTOCOL.md 8.5) for every env family:
classic control (CartPole), MuJoCo (Hopper), ALE (Pong with sticky actions), pickle fallback (toy env)."""
from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from helpers import expect_error
from servers import ThreadedServer

from vinegym import VinegymClient
from vinegym.protocol.codec import encode_frame


def _run(client: VinegymClient, session: str, actions: list[Any]) -> list[bytes]:
    """The encoded step results (observations, rewards, flags, infos) of `actions`, for exact comparison."""
    out = []
    for action in actions:
        result = client.step(session, action)
        out.append(encode_frame(result))
    return out


def _check_determinism(server: ThreadedServer, env_id: str, actions: list[Any], warmup: int,
                       num_envs: int = 2, **make: Any) -> None:
    with VinegymClient(server.url) as client:
        session = client.make(env_id, num_envs=num_envs, seed=11, **make)["session_id"]
        client.reset(session)
        _run(client, session, actions[:warmup])
        snapshots = client.snapshot(session, list(range(num_envs))[::-1])
        first = _run(client, session, actions[warmup:])
        for index, snapshot in zip(list(range(num_envs))[::-1], snapshots):
            client.restore(session, index, snapshot)
        assert _run(client, session, actions[warmup:]) == first


def _discrete(n_steps: int, num_envs: int, n_actions: int, seed: int = 0) -> list[np.ndarray]:
    rng = np.random.default_rng(seed)
    return [rng.integers(0, n_actions, num_envs).astype(np.int64) for _ in range(n_steps)]


def _box(n_steps: int, num_envs: int, dim: int, seed: int = 0) -> list[np.ndarray]:
    rng = np.random.default_rng(seed)
    return [rng.uniform(-1, 1, (num_envs, dim)).astype(np.float32) for _ in range(n_steps)]


def test_cartpole_snapshot_determinism_across_episode_ends(cartpole_server: ThreadedServer) -> None:
    # 60 steps: episodes end and autoreset in the compared stretch, so RNG and bookkeeping are covered.
    _check_determinism(cartpole_server, "CartPole-v1", _discrete(60, 2, 2), warmup=5)


@pytest.mark.parametrize("mode", ["same_step", "disabled"])
def test_cartpole_snapshot_other_modes(cartpole_server: ThreadedServer, mode: str) -> None:
    actions = _discrete(8, 2, 2)
    _check_determinism(cartpole_server, "CartPole-v1", actions, warmup=3, autoreset_mode=mode)


def test_hopper_snapshot_determinism(hopper_server: ThreadedServer) -> None:
    _check_determinism(hopper_server, "Hopper-v5", _box(40, 2, 3), warmup=10)


def test_pong_snapshot_determinism_with_sticky_actions(pong_server: ThreadedServer) -> None:
    _check_determinism(pong_server, "ALE/Pong-v5", _discrete(30, 2, 6), warmup=20)


def test_preprocessed_pong_snapshot_restores_frame_stack(pong_preprocessed_server: ThreadedServer) -> None:
    _check_determinism(pong_preprocessed_server, "ALE/Pong-v5", _discrete(30, 2, 6), warmup=20)


def test_pickle_fallback_snapshot_determinism(toy_server: ThreadedServer) -> None:
    actions = _box(12, 2, 2)
    _check_determinism(toy_server, "Toy-v0", [a * 0.5 for a in actions], warmup=2)


def _single_restore_matches(server: ThreadedServer, env_id: str, actions: list[np.ndarray]) -> None:
    """A snapshot of env 1 restored into env 0 of a 1-env session replays env 1's results."""
    with VinegymClient(server.url) as client:
        session = client.make(env_id, num_envs=2, seed=3)["session_id"]
        client.reset(session)
        snapshot = client.snapshot(session, [1])[0]
        expected = [client.step(session, a)["observations"][1] for a in actions]
        other = client.make(env_id, num_envs=1)["session_id"]
        client.reset(other, seed=12345)
        client.restore(other, 0, snapshot)
        got = [client.step(other, a[1:])["observations"][0] for a in actions]
        assert all(np.array_equal(e, g) for e, g in zip(expected, got))


def test_restore_into_another_session_and_index(hopper_server: ThreadedServer, pong_server: ThreadedServer,
                                                cartpole_server: ThreadedServer) -> None:
    _single_restore_matches(hopper_server, "Hopper-v5", _box(10, 2, 3))
    _single_restore_matches(pong_server, "ALE/Pong-v5", _discrete(10, 2, 6))
    _single_restore_matches(cartpole_server, "CartPole-v1", _discrete(10, 2, 2))


def test_snapshot_of_a_never_reset_env_keeps_that_status(cartpole_server: ThreadedServer) -> None:
    with VinegymClient(cartpole_server.url) as client:
        session = client.make("CartPole-v1", seed=0)["session_id"]
        fresh = client.snapshot(session, [0])[0]
        client.reset(session)
        client.restore(session, 0, fresh)
        expect_error("BAD_REQUEST", lambda: client.step(session, np.array([0])))


def test_bad_snapshots_are_rejected(cartpole_server: ThreadedServer, toy_server: ThreadedServer) -> None:
    with VinegymClient(cartpole_server.url) as client:
        session = client.make("CartPole-v1", seed=0)["session_id"]
        client.reset(session)
        good = client.snapshot(session, [0])[0]
        expect_error("BAD_REQUEST", lambda: client.restore(session, 0, b"not a snapshot"))
        corrupt = good[:-3] + bytes(b ^ 0xFF for b in good[-3:])
        expect_error("BAD_REQUEST", lambda: client.restore(session, 0, corrupt))
        expect_error("BAD_REQUEST", lambda: client.restore(session, 1, good))
        other_kwargs = client.make("CartPole-v1", kwargs={"sutton_barto_reward": True})["session_id"]
        expect_error("BAD_REQUEST", lambda: client.restore(other_kwargs, 0, good))
        same_kwargs = client.make("CartPole-v1", kwargs={"sutton_barto_reward": False})["session_id"]
        client.restore(same_kwargs, 0, good)  # explicit defaults are the same kwargs
    with VinegymClient(toy_server.url) as client:
        session = client.make("Toy-v0")["session_id"]
        expect_error("BAD_REQUEST", lambda: client.restore(session, 0, good))  # another env id
