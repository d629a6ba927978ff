"""Reference side of the env-level table of `pnpm bench:ale` (bench/atari-env.ts): gymnasium + ale-py's own
`SyncVectorEnv` stepping `num_envs` ALE envs in one process, as a Python user would run them, or ale-py's
`AtariVectorEnv` (its C++ vector env, stepping the envs on `threads` threads).

Reads JSON on stdin: {"env_id", "num_envs", "steps", "warmup", "preprocess": bool, "seed", "copy": bool (default
true), "vector": "sync" (default) | "ale", "threads": int (default 1)}; prints one JSON line {"steps",
"cpuSeconds", "wallSeconds"} where steps counts env steps (batch steps x num_envs). `copy` is SyncVectorEnv's:
true (its default) returns a fresh observation batch every step, false the same one rewritten by the next step
(`AtariVectorEnv` has no such option: it returns a fresh batch every step).

raw:        gym.make(env_id) -> [210, 160, 3] uint8 (ale-py v5 defaults: frameskip 4, sticky actions 0.25).
preprocess: gym.make(env_id, obs_type="grayscale") + the bridge's numpy wrapper (area average to 52 x 40, last 4
            frames stacked; vinegym.server.atari_preprocessing), the paper's input; gymnasium's own
            AtariPreprocessing needs OpenCV, which is not installed here.
ale:        ale_py.vector_env.AtariVectorEnv with v5's frameskip 4 and sticky actions 0.25 and none of its Atari
            defaults (no no-op starts, fire reset, reward clipping or max-pooling): raw is RGB at 210 x 160 with one
            frame; preprocess is its grayscale resized to 52 x 40 with 4 frames stacked (its own resize, not an area
            average: the same shape and about the same work).
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


def make_ale_vector(env_id: str, n: int, preprocess: bool, threads: int):
    from ale_py.vector_env import AtariVectorEnv

    # `ALE/SpaceInvaders-v5` -> `space_invaders`, the game name AtariVectorEnv takes.
    name = env_id.split("/")[-1].rsplit("-", 1)[0]
    game = "".join("_" + c.lower() if c.isupper() and i > 0 else c.lower() for i, c in enumerate(name))
    shape = dict(grayscale=True, img_height=52, img_width=40, stack_num=4) if preprocess else dict(
        grayscale=False, img_height=210, img_width=160, stack_num=1
    )
    return AtariVectorEnv(
        game=game,
        num_envs=n,
        num_threads=threads,
        frameskip=4,
        repeat_action_probability=0.25,
        maxpool=False,
        noop_max=0,
        use_fire_reset=False,
        episodic_life=False,
        reward_clipping=False,
        **shape,
    )


def main() -> None:
    req = json.load(sys.stdin)
    n = int(req["num_envs"])
    if req.get("vector", "sync") == "ale":
        envs = make_ale_vector(req["env_id"], n, bool(req["preprocess"]), int(req.get("threads", 1)))
    else:
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
