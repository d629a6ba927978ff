"""One training run of sb3-contrib's TRPO for `pnpm bench:vs-sb3` (bench/vs-sb3/main.ts runs it).

Trains TRPO("MlpPolicy", env) with sb3-contrib's defaults (or the hyperparameters passed in --hyperparams),
evaluates the policy deterministically at the requested env-step checkpoints and writes one JSON record with the
same fields as the vinegym side (bench/vs-sb3/run-record.ts). Wall and CPU times exclude the evaluations.

Run it with the Python of a venv that has stable-baselines3, sb3-contrib, torch and gymnasium[mujoco].
"""

import argparse
import json
import os
import sys
import time

# One torch/BLAS thread, set before torch is imported: the benchmark compares both libraries on one core each.
os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("MKL_NUM_THREADS", "1")

import gymnasium as gym  # noqa: E402
import numpy as np  # noqa: E402
import torch  # noqa: E402
from sb3_contrib import TRPO  # noqa: E402
from stable_baselines3.common.callbacks import BaseCallback  # noqa: E402
from stable_baselines3.common.env_util import make_vec_env  # noqa: E402
from stable_baselines3.common.vec_env import VecNormalize  # noqa: E402

# Same window as vinegym's episode_return_mean.
RETURN_WINDOW = 10


def evaluate(model, env_id, episodes, seed, obs_rms=None, clip_obs=10.0, epsilon=1e-8):
    """Deterministic (mean) actions, episode i reset with seed + i; the sum of the env's own rewards."""
    env = gym.make(env_id)
    returns, lengths = [], []
    for i in range(episodes):
        obs, _ = env.reset(seed=seed + i)
        total, length, done = 0.0, 0, False
        while not done:
            if obs_rms is not None:
                obs = np.clip((obs - obs_rms.mean) / np.sqrt(obs_rms.var + epsilon), -clip_obs, clip_obs)
            action, _ = model.predict(obs, deterministic=True)
            obs, reward, terminated, truncated, _ = env.step(action)
            total += float(reward)
            length += 1
            done = terminated or truncated
        returns.append(total)
        lengths.append(length)
    env.close()
    return returns, lengths


class Recorder(BaseCallback):
    """Learning curve at every rollout, deterministic evaluations at the checkpoints, timings without them."""

    def __init__(self, args, vec_normalize):
        super().__init__()
        self.args = args
        self.vec_normalize = vec_normalize
        self.pending = sorted(args.checkpoints)
        self.curve = []
        self.evaluations = []
        self.recent = []
        self.eval_wall = 0.0
        self.eval_cpu = 0.0
        self.wall0 = time.perf_counter()
        self.cpu0 = time.process_time()

    def times(self):
        return (
            time.perf_counter() - self.wall0 - self.eval_wall,
            time.process_time() - self.cpu0 - self.eval_cpu,
        )

    def _on_step(self):
        for info in self.locals["infos"]:
            if "episode" in info:
                self.recent = (self.recent + [float(info["episode"]["r"])])[-RETURN_WINDOW:]
        return True

    def _on_rollout_end(self):
        wall, cpu = self.times()
        mean = sum(self.recent) / len(self.recent) if self.recent else None
        self.curve.append({"steps": self.num_timesteps, "wall_s": wall, "cpu_s": cpu, "episode_return_mean": mean})
        print(f"[sb3] {self.num_timesteps} steps, {wall:.0f} s, return {mean}", file=sys.stderr, flush=True)

    def _on_rollout_start(self):
        # Called after the update on the previous rollout: the policy has learned from num_timesteps steps.
        self.maybe_evaluate(final=False)

    def maybe_evaluate(self, final):
        if not self.pending or (not final and self.num_timesteps < self.pending[0]):
            return
        while self.pending and self.num_timesteps >= self.pending[0]:
            self.pending.pop(0)
        wall, cpu = self.times()
        w0, c0 = time.perf_counter(), time.process_time()
        obs_rms = self.vec_normalize.obs_rms if self.vec_normalize is not None else None
        returns, lengths = evaluate(self.model, self.args.env, self.args.eval_episodes, self.args.eval_seed, obs_rms)
        self.eval_wall += time.perf_counter() - w0
        self.eval_cpu += time.process_time() - c0
        self.evaluations.append(
            {"steps": self.num_timesteps, "wall_s": wall, "cpu_s": cpu, "returns": returns, "lengths": lengths}
        )
        print(f"[sb3] eval at {self.num_timesteps}: {np.mean(returns):.1f} ± {np.std(returns):.1f}", file=sys.stderr, flush=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--env", required=True)
    parser.add_argument("--steps", type=int, required=True)
    parser.add_argument("--seed", type=int, required=True)
    parser.add_argument("--checkpoints", required=True, help="comma-separated env-step counts")
    parser.add_argument("--eval-episodes", type=int, default=10)
    parser.add_argument("--eval-seed", type=int, required=True)
    parser.add_argument(
        "--hyperparams",
        default="{}",
        help="JSON: TRPO keyword arguments; also n_envs (default 1) and normalize (VecNormalize, as RL Zoo)",
    )
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    args.checkpoints = [int(c) for c in args.checkpoints.split(",") if c]

    torch.set_num_threads(1)
    hyperparams = json.loads(args.hyperparams)
    n_envs = int(hyperparams.pop("n_envs", 1))
    normalize = hyperparams.pop("normalize", False)
    env = make_vec_env(args.env, n_envs=n_envs, seed=args.seed)
    vec_normalize = None
    if normalize:
        vec_normalize = VecNormalize(env, **(normalize if isinstance(normalize, dict) else {}))
        env = vec_normalize
    model = TRPO("MlpPolicy", env, seed=args.seed, verbose=0, device="cpu", **hyperparams)
    recorder = Recorder(args, vec_normalize)
    model.learn(total_timesteps=args.steps, callback=recorder)
    wall, cpu = recorder.times()
    recorder.maybe_evaluate(final=True)
    record = {
        "impl": "sb3-contrib",
        "env": args.env,
        "seed": args.seed,
        "env_steps": model.num_timesteps,
        "wall_s": wall,
        "cpu_s": cpu,
        "eval_wall_s": recorder.eval_wall,
        "settings": {"hyperparams": json.loads(args.hyperparams), "torch_threads": torch.get_num_threads()},
        "versions": {
            "sb3_contrib": __import__("sb3_contrib").__version__,
            "stable_baselines3": __import__("stable_baselines3").__version__,
            "torch": torch.__version__,
            "gymnasium": gym.__version__,
            "mujoco": __import__("mujoco").__version__,
        },
        "curve": recorder.curve,
        "evaluations": recorder.evaluations,
    }
    with open(args.out, "w") as f:
        json.dump(record, f)


if __name__ == "__main__":
    main()
