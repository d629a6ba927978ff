"""Runs Gymnasium's MuJoCo v5 envs from given states and actions and prints what they observed, for parity tests.

stdin: JSON list of cases {"env_id", "qpos": [...], "qvel": [...], "actions": [[...], ...]}. Each env is made with
its default kwargs, reset with seed 0, then put at (qpos, qvel) with env.unwrapped.set_state. Actions are applied
as float64 arrays until they run out or the episode terminates.
stdout: JSON {"mujoco_version", "cases": [{"initial_observation", "observations", "rewards", "terminated",
"infos", "contacts", "substep_contacts"}]}; infos keep numeric entries only (arrays as lists); contacts is data.ncon
after each step; substep_contacts the most contacts seen in any of the step's frame_skip physics steps (a contact
can begin and end inside one env step, where the ncon after it does not see it).
"""
import json
import sys

import gymnasium as gym
import mujoco
import numpy as np


def numeric_info(info):
    out = {}
    for key, value in info.items():
        if isinstance(value, np.ndarray):
            out[key] = value.astype(np.float64).tolist()
        elif isinstance(value, (int, float, np.floating, np.integer)) and not isinstance(value, bool):
            out[key] = float(value)
    return out


def most_contacts_within_step(model, data, action, frame_skip):
    """Steps a copy of the physics through the env step's substeps (ctrl = action, as Gymnasium's do_simulation
    sets it) and returns the most contacts any substep's collision detection found."""
    probe = mujoco.MjData(model)
    mujoco.mj_copyData(probe, model, data)
    probe.ctrl[:] = action
    most = 0
    for _ in range(frame_skip):
        mujoco.mj_step(model, probe)
        most = max(most, int(probe.ncon))
    mujoco.mj_forward(model, probe)
    return max(most, int(probe.ncon))


def run(case):
    env = gym.make(case["env_id"])
    env.reset(seed=0)
    env.unwrapped.set_state(np.array(case["qpos"], dtype=np.float64), np.array(case["qvel"], dtype=np.float64))
    result = {
        "initial_observation": env.unwrapped._get_obs().tolist(),
        "observations": [],
        "rewards": [],
        "terminated": [],
        "infos": [],
        "contacts": [],
        "substep_contacts": [],
    }
    model, data = env.unwrapped.model, env.unwrapped.data
    for action in case["actions"]:
        result["substep_contacts"].append(most_contacts_within_step(model, data, action, env.unwrapped.frame_skip))
        obs, reward, terminated, truncated, info = env.step(np.array(action, dtype=np.float64))
        result["observations"].append(obs.tolist())
        result["rewards"].append(float(reward))
        result["terminated"].append(bool(terminated))
        result["infos"].append(numeric_info(info))
        result["contacts"].append(int(env.unwrapped.data.ncon))
        if terminated:
            break
    env.close()
    return result


def main():
    cases = json.load(sys.stdin)
    json.dump({"mujoco_version": mujoco.__version__, "cases": [run(case) for case in cases]}, sys.stdout)


if __name__ == "__main__":
    main()
