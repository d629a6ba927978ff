"""`RemoteVectorEnv`: a vinegym session as a `gymnasium.vector.VectorEnv` with NEXT_STEP autoreset, the
server's default mode and Gymnasium's."""
from __future__ import annotations

from typing import Any

import numpy as np
from gymnasium.vector import AutoresetMode, VectorEnv

from vinegym.client.connection import VinegymClient
from vinegym.protocol.spaces import space_from_wire
from vinegym.protocol.values import gym_batch_to_wire, wire_batch_to_gym


class RemoteVectorEnv(VectorEnv[Any, Any, Any]):
    """`RemoteVectorEnv("ws://127.0.0.1:8765/v1/ws", "CartPole-v1", num_envs=8, seed=0)`."""

    def __init__(
        self,
        url: str,
        env_id: str,
        num_envs: int,
        *,
        seed: int | None = None,
        token: str | None = None,
        client: VinegymClient | None = None,
        **kwargs: Any,
    ) -> None:
        self._owns_client = client is None
        self.client = client if client is not None else VinegymClient(url, token=token)
        made = self.client.make(env_id, kwargs=kwargs or None, num_envs=num_envs, seed=seed, autoreset_mode="next_step")
        self.session_id: str | None = made["session_id"]
        self.env_id = env_id
        self.num_envs = num_envs
        self.single_observation_space = space_from_wire(made["single_observation_space"])
        self.single_action_space = space_from_wire(made["single_action_space"])
        self.observation_space = space_from_wire(made["observation_space"])
        self.action_space = space_from_wire(made["action_space"])
        self.max_episode_steps: int | None = made["max_episode_steps"]
        self.snapshot_supported: bool = made["snapshot_supported"]
        self.render_supported: bool = made["render_supported"]
        self.metadata = {"autoreset_mode": AutoresetMode.NEXT_STEP, "render_modes": []}
        self.render_mode = None

    def _session(self) -> str:
        if self.session_id is None:
            raise RuntimeError("RemoteVectorEnv is closed")
        return self.session_id

    def _vector_infos(self, infos: list[dict[str, Any]], indices: list[int] | None = None) -> dict[str, Any]:
        vector_infos: dict[str, Any] = {}
        for position, info in enumerate(infos):
            vector_infos = self._add_info(vector_infos, info, indices[position] if indices else position)
        return vector_infos

    def reset(
        self, *, seed: int | list[int | None] | None = None, options: dict[str, Any] | None = None
    ) -> tuple[Any, dict[str, Any]]:
        if isinstance(seed, list):
            result = self.client.reset(self._session(), seeds=seed, options=options)
        else:
            result = self.client.reset(self._session(), seed=seed, options=options)
        observations = wire_batch_to_gym(self.single_observation_space, result["observations"])
        return observations, self._vector_infos(result["infos"])

    def step(self, actions: Any) -> tuple[Any, Any, Any, Any, dict[str, Any]]:
        wire_actions = gym_batch_to_wire(self.single_action_space, actions, self.num_envs)
        result = self.client.step(self._session(), wire_actions)
        return (
            wire_batch_to_gym(self.single_observation_space, result["observations"]),
            np.asarray(result["rewards"], dtype=np.float64),
            np.asarray(result["terminated"], dtype=np.bool_),
            np.asarray(result["truncated"], dtype=np.bool_),
            self._vector_infos(result["infos"]),
        )

    def snapshot(self, env_indices: list[int] | None = None) -> list[bytes]:
        indices = list(range(self.num_envs)) if env_indices is None else env_indices
        return self.client.snapshot(self._session(), indices)

    def restore(self, env_index: int, snapshot: bytes) -> None:
        self.client.restore(self._session(), env_index, snapshot)

    def close_extras(self, **kwargs: Any) -> None:
        if self.session_id is not None:
            session_id, self.session_id = self.session_id, None
            try:
                self.client.close_session(session_id)
            except (ConnectionError, OSError):
                pass
        if self._owns_client:
            self.client.close()
