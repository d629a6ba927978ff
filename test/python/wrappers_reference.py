"""Reference traces of Gymnasium's own wrappers around a small probe env, for test/gymnasium-wrappers.test.ts.

Reads a JSON list of cases from stdin; each names the wrapper kwargs, the autoreset mode and the actions. The
probe env is the one the test defines in TypeScript: observation [t, a0, a1, episode] (the action the env
received, so action wrappers show), reward a0 + 0.5·a1 + t, terminated when t reaches `terminate_at`.
Wrappers are applied in the order the TypeScript server composes them; the vector env (SyncVectorEnv) does the
autoreset, except in mode "disabled", which steps the wrapped single env.
"""
from __future__ import annotations

import json
import sys
from typing import Any

import gymnasium as gym
import numpy as np
from gymnasium import spaces
from gymnasium.vector import AutoresetMode, SyncVectorEnv
from gymnasium.wrappers import ClipAction, FrameStackObservation, RecordEpisodeStatistics, RescaleAction, TimeLimit


class ProbeEnv(gym.Env[np.ndarray, np.ndarray]):
    observation_space = spaces.Box(-np.inf, np.inf, (4,), np.float32)
    action_space = spaces.Box(np.array([-2, 0], np.float32), np.array([2, 4], np.float32), dtype=np.float32)

    def __init__(self, terminate_at: int) -> None:
        self.terminate_at = terminate_at
        self.t = 0
        self.episode = 0

    def reset(self, *, seed: int | None = None, options: dict[str, Any] | None = None) -> tuple[np.ndarray, dict[str, Any]]:
        super().reset(seed=seed)
        self.t = 0
        self.episode += 1
        return np.array([0, 0, 0, self.episode], np.float32), {"reset": self.episode}

    def step(self, action: np.ndarray) -> tuple[np.ndarray, float, bool, bool, dict[str, Any]]:
        self.t += 1
        a0, a1 = float(action[0]), float(action[1])
        observation = np.array([self.t, a0, a1, self.episode], np.float32)
        return observation, a0 + 0.5 * a1 + self.t, self.t >= self.terminate_at, False, {"t": self.t}


def wrapped(kwargs: dict[str, Any], terminate_at: int) -> gym.Env[Any, Any]:
    env: gym.Env[Any, Any] = ProbeEnv(terminate_at)
    if kwargs.get("max_episode_steps") is not None:
        env = TimeLimit(env, kwargs["max_episode_steps"])
    if kwargs.get("frame_stack", 1) != 1:
        env = FrameStackObservation(env, kwargs["frame_stack"])
    if kwargs.get("rescale_action_min") is not None:
        env = RescaleAction(env, kwargs["rescale_action_min"], kwargs["rescale_action_max"])
    if kwargs.get("clip_action"):
        env = ClipAction(env)
    if kwargs.get("record_episode_statistics"):
        env = RecordEpisodeStatistics(env)
    return env


def plain(value: Any) -> Any:
    if isinstance(value, np.ndarray):
        return value.astype(np.float64).ravel().tolist()
    if isinstance(value, (np.floating, np.integer, np.bool_)):
        return value.item()
    if isinstance(value, dict):
        return {key: plain(v) for key, v in value.items() if not key.startswith("_")}
    return value


def episode_of(info: dict[str, Any], index: int | None) -> dict[str, float] | None:
    """info['episode'] without its wall-clock 't', for env `index` of a vector info (or a single env's info)."""
    if "episode" not in info:
        return None
    episode = info["episode"]
    if index is not None:
        if not info["_episode"][index]:
            return None
        return {"r": float(episode["r"][index]), "l": int(episode["l"][index])}
    return {"r": float(episode["r"]), "l": int(episode["l"])}


def run_vector(case: dict[str, Any]) -> list[dict[str, Any]]:
    mode = AutoresetMode.NEXT_STEP if case["autoreset_mode"] == "next_step" else AutoresetMode.SAME_STEP
    env = SyncVectorEnv([lambda: wrapped(case["kwargs"], case["terminate_at"])], autoreset_mode=mode)
    observation, info = env.reset(seed=case["seed"])
    trace = [{"observation": plain(observation[0])}]
    for action in case["actions"]:
        observation, reward, terminated, truncated, info = env.step(np.array([action], np.float32))
        row: dict[str, Any] = {
            "observation": plain(observation[0]),
            "reward": float(reward[0]),
            "terminated": bool(terminated[0]),
            "truncated": bool(truncated[0]),
            "t": int(info["t"][0]) if "t" in info and info["_t"][0] else None,
            "episode": episode_of(info, 0),
            "final_observation": None,
            "final_episode": None,
        }
        if "final_obs" in info and info["_final_obs"][0]:
            row["final_observation"] = plain(info["final_obs"][0])
            row["final_episode"] = episode_of(info["final_info"], 0)
        trace.append(row)
    return trace


def run_single(case: dict[str, Any]) -> list[dict[str, Any]]:
    env = wrapped(case["kwargs"], case["terminate_at"])
    observation, _ = env.reset(seed=case["seed"])
    trace = [{"observation": plain(observation)}]
    for action in case["actions"]:
        observation, reward, terminated, truncated, info = env.step(np.array(action, np.float32))
        trace.append(
            {
                "observation": plain(observation),
                "reward": float(reward),
                "terminated": bool(terminated),
                "truncated": bool(truncated),
                "t": info.get("t"),
                "episode": episode_of(info, None),
                "final_observation": None,
                "final_episode": None,
            }
        )
        if terminated or truncated:
            break
    return trace


def main() -> None:
    cases = json.load(sys.stdin)
    traces = [run_single(case) if case["autoreset_mode"] == "disabled" else run_vector(case) for case in cases]
    json.dump(traces, sys.stdout)


if __name__ == "__main__":
    main()
