"""Reference side of the env-level table of `pnpm bench:ale` (bench/atari-env.ts): gymnasium + ale-py's own
`SyncVectorEnv` stepping `num_envs` ALE envs in one process, as a Python user would run them.

Reads JSON on stdin: {"env_id", "num_envs", "steps", "warmup", "preprocess": bool, "seed", "copy": bool (default
true)}; prints one JSON line {"steps", "cpuSeconds", "wallSeconds"} where steps counts env steps (batch steps x
num_envs). `copy` is SyncVectorEnv's: true (its default) returns a fresh observation batch every step, false the
same one rewritten by the next step.

raw:        gym.make(env_id) -> [210, 160, 3] uint8 (ale-py v5 defaults: frameskip 4, sticky actions 0.25).
preprocess: gym.make(env_id, obs_type="grayscale") + the bridge's numpy wrapper (area average to 52 x 40, last 4
            frames stacked; vinegym.server.atari_preprocessing), the paper's input; gymnasium's own
            AtariPreprocessing needs OpenCV, which is not installed here.
Actions are uniform over the action space, drawn before the timed loop; autoreset is SyncVectorEnv's default
(next step).
"""
import json
import sys
import time

import ale_py
import gymnasium as gym
import numpy as np

gym.register_envs(ale_py)


def make(env_id: str, preprocess: bool):
    def thunk():
        if not preprocess:
            return gym.make(env_id, disable_env_checker=True)
        from vinegym.server.atari_preprocessing import AtariPreprocess, AtariPreprocessSettings

        return AtariPreprocess(gym.make(env_id, obs_type="grayscale", disable_env_checker=True), AtariPreprocessSettings())

    return thunk


def main() -> None:
    req = json.load(sys.stdin)
    n = int(req["num_envs"])
    envs = gym.vector.SyncVectorEnv(
        [make(req["env_id"], bool(req["preprocess"])) for _ in range(n)], copy=bool(req.get("copy", True))
    )
    envs.reset(seed=int(req["seed"]))
    rng = np.random.default_rng(int(req["seed"]))
    actions = rng.integers(0, envs.single_action_space.n, size=(64, n))

    def run(batches: int) -> None:
        for k in range(batches):
            envs.step(actions[k % 64])

    run(int(req["warmup"]))
    batches = max(1, int(req["steps"]) // n)
    c0, w0 = time.process_time(), time.perf_counter()
    run(batches)
    cpu, wall = time.process_time() - c0, time.perf_counter() - w0
    envs.close()
    print(json.dumps({"steps": batches * n, "cpuSeconds": cpu, "wallSeconds": wall}), flush=True)


if __name__ == "__main__":
    main()
