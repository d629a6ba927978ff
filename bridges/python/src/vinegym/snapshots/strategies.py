"""How each env family's complete state is captured into bytes and put back (PROTOCOL.md 8.5).

- ALE (ale-py): the state after the episode's reset (`ale.cloneState(include_rng=True)`: emulator and
  sticky-action RNG, plus np_random) and the actions since, replayed on restore (see ale_replay.py for why).
- MuJoCo (Gymnasium MujocoEnv): `mj_getState(mjSTATE_INTEGRATION)` (qpos, qvel, act, time, warmstart, controls,
  applied forces, mocap, ...) and the env's np_random.
- classic control: the env's `state`, np_random and episode bookkeeping attributes.
- anything else: a pickle of the whole env object that bypasses EzPickle's "rebuild from constructor args", so
  the live state is kept. Pickle payloads are HMAC-signed with the server's snapshot key, since unpickling
  untrusted bytes would run arbitrary code.
"""
from __future__ import annotations

import hashlib
import hmac
import io
import os
import pickle
from typing import Any, Protocol

import gymnasium as gym
import numpy as np

from vinegym.protocol.codec import encode_frame
from vinegym.snapshots.envelope import decode_snapshot_part
from vinegym.snapshots.ale_replay import AleReplayStrategy
from vinegym.snapshots.rng import apply_np_random, capture_np_random

# Classic-control attributes that are episode bookkeeping besides `state`.
CLASSIC_BOOKKEEPING_ATTRIBUTES = ("steps_beyond_terminated", "steps_beyond_done", "last_u")


class SnapshotStrategy(Protocol):
    name: str

    def prepare(self, env: gym.Env[Any, Any]) -> gym.Env[Any, Any]:
        """Wraps a newly made env if the strategy needs to observe it (before its first reset)."""
        ...

    def capture(self, env: gym.Env[Any, Any]) -> bytes: ...

    def apply(self, env: gym.Env[Any, Any], payload: bytes) -> gym.Env[Any, Any]:
        """Puts `payload` into `env` and returns the env to use from now on (the same one, or a replacement)."""
        ...


class MujocoStrategy:
    name = "mujoco"

    def prepare(self, env: gym.Env[Any, Any]) -> gym.Env[Any, Any]:
        return env

    def capture(self, env: gym.Env[Any, Any]) -> bytes:
        import mujoco

        sim = env.unwrapped
        model, data = sim.model, sim.data  # type: ignore[attr-defined]
        spec = mujoco.mjtState.mjSTATE_INTEGRATION
        state = np.empty(mujoco.mj_stateSize(model, spec), dtype=np.float64)
        mujoco.mj_getState(model, data, state, spec)
        return encode_frame({"state": state, "np_random": capture_np_random(sim)})

    def apply(self, env: gym.Env[Any, Any], payload: bytes) -> gym.Env[Any, Any]:
        import mujoco

        fields = decode_snapshot_part(payload)
        sim = env.unwrapped
        model, data = sim.model, sim.data  # type: ignore[attr-defined]
        spec = mujoco.mjtState.mjSTATE_INTEGRATION
        state = np.ascontiguousarray(fields["state"], dtype=np.float64)
        if state.shape != (mujoco.mj_stateSize(model, spec),):
            raise ValueError("MuJoCo state has the wrong size for this model")
        mujoco.mj_setState(model, data, state, spec)
        mujoco.mj_forward(model, data)  # derived quantities (positions, contacts) for rendering and observers
        apply_np_random(sim, fields["np_random"])
        return env


