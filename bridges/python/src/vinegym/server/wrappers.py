"""The wrapper kwargs every env accepts on both servers (PROTOCOL.md 7.3; the TypeScript server's
wrappers/compose.ts), applied here with Gymnasium's own wrappers around each env of a session:

    env -> FrameStackObservation -> RescaleAction -> ClipAction -> RecordEpisodeStatistics

`max_episode_steps` sets the session's time limit, which the session applies itself with TimeLimit's semantics
(elapsed >= limit truncates), because snapshots carry its step count. RecordEpisodeStatistics must see those
truncations, so with it Gymnasium's TimeLimit also goes inside, first (it counts as the session does). Autoreset is the session's too
(make.autoreset_mode). ALE envs stack frames channels-last, [h, w, k·c], as the TypeScript server does: Gymnasium's
FrameStackObservation stacks on a new first axis, and a TransformObservation moves that axis last.

An env's own constructor argument of the same name takes the name's place (then it is no wrapper kwarg).
"""
from __future__ import annotations

import dataclasses
from typing import Any

import gymnasium as gym
import numpy as np
from gymnasium import spaces
from gymnasium.wrappers import (
    ClipAction,
    FrameStackObservation,
    RecordEpisodeStatistics,
    RescaleAction,
    TimeLimit,
    TransformObservation,
)

from vinegym.protocol.errors import ErrorCode, VinegymError
from vinegym.server.capabilities import EnvCapabilities
from vinegym.server.env_source import EnvSource
from vinegym.server.kwargs import KwargSpec

WRAPPER_KWARG_SPECS: dict[str, KwargSpec] = {
    spec.name: spec
    for spec in (
        KwargSpec(
            "max_episode_steps",
            "integer",
            None,
            "TimeLimit: truncate episodes after this many steps (null: the env's own limit, max_episode_steps in list)",
            minimum=1,
        ),
        KwargSpec(
            "frame_stack",
            "integer",
            1,
            "FrameStackObservation: the last k observations, oldest first, as [k, ...shape] (ALE images: [h, w, k·c])",
            minimum=1,
            maximum=16,
        ),
        KwargSpec(
            "rescale_action_min",
            "number",
            None,
            "RescaleAction: the action space becomes Box(rescale_action_min, rescale_action_max), mapped linearly to the env bounds",
        ),
        KwargSpec("rescale_action_max", "number", None, "RescaleAction: upper bound (with rescale_action_min)"),
        KwargSpec(
            "clip_action",
            "boolean",
            False,
            "ClipAction: accept any Box action (the space becomes unbounded) and clip it to the bounds",
        ),
        KwargSpec(
            "record_episode_statistics",
            "boolean",
            False,
            "RecordEpisodeStatistics: info.episode = {r: return, l: length, t: seconds} at the step that ends an episode",
        ),
    )
}

# Wrappers whose state a snapshot of the env (see snapshots/strategies.py) would not carry.
STATEFUL_WRAPPER_KWARGS = ("frame_stack", "record_episode_statistics")


def _invalid(key: str, message: str) -> VinegymError:
    return VinegymError(ErrorCode.INVALID_KWARGS, message, {"key": key})


