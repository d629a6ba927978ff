"""Runs Gymnasium's CartPole-v1 from given initial states and prints what it observed, for parity tests.

stdin: JSON list of cases {"state": [x, x_dot, theta, theta_dot], "actions": [0|1, ...] | null, "max_steps": int}.
With "actions": null the case is driven by a balancing controller on the observations, and the actions taken
are reported. stdout: JSON list of {"observations", "rewards", "terminated", "truncated", "actions"} per case,
one entry per step until the episode ends (terminated or truncated by the 500-step TimeLimit) or the actions run out.
Observations are the float32 values written as exact doubles.
"""
import json
import sys

import gymnasium as gym
import numpy as np


def controller(obs):
    x, x_dot, theta, theta_dot = (float(v) for v in obs)
    return 1 if theta + 0.5 * theta_dot + 0.01 * x + 0.05 * x_dot > 0 else 0


def run(case):
    env = gym.make("CartPole-v1")
    env.reset(seed=0)
    env.unwrapped.state = np.array(case["state"], dtype=np.float64)
    obs = np.array(case["state"], dtype=np.float32)
    result = {"observations": [], "rewards": [], "terminated": [], "truncated": [], "actions": []}
    scripted = case["actions"]
    for t in range(case["max_steps"]):
        if scripted is None:
            action = controller(obs)
        elif t < len(scripted):
            action = scripted[t]
        else:
            break
        obs, reward, terminated, truncated, _ = env.step(action)
        assert obs.dtype == np.float32
        result["observations"].append([float(v) for v in obs])
        result["rewards"].append(float(reward))
        result["terminated"].append(bool(terminated))
        result["truncated"].append(bool(truncated))
        result["actions"].append(int(action))
        if terminated or truncated:
            break
    env.close()
    return result


def main():
    cases = json.load(sys.stdin)
    json.dump([run(case) for case in cases], sys.stdout)


if __name__ == "__main__":
    main()
