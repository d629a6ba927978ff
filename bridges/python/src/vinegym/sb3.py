"""Stable-Baselines3 support: `RemoteVecEnv`, an SB3 `VecEnv` over vinegym servers.

    from stable_baselines3 import PPO
    from stable_baselines3.common.vec_env import VecMonitor
    from vinegym.sb3 import RemoteVecEnv

    env = VecMonitor(RemoteVecEnv("ws://127.0.0.1:8765/v1/ws", "CartPole-v1", num_envs=8))
    PPO("MlpPolicy", env).learn(100_000)

All envs live in one batched session per server (`url` may list several servers; the envs are split across them in
order, see SessionGroup), so a step is one round trip per server, not one per env. The session runs in same_step
autoreset mode, which is SB3's convention: an env whose episode ends is reset within the step, its info carries
`terminal_observation` and `TimeLimit.truncated`, and its reset info goes to `reset_infos`, exactly as in SB3's
DummyVecEnv. `seed()` / `set_options()` apply at the next `reset()`. Needs stable-baselines3 (`pip install
'vinegym[sb3]'`). Episode statistics (`ep_info_buffer`) come from wrapping it in SB3's `VecMonitor`.
"""
from __future__ import annotations

from typing import Any, Sequence

import numpy as np

try:
    from stable_baselines3.common.vec_env.base_vec_env import VecEnv, VecEnvIndices, VecEnvStepReturn
except ImportError as error:  # pragma: no cover - exercised only where SB3 is missing
    raise ImportError("vinegym.sb3 needs stable-baselines3: pip install 'vinegym[sb3]'") from error

from vinegym.client.session_group import SessionGroup
from vinegym.protocol.values import gym_batch_to_wire, wire_batch_to_gym, wire_single_to_gym


class RemoteVecEnv(VecEnv):
    """`RemoteVecEnv(url_or_urls, env_id, num_envs, *, seed=None, token=None, render_mode=None,
    strict_actions=None, **env_kwargs)`.

    `render_mode="rgb_array"` renders on the servers (`get_images()`, `render()`). Pickling and deepcopy open new
    sessions and restore every env's state (when the env supports snapshots); the token travels in the pickle.
    """

    def __init__(
        self,
        url: str | list[str],
        env_id: str,
        num_envs: int,
        *,
        seed: int | None = None,
        token: str | None = None,
        render_mode: str | None = None,
        strict_actions: bool | None = None,
        **kwargs: Any,
    ) -> None:
        group = SessionGroup(url, env_id, num_envs, autoreset_mode="same_step", seed=seed, token=token,
                             strict_actions=strict_actions, kwargs=kwargs)
        self._attach(group, render_mode)

    def _attach(self, group: SessionGroup, render_mode: str | None) -> None:
        if render_mode not in (None, "rgb_array") or (render_mode is not None and not group.render_supported):
            group.close()
            raise ValueError(f"render_mode {render_mode!r} is not supported by {group.env_id} on these servers")
        self.group = group
        self.env_id = group.env_id
        self._render_mode = render_mode
        self._actions: np.ndarray[Any, Any] | None = None
        self._attributes: dict[str, list[Any]] = {}
        super().__init__(group.num_envs, group.single_observation_space, group.single_action_space)

    # ------------------------------------------------------------ the VecEnv interface

    def reset(self) -> Any:
        seeds = None if all(s is None for s in self._seeds) else list(self._seeds)
        options = self._options[0] if any(self._options) else None
        if options is not None and any(o != options for o in self._options):
            raise ValueError("RemoteVecEnv passes one options dict to every env's reset; set_options gave several")
        observations, infos = self.group.reset(seeds, options)
        self.reset_infos = infos
        self._reset_seeds()
        self._reset_options()
        return wire_batch_to_gym(self.observation_space, observations)

    def step_async(self, actions: np.ndarray[Any, Any]) -> None:
        self._actions = actions

    def step_wait(self) -> VecEnvStepReturn:
        if self._actions is None:
            raise RuntimeError("step_wait without step_async")
        actions, self._actions = self._actions, None
        result = self.group.step(gym_batch_to_wire(self.action_space, actions, self.num_envs))
        terminated = np.asarray(result["terminated"], dtype=bool)
        truncated = np.asarray(result["truncated"], dtype=bool)
        dones = terminated | truncated
        infos: list[dict[str, Any]] = []
        for index, done in enumerate(dones):
            if done:
                info = dict(result["final_infos"][index] or {})
                info["terminal_observation"] = wire_single_to_gym(self.observation_space, result["final_observations"][index])
                self.reset_infos[index] = result["infos"][index]
            else:
                info = dict(result["infos"][index])
            info["TimeLimit.truncated"] = bool(truncated[index] and not terminated[index])
            infos.append(info)
        observations = wire_batch_to_gym(self.observation_space, result["observations"])
        return observations, np.asarray(result["rewards"], dtype=np.float32), dones, infos

    def close(self) -> None:
        self.group.close()

    def get_images(self) -> Sequence[np.ndarray[Any, Any] | None]:
        if self._render_mode != "rgb_array":
            return [None] * self.num_envs
        return [np.asarray(self.group.render(i)) for i in range(self.num_envs)]

    # Attributes: the envs are remote, so these answer from what the session describes (render_mode, spaces,
    # env_id, max_episode_steps) plus what set_attr stored; env_method is not available.
    def get_attr(self, attr_name: str, indices: VecEnvIndices = None) -> list[Any]:
        targets = list(self._get_indices(indices))
        if attr_name in self._attributes:
            return [self._attributes[attr_name][i] for i in targets]
        described = {
            "render_mode": self._render_mode,
            "observation_space": self.group.single_observation_space,
            "action_space": self.group.single_action_space,
            "env_id": self.env_id,
            "max_episode_steps": self.group.max_episode_steps,
        }
        if attr_name not in described:
            raise AttributeError(f"RemoteVecEnv envs have no attribute {attr_name!r} on this side of the connection")
        return [described[attr_name] for _ in targets]

    def set_attr(self, attr_name: str, value: Any, indices: VecEnvIndices = None) -> None:
        values = self._attributes.setdefault(attr_name, [None] * self.num_envs)
        for i in self._get_indices(indices):
            values[i] = value

    def env_method(self, method_name: str, *method_args: Any, indices: VecEnvIndices = None, **method_kwargs: Any) -> list[Any]:
        raise AttributeError(f"RemoteVecEnv cannot call {method_name!r}: the envs run on vinegym servers")

    def env_is_wrapped(self, wrapper_class: type, indices: VecEnvIndices = None) -> list[bool]:
        return [False for _ in self._get_indices(indices)]

    # ------------------------------------------------------------ pickling

    def __getstate__(self) -> dict[str, Any]:
        return {"group": self.group.state(), "render_mode": self._render_mode}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self._attach(SessionGroup.from_state(state["group"]), state["render_mode"])