def _stack_channels_last(env: gym.Env[Any, Any], frames: int) -> gym.Env[Any, Any]:
    """[k, h, w] -> [h, w, k] and [k, h, w, c] -> [h, w, k·c] (frame-major in the last axis)."""
    single = env.observation_space
    if not isinstance(single, spaces.Box) or len(single.shape) not in (2, 3):
        raise _invalid("frame_stack", f"frame_stack on the last axis needs [h, w] or [h, w, c] observations, got {list(getattr(single, 'shape', []))}")
    height, width = single.shape[:2]
    depth = frames * (single.shape[2] if len(single.shape) == 3 else 1)

    def last_axis(stacked: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
        moved = np.moveaxis(stacked, 0, 2)
        return np.ascontiguousarray(moved.reshape(height, width, depth))

    stacked = FrameStackObservation(env, frames)
    space = stacked.observation_space
    low, high = last_axis(space.low), last_axis(space.high)  # type: ignore[attr-defined]
    return TransformObservation(stacked, last_axis, spaces.Box(low, high, dtype=single.dtype))


def apply_wrappers(
    env: gym.Env[Any, Any], wrapper_kwargs: dict[str, Any], channels_last: bool, limit: int | None
) -> gym.Env[Any, Any]:
    if wrapper_kwargs.get("record_episode_statistics") and limit is not None:
        env = TimeLimit(env, limit)
    frames = wrapper_kwargs.get("frame_stack", 1)
    if frames != 1:
        if not isinstance(env.observation_space, spaces.Box):
            raise _invalid("frame_stack", f"frame_stack needs a Box observation space, the env has {type(env.observation_space).__name__}")
        env = _stack_channels_last(env, frames) if channels_last else FrameStackObservation(env, frames)
    low, high = wrapper_kwargs.get("rescale_action_min"), wrapper_kwargs.get("rescale_action_max")
    if (low is None) != (high is None):
        raise _invalid("rescale_action_min" if low is None else "rescale_action_max", "rescale_action_min and rescale_action_max go together")
    if low is not None:
        _check_float_box(env, "rescale_action_min", "RescaleAction")
        if not low < high:
            raise _invalid("rescale_action_min", f"rescale_action_min ({low}) must be below rescale_action_max ({high}), both finite")
        if not (np.all(np.isfinite(env.action_space.low)) and np.all(np.isfinite(env.action_space.high))):  # type: ignore[attr-defined]
            raise _invalid("rescale_action_min", "RescaleAction needs finite action bounds")
        env = RescaleAction(env, low, high)
    if wrapper_kwargs.get("clip_action"):
        _check_float_box(env, "clip_action", "ClipAction")
        env = ClipAction(env)
    if wrapper_kwargs.get("record_episode_statistics"):
        env = RecordEpisodeStatistics(env)
    return env


def _check_float_box(env: gym.Env[Any, Any], key: str, wrapper: str) -> None:
    space = env.action_space
    if not isinstance(space, spaces.Box) or not np.issubdtype(space.dtype, np.floating):
        raise _invalid(key, f"{key}: {wrapper} needs a float Box action space, the env has {space}")


def with_wrapper_kwargs(source: EnvSource) -> EnvSource:
    """The source with the wrapper kwargs it does not define itself added to its kwargs and applied by `create`."""
    added = {name: spec for name, spec in WRAPPER_KWARG_SPECS.items() if name not in source.kwarg_specs}
    make_base = source.create
    channels_last = source.env_id.startswith("ALE/")
    wrapped = dataclasses.replace(source, kwarg_specs={**source.kwarg_specs, **added}, wrapper_kwargs=frozenset(added))

    def create(kwargs: dict[str, Any], render_mode: str | None) -> gym.Env[Any, Any]:
        own = {name: value for name, value in kwargs.items() if name not in added}
        wrapper_kwargs = {name: value for name, value in kwargs.items() if name in added and value is not None}
        env = make_base(own, render_mode)
        try:
            return apply_wrappers(env, wrapper_kwargs, channels_last, wrapped.episode_limit(kwargs))
        except BaseException:
            env.close()
            raise

    wrapped.create = create
    return wrapped


def session_capabilities(source: EnvSource, capabilities: EnvCapabilities, kwargs: dict[str, Any]) -> EnvCapabilities:
    """The env's capabilities for a session made with `kwargs`: no snapshots behind stateful wrappers, whose state
    (frame queue, episode counters) the snapshot strategies do not capture."""
    stateful = [
        name
        for name in STATEFUL_WRAPPER_KWARGS
        if name in source.wrapper_kwargs and kwargs.get(name) not in (None, False, WRAPPER_KWARG_SPECS[name].default)
    ]
    if not stateful or not capabilities.snapshot_supported:
        return capabilities
    problem = f"the bridge's snapshots do not carry the state of the wrappers that {', '.join(stateful)} add"
    return dataclasses.replace(capabilities, snapshot_supported=False, snapshot_problem=problem)
