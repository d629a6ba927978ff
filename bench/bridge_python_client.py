"""A column of `pnpm bench:bridge`: env-steps/s through the bridge with the Python client (`vinegym.VinegymClient`)
instead of the TypeScript one, which separates the bridge's own cost from the TypeScript client's.

    .venv/bin/python bench/bridge_python_client.py URL ENV_ID NUM_ENVS SECONDS   -> prints {"steps_per_s": ...}

Same loop as bench/gym_direct.py and the TypeScript side: random actions drawn before the timed loop, one step
request per batch, next_step autoreset (the session's default).
"""
from __future__ import annotations

import json
import sys
import time

import numpy as np

from vinegym import VinegymClient

ACTION_BATCHES = 64


def random_actions(space: dict, num_envs: int, rng: np.random.Generator) -> np.ndarray:
    if space["type"] == "discrete":
        return rng.integers(space["start"], space["start"] + space["n"], num_envs).astype(np.int64)
    if space["type"] == "box":
        low, high = space["low"], space["high"]
        return rng.uniform(low, high, (num_envs, *space["shape"])).astype(space["dtype"])
    raise ValueError(f"no random actions for {space['type']} spaces")


def steps_per_second(url: str, env_id: str, num_envs: int, seconds: float) -> float:
    rng = np.random.default_rng(0)
    with VinegymClient(url) as client:
        made = client.make(env_id, num_envs=num_envs, seed=0)
        session = made["session_id"]
        actions = [random_actions(made["single_action_space"], num_envs, rng) for _ in range(ACTION_BATCHES)]
        client.reset(session, seed=0)
        for k in range(16):  # warm-up
            client.step(session, actions[k])
        steps = 0
        k = 0
        start = time.perf_counter()
        deadline = start + seconds
        while time.perf_counter() < deadline:
            for _ in range(16):
                client.step(session, actions[k % ACTION_BATCHES])
                k += 1
            steps += 16 * num_envs
        elapsed = time.perf_counter() - start
        client.close_session(session)
    return steps / elapsed


if __name__ == "__main__":
    url, env_id, num_envs, seconds = sys.argv[1], sys.argv[2], int(sys.argv[3]), float(sys.argv[4])
    print(json.dumps({"steps_per_s": steps_per_second(url, env_id, num_envs, seconds)}))
