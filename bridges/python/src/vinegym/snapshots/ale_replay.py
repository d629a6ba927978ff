"""Exact ALE snapshots despite sticky actions.

ale-py 0.12's `cloneState(include_rng=True)` / `restoreState` keep the emulator and the sticky-action RNG, but
not the action the emulator applied last (`m_player_a_action`), which a sticky frame repeats: after a restore the
next sticky frame repeats whatever the env did last, so trajectories diverge (checked in the tests). That hidden
action is known in one place: right after a reset (NOOP). So an ALE snapshot is the state just after the
episode's reset plus the actions taken since; restoring resets the game (NOOP), restores that state (emulator,
RNG) and replays the actions, which reproduces the emulator, the RNG and the hidden action exactly. Restore cost
grows with the steps since the last reset.

Wrappers between the log and the ALE env that keep state of their own (the bridge's --atari-preprocess frame
stack) expose it as `get_wrapper_state()` / `set_wrapper_state(state)`; a snapshot carries those states and
restore puts them back after the replay.
"""
from __future__ import annotations

from typing import Any

import gymnasium as gym
import numpy as np

from vinegym.protocol.codec import encode_frame
from vinegym.snapshots.envelope import decode_snapshot_part
from vinegym.snapshots.rng import apply_np_random, capture_np_random

# ALE's own episode cap (max_num_frames_per_episode) in v5; replays are bounded by it when the env sets none.
DEFAULT_MAX_EPISODE_FRAMES = 108_000


class AleActionLog(gym.Wrapper[Any, Any, Any, Any]):
    """Records the post-reset ALE state and every action since, for AleReplayStrategy."""

    def __init__(self, env: gym.Env[Any, Any]) -> None:
        super().__init__(env)
        self.reset_state: bytes | None = None
        self.reset_np_random: str | None = None
        self.actions: list[Any] = []

    def reset(self, **kwargs: Any) -> tuple[Any, dict[str, Any]]:
        result = self.env.reset(**kwargs)
        atari = self.env.unwrapped
        self.reset_state = atari.ale.cloneState(include_rng=True).serialize()  # type: ignore[attr-defined]
        self.reset_np_random = capture_np_random(atari)
        self.actions = []
        return result

    def step(self, action: Any) -> tuple[Any, Any, bool, bool, dict[str, Any]]:
        result = self.env.step(action)
        self.actions.append(action)
        return result


class AleReplayStrategy:
    name = "ale_replay"

    def prepare(self, env: gym.Env[Any, Any]) -> gym.Env[Any, Any]:
        return AleActionLog(env)

    def capture(self, env: gym.Env[Any, Any]) -> bytes:
        log = _log_of(env)
        actions = np.array(log.actions)
        return encode_frame({
            "reset_state": log.reset_state,
            "reset_np_random": log.reset_np_random,
            "np_random": capture_np_random(env.unwrapped),
            "actions": actions if actions.size else np.zeros((0,), dtype=np.int64),
            "wrapper_states": [wrapper.get_wrapper_state() for wrapper in _stateful_wrappers(log)],
        })

    def apply(self, env: gym.Env[Any, Any], payload: bytes) -> gym.Env[Any, Any]:
        import ale_py

        fields = decode_snapshot_part(payload)
        log = _log_of(env)
        atari = env.unwrapped
        reset_state = fields["reset_state"]
        actions = list(fields["actions"])
        _check_replay(atari, actions)
        wrappers = _stateful_wrappers(log)
        wrapper_states = fields.get("wrapper_states", [])
        if len(wrapper_states) != len(wrappers):
            raise ValueError(f"snapshot has {len(wrapper_states)} wrapper states, this env has {len(wrappers)}")
        for wrapper, state in zip(wrappers, wrapper_states):
            expected = wrapper.get_wrapper_state()
            if np.shape(state) != expected.shape or getattr(state, "dtype", None) != expected.dtype:
                raise ValueError(f"snapshot wrapper state does not fit {type(wrapper).__name__}")
        if reset_state is None:  # never reset: only the RNG matters
            apply_np_random(atari, fields["np_random"])
            log.reset_state, log.reset_np_random, log.actions = None, None, []
        else:
            atari.ale.reset_game()  # type: ignore[attr-defined]  # the hidden last action becomes NOOP
            atari.ale.restoreState(ale_py.ALEState(reset_state))  # type: ignore[attr-defined]
            apply_np_random(atari, fields["reset_np_random"])
            for action in actions:
                atari.step(action)
            log.reset_state, log.reset_np_random, log.actions = reset_state, fields["reset_np_random"], actions
        for wrapper, state in zip(wrappers, wrapper_states):
            wrapper.set_wrapper_state(state)
        return env


def _check_replay(atari: Any, actions: list[Any]) -> None:
    """The bytes a client sends to restore may be forged (the envelope's digest is no signature): a replay longer
    than an ALE episode can be, or of actions the env does not have, is refused before the env is touched."""
    frames = int(atari.ale.getInt("max_num_frames_per_episode"))
    longest = frames if frames > 0 else DEFAULT_MAX_EPISODE_FRAMES
    if len(actions) > longest:
        raise ValueError(f"snapshot replays {len(actions)} actions, more than an episode has ({longest})")
    count = int(atari.action_space.n)
    if any(not (isinstance(a, (int, np.integer)) and 0 <= a < count) for a in actions):
        raise ValueError(f"snapshot replays actions outside Discrete({count})")


def _stateful_wrappers(log: AleActionLog) -> list[Any]:
    """The wrappers inside the log, outermost first, that keep state of their own."""
    wrappers = []
    env = log.env
    while isinstance(env, gym.Wrapper):
        if hasattr(env, "get_wrapper_state"):
            wrappers.append(env)
        env = env.env
    return wrappers


def _log_of(env: gym.Env[Any, Any]) -> AleActionLog:
    if not isinstance(env, AleActionLog):
        raise TypeError("ALE snapshots need the env wrapped by AleActionLog (SnapshotStrategy.prepare)")
    return env
