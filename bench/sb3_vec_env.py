"""SB3 VecEnv.step throughput: local Gymnasium envs in SB3's DummyVecEnv against vinegym.sb3.RemoteVecEnv on the
TypeScript server (one batched session over loopback WebSocket), and against the obvious way without vinegym.sb3
(DummyVecEnv of RemoteEnvs: one connection and one round trip per env). All three in the same run, 8 envs.

Run with a Python that has stable-baselines3 and this repository's bridge package (pip install -e
'bridges/python[sb3]'), from the repository root: `python bench/sb3_vec_env.py [--seconds 3] [--rounds 3]`.
Random actions are drawn before the timed loops; each round times every side for `--seconds`; the table keeps each
side's best round and prints the 1-minute load average after each env's rounds (a loaded machine slows all sides).
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from typing import Any, Callable

import gymnasium as gym
import numpy as np
from stable_baselines3.common.vec_env import DummyVecEnv

import vinegym  # noqa: F401  (registers the ids)
from vinegym import RemoteEnv
from vinegym.sb3 import RemoteVecEnv

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ENVS = ["CartPole-v1", "Hopper-v5", "ALE/Pong-v5"]
NUM_ENVS = 8


def start_ts_server() -> tuple[subprocess.Popen[str], str]:
    command = ["npx", "tsx", "--conditions=source", "packages/env-server/src/cli.ts", "--port", "0"]
    process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    assert process.stdout is not None
    return process, process.stdout.readline().strip()


def steps_per_second(make: Callable[[], Any], actions: np.ndarray[Any, Any], seconds: float) -> float:
    env = make()
    try:
        env.seed(0)
        env.reset()
        for t in range(5):  # warm-up: first steps compile, allocate, open caches
            env.step(actions[t])
        steps, start = 0, time.perf_counter()
        while time.perf_counter() - start < seconds:
            env.step(actions[steps % len(actions)])
            steps += 1
        return steps * NUM_ENVS / (time.perf_counter() - start)
    finally:
        env.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=3.0)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    import ale_py

    gym.register_envs(ale_py)
    server, url = start_ts_server()
    print(f"TypeScript server at {url}; python {sys.version.split()[0]}, gymnasium {gym.__version__}", flush=True)
    rows = []
    try:
        for env_id in ENVS:
            space = gym.make(env_id).action_space
            space.seed(0)
            actions = np.stack([np.stack([space.sample() for _ in range(NUM_ENVS)]) for _ in range(256)])
            sides: dict[str, Callable[[], Any]] = {
                "local DummyVecEnv": lambda: DummyVecEnv([lambda: gym.make(env_id)] * NUM_ENVS),
                "vinegym.sb3.RemoteVecEnv": lambda: RemoteVecEnv(url, env_id, num_envs=NUM_ENVS),
                "DummyVecEnv of RemoteEnv": lambda: DummyVecEnv([lambda: RemoteEnv(url, env_id)] * NUM_ENVS),
            }
            best = {name: 0.0 for name in sides}
            for _ in range(args.rounds):
                for name, make in sides.items():
                    best[name] = max(best[name], steps_per_second(make, actions, args.seconds))
            load = os.getloadavg()
            rows.append((env_id, best, load))
            print(env_id, {k: round(v) for k, v in best.items()}, "load %.2f %.2f %.2f" % load, flush=True)
    finally:
        server.terminate()
        server.wait(timeout=30)
    print()
    names = list(rows[0][1])
    print("| env (8 envs) | " + " | ".join(f"{n} steps/s" for n in names) + " | RemoteVecEnv / local | load (1/5/15 min) |")
    print("|---|" + "---:|" * (len(names) + 2))
    for env_id, best, load in rows:
        ratio = best["vinegym.sb3.RemoteVecEnv"] / best["local DummyVecEnv"]
        cells = " | ".join(f"{best[n]:,.0f}" for n in names)
        print(f"| {env_id} | {cells} | {ratio:.2f} | {load[0]:.2f} / {load[1]:.2f} / {load[2]:.2f} |")


if __name__ == "__main__":
    main()
