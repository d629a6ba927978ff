"""Gymnasium's seeded resets and CartPole vector episodes, for the seed parity tests (test/gymnasium-seeds.test.ts).

stdin: JSON {"resets": [{"env_id", "seeds": [int, ...]}], "vector": [{"mode", "num_envs", "seed", "steps",
"policies": ["controller" | "random", ...], "bits": [[0|1] * num_envs] * steps}]}.
- resets: for each seed, `gym.make(env_id).reset(seed=seed)`; reports the observation, and for MuJoCo envs qpos and
  qvel, for CartPole the float64 state.
- vector: a SyncVectorEnv of `num_envs` CartPole-v1 in autoreset `mode` ("next_step", "same_step", "disabled"),
  reset with `seed`, stepped `steps` times. Env i's action at step t is bits[t][i] for a "random" policy; for a
  "controller" policy it is the balancing controller on its current observation, flipped when bits[t][i] is 1 and
  t % 20 == 0. In "disabled" mode, envs whose episode ended are reset (reset_mask) after the step.
stdout: JSON {"resets": [[{"observation", "qpos"?, "qvel"?, "state"?}, ...]], "vector": [{"observations",
"rewards", "terminated", "truncated", "final_observations" (same_step: per step, per env, null or obs),
"reset_observations" (disabled: per step, {env index: obs})}]}. Floats are written exactly (repr).
"""
import json
import sys

import gymnasium as gym
import numpy as np
from gymnasium.vector import AutoresetMode, SyncVectorEnv


def floats(values):
    return [float(v) for v in np.asarray(values).reshape(-1)]


def resets(case):
    out = []
    env = gym.make(case["env_id"])
    for seed in case["seeds"]:
        observation, _ = env.reset(seed=seed)
        entry = {"observation": floats(observation)}
        unwrapped = env.unwrapped
        if hasattr(unwrapped, "data"):
            entry["qpos"] = floats(unwrapped.data.qpos)
            entry["qvel"] = floats(unwrapped.data.qvel)
        else:
            entry["state"] = floats(unwrapped.state)
        out.append(entry)
    env.close()
    return out


def controller(obs):
    x, x_dot, theta, theta_dot = (float(v) for v in obs)
    return 1 if theta + 0.5 * theta_dot + 0.01 * x + 0.05 * x_dot > 0 else 0


def actions_for(case, t, observations):
    actions = []
    for i, policy in enumerate(case["policies"]):
        bit = case["bits"][t][i]
        if policy == "random":
            actions.append(bit)
        else:
            action = controller(observations[i])
            actions.append(1 - action if bit and t % 20 == 0 else action)
    return np.array(actions, dtype=np.int64)


def vector(case):
    mode = {"next_step": AutoresetMode.NEXT_STEP, "same_step": AutoresetMode.SAME_STEP, "disabled": AutoresetMode.DISABLED}[case["mode"]]
    n = case["num_envs"]
    envs = SyncVectorEnv([lambda: gym.make("CartPole-v1") for _ in range(n)], autoreset_mode=mode)
    observations, _ = envs.reset(seed=case["seed"])
    out = {"observations": [], "rewards": [], "terminated": [], "truncated": [], "final_observations": [], "reset_observations": []}
    for t in range(case["steps"]):
        observations, rewards, terminated, truncated, infos = envs.step(actions_for(case, t, observations))
        out["observations"].append(floats(observations))
        out["rewards"].append(floats(rewards))
        out["terminated"].append([bool(v) for v in terminated])
        out["truncated"].append([bool(v) for v in truncated])
        if mode == AutoresetMode.SAME_STEP:
            mask = infos.get("_final_obs", np.zeros(n, dtype=bool))
            out["final_observations"].append([floats(infos["final_obs"][i]) if mask[i] else None for i in range(n)])
        if mode == AutoresetMode.DISABLED:
            ended = np.logical_or(terminated, truncated)
            reset = {}
            if ended.any():
                observations, _ = envs.reset(options={"reset_mask": ended})
                reset = {str(i): floats(observations[i]) for i in np.flatnonzero(ended)}
            out["reset_observations"].append(reset)
    envs.close()
    return out


def main():
    request = json.load(sys.stdin)
    json.dump({"resets": [resets(c) for c in request.get("resets", [])], "vector": [vector(c) for c in request.get("vector", [])]}, sys.stdout)


if __name__ == "__main__":
    main()
