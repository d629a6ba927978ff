"""`--atari-preprocess`: small image observations for ALE envs, [height, width, frames] uint8, the layout the
TypeScript agent's CNN policy takes (default 52 × 40 × 4, as in the TRPO paper's Atari experiments).

The base env keeps its own frame skipping and sticky actions (v5: frameskip 4, repeat_action_probability 0.25)
and renders ALE's native grayscale screen (obs_type="grayscale", 210 × 160); each frame is downsampled by area
averaging (what OpenCV's INTER_AREA does) and the last `frames` frames are stacked along the last axis; a reset
fills the stack with the first frame.

Why not Gymnasium's AtariPreprocessing + FrameStackObservation: AtariPreprocessing needs OpenCV (not a
dependency of the bridge), requires frameskip=1 on the base env (so one agent step is four env steps, which the
ALE snapshot replay would have to mirror), and the two wrappers keep state (max-pool buffer, frame queue, no-op
count) that snapshots could not restore; FrameStackObservation also stacks along the first axis. This wrapper's
only state is its frame stack, which it hands to snapshots (`get_wrapper_state` / `set_wrapper_state`).
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

import gymnasium as gym
import numpy as np
from gymnasium import spaces

from vinegym.server.env_source import EnvSource

SOURCE_SHAPE = (210, 160)


@dataclass(frozen=True)
class AtariPreprocessSettings:
    height: int = 52
    width: int = 40
    frames: int = 4


def area_weights(source: int, target: int) -> np.ndarray[Any, Any]:
    """[target, source] matrix whose row i averages the source cells that output cell i covers (fractional
    overlaps weighted by their length), like OpenCV's INTER_AREA downsampling."""
    weights = np.zeros((target, source), dtype=np.float32)
    scale = source / target
    for i in range(target):
        start, end = i * scale, (i + 1) * scale
        for j in range(int(np.floor(start)), min(source, int(np.ceil(end)))):
            overlap = min(end, j + 1) - max(start, j)
            if overlap > 0:
                weights[i, j] = overlap / scale
    return weights


def area_taps(source: int, target: int) -> tuple[np.ndarray[Any, Any], np.ndarray[Any, Any]]:
    """`area_weights` as taps: indices and weights, both [taps, target], such that output cell i is the sum over
    taps t of weights[t, i] * input[indices[t, i]] (unused taps have weight 0)."""
    dense = area_weights(source, target)
    covered = [np.flatnonzero(row) for row in dense]
    taps = max(len(cells) for cells in covered)
    indices = np.zeros((taps, target), dtype=np.intp)
    weights = np.zeros((taps, target), dtype=np.float32)
    for i, cells in enumerate(covered):
        indices[: len(cells), i] = cells
        weights[: len(cells), i] = dense[i, cells]
    return indices, weights


class AtariPreprocess(gym.Wrapper[Any, Any, Any, Any]):
    def __init__(self, env: gym.Env[Any, Any], settings: AtariPreprocessSettings) -> None:
        super().__init__(env)
        shape = env.observation_space.shape
        if shape != SOURCE_SHAPE:
            raise ValueError(f"--atari-preprocess needs 210x160 grayscale frames, the env gives {shape}")
        self.settings = settings
        self._row_taps = area_taps(SOURCE_SHAPE[0], settings.height)
        self._column_taps = area_taps(SOURCE_SHAPE[1], settings.width)
        self._stack = np.zeros((settings.height, settings.width, settings.frames), dtype=np.uint8)
        self.observation_space = spaces.Box(0, 255, self._stack.shape, np.uint8)

    def _downsample(self, frame: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
        # Separable, with a few gathers per axis instead of matrix products: BLAS threads cost more than they
        # save on matrices this small, and much more on a busy machine.
        pixels = frame.astype(np.float32)
        column_indices, column_weights = self._column_taps
        narrow = sum(pixels[:, idx] * w for idx, w in zip(column_indices, column_weights))
        row_indices, row_weights = self._row_taps
        small = sum(narrow[idx, :] * w[:, None] for idx, w in zip(row_indices, row_weights))
        return np.rint(small).astype(np.uint8)

    def reset(self, **kwargs: Any) -> tuple[Any, dict[str, Any]]:
        frame, info = self.env.reset(**kwargs)
        self._stack[...] = self._downsample(frame)[:, :, None]
        return self._stack.copy(), info

    def step(self, action: Any) -> tuple[Any, Any, bool, bool, dict[str, Any]]:
        frame, reward, terminated, truncated, info = self.env.step(action)
        self._stack[:, :, :-1] = self._stack[:, :, 1:]
        self._stack[:, :, -1] = self._downsample(frame)
        return self._stack.copy(), reward, terminated, truncated, info

    def get_wrapper_state(self) -> np.ndarray[Any, Any]:
        return self._stack.copy()

    def set_wrapper_state(self, state: np.ndarray[Any, Any]) -> None:
        if state.shape != self._stack.shape or state.dtype != self._stack.dtype:
            raise ValueError(f"frame stack has shape {list(state.shape)}, expected {list(self._stack.shape)}")
        self._stack[...] = state


def with_atari_preprocessing(source: EnvSource, settings: AtariPreprocessSettings) -> EnvSource:
    """The same env source with grayscale base frames, downsampled and stacked; `obs_type` is no client kwarg."""
    if not source.env_id.startswith("ALE/"):
        raise ValueError(f"--atari-preprocess applies to ALE envs (ALE/...), not {source.env_id}")
    make_base = source.create

    def create(kwargs: dict[str, Any], render_mode: str | None) -> gym.Env[Any, Any]:
        return AtariPreprocess(make_base({**kwargs, "obs_type": "grayscale"}, render_mode), settings)

    specs = {name: spec for name, spec in source.kwarg_specs.items() if name != "obs_type"}
    description = (
        f"{source.description} Preprocessed: grayscale, {settings.height}x{settings.width}, "
        f"last {settings.frames} frames stacked."
    )
    return dataclasses.replace(source, create=create, kwarg_specs=specs, description=description[:300])
