"""Finds out once, on a probe env, whether an env family can render RGB frames or a 3D scene and be snapshotted."""
from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np

from vinegym.server.env_source import EnvSource
from vinegym.server.scene import poses_of, scene_of, scene_problem
from vinegym.snapshots.strategies import select_strategy


@dataclass(frozen=True)
class EnvCapabilities:
    render_supported: bool
    render_problem: str | None
    snapshot_supported: bool
    snapshot_problem: str | None
    # Render modes `scene` and `poses` (PROTOCOL.md 7.8): Gymnasium MuJoCo envs.
    scene_supported: bool = False
    scene_problem: str | None = "the env has no 3D scene"

    @property
    def render_modes(self) -> list[str]:
        return (["rgb_array"] if self.render_supported else []) + (["scene", "poses"] if self.scene_supported else [])


def _is_rgb_frame(frame: Any) -> bool:
    return isinstance(frame, np.ndarray) and frame.dtype == np.uint8 and frame.ndim == 3 and frame.shape[2] == 3


def _probe_render(source: EnvSource) -> str | None:
    if "rgb_array" not in source.render_modes:
        return "the env has no rgb_array render mode"
    env = source.make({}, "rgb_array")
    try:
        env.reset(seed=0)
        frame = env.render()
        return None if _is_rgb_frame(frame) else "render() did not return a uint8 [height, width, 3] frame"
    except Exception as error:  # missing pygame, no OpenGL context, ...
        return f"render() failed: {type(error).__name__}: {error}"
    finally:
        env.close()


def _probe_scene(source: EnvSource) -> str | None:
    env = source.make({}, None)
    try:
        problem = scene_problem(env)
        if problem is None:
            env.reset(seed=0)
            scene_of(env)
            poses_of(env)
        return problem
    except Exception as error:
        return f"cannot read the scene: {type(error).__name__}: {error}"
    finally:
        env.close()


def _probe_snapshot(source: EnvSource, snapshot_key: bytes) -> str | None:
    env = source.make({}, None)
    try:
        strategy = select_strategy(env, snapshot_key)
        env = strategy.prepare(env)
        env.reset(seed=0)
        env.action_space.seed(0)
        env.step(env.action_space.sample())
        payload = strategy.capture(env)
        env = strategy.apply(env, payload)
        env.step(env.action_space.sample())
        return None
    except Exception as error:
        return f"cannot snapshot {source.env_id}: {type(error).__name__}: {error}"
    finally:
        env.close()


def probe_capabilities(source: EnvSource, snapshot_key: bytes) -> EnvCapabilities:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        render_problem = _probe_render(source)
        snapshot_problem = _probe_snapshot(source, snapshot_key)
        scene_problem_ = _probe_scene(source)
    return EnvCapabilities(
        render_supported=render_problem is None,
        render_problem=render_problem,
        snapshot_supported=snapshot_problem is None,
        snapshot_problem=snapshot_problem,
        scene_supported=scene_problem_ is None,
        scene_problem=scene_problem_,
    )


