"""Small envs for the tests: Dict/Tuple spaces, a short time limit, a failing reset, pickle-fallback snapshots.
Served as `toy_envs:Toy-v0` (registered below with max_episode_steps=5)."""
from __future__ import annotations

from typing import Any

import gymnasium as gym
import numpy as np
from gymnasium import spaces


class ToyEnv(gym.Env[dict[str, Any], np.ndarray]):
    """A point drifting on a line; the episode terminates when |position| > limit."""

    def __init__(self, limit: float = 3.0, label: str = "toy") -> None:
        if limit <= 0:
            raise ValueError(f"limit must be positive, got {limit} (label {label})")
        self.limit = limit
        self.label = label
        self.observation_space = spaces.Dict({
            "position": spaces.Box(-np.inf, np.inf, (2,), np.float32),
            "flags": spaces.Tuple((spaces.Discrete(3, start=-1), spaces.MultiBinary(2))),
        })
        self.action_space = spaces.Box(-1.0, 1.0, (2,), np.float32)
        self.position = np.zeros(2, dtype=np.float32)
        self.moves = 0

    def _observation(self) -> dict[str, Any]:
        sign = int(np.sign(self.position[0]))
        return {
            "position": self.position.copy(),
            "flags": (sign, (self.position > 0).astype(np.int8)),
        }

    def reset(self, *, seed: int | None = None, options: dict[str, Any] | None = None) -> tuple[Any, dict[str, Any]]:
        super().reset(seed=seed)
        if options and options.get("explode"):
            raise RuntimeError("reset exploded on request")
        self.position = self.np_random.uniform(-0.5, 0.5, 2).astype(np.float32)
        self.moves = 0
        return self._observation(), {"label": self.label, "options": options or {}}

    def step(self, action: np.ndarray) -> tuple[Any, float, bool, bool, dict[str, Any]]:
        noise = self.np_random.normal(0, 0.1, 2).astype(np.float32)
        self.position = (self.position + action + noise).astype(np.float32)
        self.moves += 1
        terminated = bool(np.abs(self.position).max() > self.limit)
        return self._observation(), float(self.position.sum()), terminated, False, {"moves": self.moves}


gym.register("Toy-v0", entry_point=ToyEnv, max_episode_steps=5)