class ClassicControlStrategy:
    name = "classic_control"

    def prepare(self, env: gym.Env[Any, Any]) -> gym.Env[Any, Any]:
        return env

    def capture(self, env: gym.Env[Any, Any]) -> bytes:
        sim = env.unwrapped
        state = getattr(sim, "state", None)
        bookkeeping = {
            name: _plain(getattr(sim, name)) for name in CLASSIC_BOOKKEEPING_ATTRIBUTES if hasattr(sim, name)
        }
        return encode_frame({
            "state": None if state is None else np.array(state),
            "state_is_tuple": isinstance(state, tuple),
            "bookkeeping": bookkeeping,
            "np_random": capture_np_random(sim),
        })

    def apply(self, env: gym.Env[Any, Any], payload: bytes) -> gym.Env[Any, Any]:
        fields = decode_snapshot_part(payload)
        sim = env.unwrapped
        state = fields["state"]
        if state is not None and fields["state_is_tuple"]:
            state = tuple(state.tolist())
        sim.state = state  # type: ignore[attr-defined]
        for name, value in fields["bookkeeping"].items():
            if name in CLASSIC_BOOKKEEPING_ATTRIBUTES:
                setattr(sim, name, value)
        apply_np_random(sim, fields["np_random"])
        return env


def _plain(value: Any) -> Any:
    if isinstance(value, np.generic):
        return value.item()
    return value


def _rebuild_bare(cls: type) -> Any:
    return cls.__new__(cls)  # type: ignore[call-overload]


def _set_dict(obj: Any, state: dict[str, Any]) -> None:
    obj.__dict__.update(state)


class _StatePickler(pickle.Pickler):
    """Pickles EzPickle objects (most Gymnasium envs) by their live __dict__ instead of their constructor args."""

    def reducer_override(self, obj: Any) -> Any:
        if isinstance(obj, gym.utils.EzPickle) and hasattr(obj, "__dict__"):
            return (_rebuild_bare, (type(obj),), dict(obj.__dict__), None, None, _set_dict)
        return NotImplemented


class PickleStrategy:
    name = "pickle"

    def __init__(self, key: bytes) -> None:
        self._key = key

    def prepare(self, env: gym.Env[Any, Any]) -> gym.Env[Any, Any]:
        return env

    def capture(self, env: gym.Env[Any, Any]) -> bytes:
        buffer = io.BytesIO()
        _StatePickler(buffer, protocol=pickle.HIGHEST_PROTOCOL).dump(env)
        body = buffer.getvalue()
        return hmac.new(self._key, body, hashlib.sha256).digest() + body

    def apply(self, env: gym.Env[Any, Any], payload: bytes) -> gym.Env[Any, Any]:
        signature, body = payload[:32], payload[32:]
        if not hmac.compare_digest(signature, hmac.new(self._key, body, hashlib.sha256).digest()):
            raise ValueError(
                "pickle snapshot is not signed with this server's snapshot key "
                "(start servers that share snapshots with the same VINEGYM_SNAPSHOT_KEY)"
            )
        restored = pickle.loads(body)
        if not isinstance(restored, gym.Env):
            raise ValueError("pickle snapshot does not hold an env")
        return restored


def snapshot_key_from_environment() -> bytes:
    """VINEGYM_SNAPSHOT_KEY, else a random key (pickle snapshots then restore only on this server process)."""
    configured = os.environ.get("VINEGYM_SNAPSHOT_KEY")
    return configured.encode() if configured else os.urandom(32)


def _is_mujoco_env(env: gym.Env[Any, Any]) -> bool:
    sim = env.unwrapped
    if not (hasattr(sim, "model") and hasattr(sim, "data")):
        return False
    try:
        import mujoco
    except ImportError:
        return False
    return isinstance(sim.model, mujoco.MjModel) and isinstance(sim.data, mujoco.MjData)  # type: ignore[attr-defined]


def select_strategy(env: gym.Env[Any, Any], snapshot_key: bytes) -> SnapshotStrategy:
    sim = env.unwrapped
    module = type(sim).__module__
    if module.startswith("ale_py") and hasattr(sim, "ale"):
        return AleReplayStrategy()
    if _is_mujoco_env(env):
        return MujocoStrategy()
    if module.startswith("gymnasium.envs.classic_control") and hasattr(sim, "state"):
        return ClassicControlStrategy()
    return PickleStrategy(snapshot_key)
