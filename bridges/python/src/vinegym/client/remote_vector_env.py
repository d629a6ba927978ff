"""`RemoteVectorEnv`: vinegym sessions as a `gymnasium.vector.VectorEnv`, in Gymnasium's NEXT_STEP (default) or
SAME_STEP autoreset mode, over one server or several (one batched session each, see SessionGroup)."""
from __future__ import annotations

from typing import Any

import numpy as np
from gymnasium.vector import AutoresetMode, VectorEnv

from vinegym.client.session_group import SessionGroup
from vinegym.protocol.spaces import batch_wire_space, space_from_wire, space_to_wire
from vinegym.protocol.values import gym_batch_to_wire, wire_batch_to_gym, wire_single_to_gym

_MODES = {"next_step": AutoresetMode.NEXT_STEP, "same_step": AutoresetMode.SAME_STEP}
_MODE_NAMES = {mode: name for name, mode in _MODES.items()}


class RemoteVectorEnv(VectorEnv[Any, Any, Any]):
    """`RemoteVectorEnv("ws://127.0.0.1:8765/v1/ws", "CartPole-v1", num_envs=8, seed=0)`.

    `url` may be a list of servers: the envs are split across them in order. `autoreset_mode` is "next_step"
    (Gymnasium's default) or "same_step", or Gymnasium's `AutoresetMode.NEXT_STEP` / `SAME_STEP` (the terminal observation and info are in `infos["final_obs"]` and
    `infos["final_info"]`, as Gymnasium's SAME_STEP vector envs put them). `strict_actions=True` makes the servers
    reject Box actions outside the bounds. Pickling and deepcopy make new sessions and restore every env's state
    (when the env supports snapshots); the token, if any, travels inside the pickle.
    """

    metadata: dict[str, Any] = {"autoreset_mode": AutoresetMode.NEXT_STEP, "render_modes": []}

    def __init__(
        self,
        url: str | list[str],
        env_id: str,
        num_envs: int,
        *,
        seed: int | None = None,
        token: str | None = None,
        autoreset_mode: str | AutoresetMode = "next_step",
        strict_actions: bool | None = None,
        **kwargs: Any,
    ) -> None:
        autoreset_mode = _MODE_NAMES.get(autoreset_mode, autoreset_mode)  # type: ignore[arg-type]
        if autoreset_mode not in _MODES:
            raise ValueError(f"autoreset_mode must be one of {list(_MODES)}, got {autoreset_mode!r}")
        self._attach(SessionGroup(url, env_id, num_envs, autoreset_mode=autoreset_mode, seed=seed, token=token,
                                  strict_actions=strict_actions, kwargs=kwargs))

    def _attach(self, group: SessionGroup) -> None:
        self.group = group
        self.env_id = group.env_id
        self.num_envs = group.num_envs
        self.single_observation_space = group.single_observation_space
        self.single_action_space = group.single_action_space
        self.observation_space = space_from_wire(batch_wire_space(space_to_wire(self.single_observation_space), self.num_envs))
        self.action_space = space_from_wire(batch_wire_space(space_to_wire(self.single_action_space), self.num_envs))
        self.max_episode_steps = group.max_episode_steps
        self.snapshot_supported = group.snapshot_supported
        self.render_supported = group.render_supported
        self.metadata = {"autoreset_mode": _MODES[group.autoreset_mode], "render_modes": []}
        self.render_mode = None

    def _vector_infos(self, infos: list[dict[str, Any]]) -> dict[str, Any]:
        vector_infos: dict[str, Any] = {}
        for index, info in enumerate(infos):
            vector_infos = self._add_info(vector_infos, info, index)
        return vector_infos

    def reset(
        self, *, seed: int | list[int | None] | None = None, options: dict[str, Any] | None = None
    ) -> tuple[Any, dict[str, Any]]:
        """`seed`: an int (env i gets seed + i, as Gymnasium's vector envs), a list of per-env seeds, or None."""
        seeds = seed if isinstance(seed, list) else None if seed is None else [seed + i for i in range(self.num_envs)]
        observations, infos = self.group.reset(seeds, options)
        return wire_batch_to_gym(self.single_observation_space, observations), self._vector_infos(infos)

    def step(self, actions: Any) -> tuple[Any, Any, Any, Any, dict[str, Any]]:
        result = self.group.step(gym_batch_to_wire(self.single_action_space, actions, self.num_envs))
        infos: dict[str, Any] = {}
        finals = result.get("final_observations")
        for index, info in enumerate(result["infos"]):
            if finals is not None and finals[index] is not None:
                final = {
                    "final_obs": wire_single_to_gym(self.single_observation_space, finals[index]),
                    "final_info": result["final_infos"][index],
                }
                infos = self._add_info(infos, final, index)
            infos = self._add_info(infos, info, index)
        return (
            wire_batch_to_gym(self.single_observation_space, result["observations"]),
            np.asarray(result["rewards"], dtype=np.float64),
            np.asarray(result["terminated"], dtype=np.bool_),
            np.asarray(result["truncated"], dtype=np.bool_),
            infos,
        )

    def snapshot(self, env_indices: list[int] | None = None) -> list[bytes]:
        return self.group.snapshot(list(range(self.num_envs)) if env_indices is None else env_indices)

    def restore(self, env_index: int, snapshot: bytes) -> None:
        self.group.restore(env_index, snapshot)

    def close_extras(self, **kwargs: Any) -> None:
        self.group.close()

    def __getstate__(self) -> dict[str, Any]:
        return {"group": self.group.state(), "closed": self.closed}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.closed = state["closed"]
        self._attach(SessionGroup.from_state(state["group"]))
