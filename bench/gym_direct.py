"""The baseline of `pnpm bench:bridge`: env-steps/s of `num_envs` Gymnasium envs stepped directly in Python.

    .venv/bin/python bench/gym_direct.py ENV_ID NUM_ENVS SECONDS [--atari-preprocess]
                                                                       -> prints {"steps_per_s": ...} as JSON

The loop does what the bridge's session does for a `next_step` session, minus the protocol: one env per slot made
with `gym.make` (registration time limit applied by TimeLimit), each slot stepped once per batch step, an env whose
last step ended the episode is reset instead of stepped (next_step autoreset), and the batch's observations
stacked into one array. Actions are random and drawn before the timed loop, like the TypeScript side's.
With --atari-preprocess the envs get the bridge's own preprocessing wrapper (vinegym.server.atari_preprocessing),
as `vinegym serve ... --atari-preprocess` does.
"""
from __future__ import annotations

import json
import sys
import time

import gymnasium as gym
import numpy as np

ACTION_BATCHES = 64


def make_env(env_id: str, atari_preprocess: bool) -> gym.Env:
    if env_id.startswith("ALE/"):
        import ale_py

        gym.register_envs(ale_py)
    if atari_preprocess:
        from vinegym.server.atari_preprocessing import AtariPreprocess, AtariPreprocessSettings

        return AtariPreprocess(gym.make(env_id, obs_type="grayscale", disable_env_checker=True), AtariPreprocessSettings())
    return gym.make(env_id, disable_env_checker=True)


def steps_per_second(env_id: str, num_envs: int, seconds: float, atari_preprocess: bool = False) -> float:
    envs = [make_env(env_id, atari_preprocess) for _ in range(num_envs)]
    space = envs[0].action_space
    space.seed(0)
    actions = [[space.sample() for _ in range(num_envs)] for _ in range(ACTION_BATCHES)]
    ended = [False] * num_envs
    rewards = np.zeros(num_envs)
    for i, env in enumerate(envs):
        env.reset(seed=i)

    def batch_step(batch: list) -> None:
        observations = []
        for i, env in enumerate(envs):
            if ended[i]:
                observation, _ = env.reset()
                ended[i] = False
            else:
                observation, reward, terminated, truncated, _ = env.step(batch[i])
                rewards[i] = reward
                ended[i] = terminated or truncated
            observations.append(observation)
        np.stack(observations)

    for k in range(16):  # warm-up
        batch_step(actions[k])
    steps = 0
    start = time.perf_counter()
    deadline = start + seconds
    k = 0
    while time.perf_counter() < deadline:
        for _ in range(16):
            batch_step(actions[k % ACTION_BATCHES])
            k += 1
        steps += 16 * num_envs
    elapsed = time.perf_counter() - start
    for env in envs:
        env.close()
    return steps / elapsed


if __name__ == "__main__":
    env_id, num_envs, seconds = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
    preprocess = "--atari-preprocess" in sys.argv[4:]
    print(json.dumps({"steps_per_s": steps_per_second(env_id, num_envs, seconds, preprocess)}))
