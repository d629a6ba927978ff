"""Gymnasium registry entries for vinegym servers' envs, made on `import vinegym`:

    gym.make("vinegym/Hopper-v5", url="ws://127.0.0.1:8765/v1/ws")            # the TS server's built-in ids
    gym.make("vinegym/Remote-v0", url=..., env_id="ALE/Pong-v5")               # any id a server lists
    gym.make("vinegym:vinegym/CartPole-v1", url=...)                           # without importing vinegym first

Every entry makes a `RemoteEnv`; its kwargs (`url`, `token`, `strict_actions`, env kwargs) go to it. The built-in
ids carry Gymnasium's `max_episode_steps` in their spec, as Gymnasium's own registrations do (gym.make then adds
its TimeLimit, which truncates on the same step as the server's); vinegym/Remote-v0 has none, the server's limit
is in `RemoteEnv.max_episode_steps`.
"""
from __future__ import annotations

import gymnasium as gym

NAMESPACE = "vinegym"
ENTRY_POINT = "vinegym.client.remote_env:RemoteEnv"

# Frames per second of the envs' renderings, as Gymnasium's own envs declare them (MuJoCo: 1 / (timestep ·
# frame_skip)); RemoteEnv puts them in its metadata, so video recorders play at the env's speed.
RENDER_FPS: dict[str, int] = {
    "CartPole-v0": 50,
    "CartPole-v1": 50,
    "Hopper-v5": 125,
    "Walker2d-v5": 125,
    "HalfCheetah-v5": 20,
    "Ant-v5": 20,
    "Humanoid-v5": 67,
    "Swimmer-v5": 25,
    "InvertedPendulum-v5": 25,
}
MAX_EPISODE_STEPS: dict[str, int] = {"CartPole-v0": 200, "CartPole-v1": 500}

#: The TypeScript server's built-in ids that get an entry of their own (Atari ids contain a "/", which a
#: Gymnasium id cannot hold after its namespace: use vinegym/Remote-v0 with env_id for those).
BUILTIN_IDS = tuple(RENDER_FPS)
GENERIC_ID = f"{NAMESPACE}/Remote-v0"


def registered_id(env_id: str) -> str:
    """The registry id under which `env_id` is made: vinegym/<env_id>, or vinegym/Remote-v0 for other ids."""
    return f"{NAMESPACE}/{env_id}" if env_id in BUILTIN_IDS else GENERIC_ID


def register_envs() -> None:
    """Adds the entries (idempotent)."""
    for env_id in BUILTIN_IDS:
        if registered_id(env_id) not in gym.registry:
            gym.register(
                id=registered_id(env_id), entry_point=ENTRY_POINT, kwargs={"env_id": env_id},
                max_episode_steps=MAX_EPISODE_STEPS.get(env_id, 1000),
            )
    if GENERIC_ID not in gym.registry:
        gym.register(id=GENERIC_ID, entry_point=ENTRY_POINT)
