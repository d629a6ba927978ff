"""`RemoteEnv`: one env of a vinegym server as a `gymnasium.Env` (a session of num_envs=1, autoreset disabled,
so reset/step behave like a local env wrapped in TimeLimit; stepping past the end of an episode raises
BAD_REQUEST where a local env would warn, see PROTOCOL.md 8.3)."""
from __future__ import annotations

from typing import Any, SupportsFloat

import gymnasium as gym
import numpy as np
from gymnasium.envs.registration import EnvSpec

from vinegym.client.connection import VinegymClient
from vinegym.protocol.errors import VinegymError
from vinegym.protocol.spaces import space_from_wire
from vinegym.protocol.values import stack_to_wire, wire_batch_row
from vinegym.registration import RENDER_FPS, registered_id


class RemoteEnv(gym.Env[Any, Any]):
    """`RemoteEnv("ws://127.0.0.1:8765/v1/ws", "CartPole-v1", sutton_barto_reward=True)`, or through Gymnasium's
    registry: `gym.make("vinegym/CartPole-v1", url=...)` (see `vinegym.registration`).

    `render_mode="rgb_array"` renders on the server. `snapshot()` / `restore(bytes)` use the server's snapshots.
    `strict_actions=True` makes the server reject Box actions outside the bounds (PROTOCOL.md 8.6). Pickling and
    deepcopy open a new connection and session and restore the env's state there (when the env supports
    snapshots); the token, if any, travels inside the pickle.
    """

    # Class-level, as Gymnasium's make and checkers read it; render_fps is set per env id on the instance.
    metadata: dict[str, Any] = {"render_modes": ["rgb_array"], "render_fps": 30}

    def __init__(
        self,
        url: str,
        env_id: str,
        *,
        render_mode: str | None = None,
        token: str | None = None,
        client: VinegymClient | None = None,
        strict_actions: bool | None = None,
        **kwargs: Any,
    ) -> None:
        self._owns_client = client is None
        self.client = client if client is not None else VinegymClient(url, token=token)
        self.url = url
        self.token = token
        self.env_id = env_id
        self.kwargs = kwargs
        self.strict_actions = strict_actions
        made = self.client.make(
            env_id, kwargs=kwargs or None, num_envs=1, autoreset_mode="disabled", strict_actions=strict_actions
        )
        self.session_id: str | None = made["session_id"]
        self.observation_space = space_from_wire(made["single_observation_space"])
        self.action_space = space_from_wire(made["single_action_space"])
        self.max_episode_steps: int | None = made["max_episode_steps"]
        self.snapshot_supported: bool = made["snapshot_supported"]
        self.render_supported: bool = made["render_supported"]
        self.metadata = {**type(self).metadata, "render_fps": RENDER_FPS.get(env_id, type(self).metadata["render_fps"])}
        if not self.render_supported:
            self.metadata["render_modes"] = []
        if render_mode is not None and render_mode not in self.metadata["render_modes"]:
            self.close()
            raise ValueError(f"render_mode {render_mode!r} is not supported by {env_id} on this server")
        self.render_mode = render_mode
        # gym.make replaces this with the registered spec; a RemoteEnv made directly describes itself.
        self.spec = EnvSpec(
            id=registered_id(env_id),
            entry_point="vinegym.client.remote_env:RemoteEnv",
            max_episode_steps=self.max_episode_steps,
            kwargs={"url": url, "env_id": env_id, **kwargs},
        )

    def _session(self) -> str:
        if self.session_id is None:
            raise RuntimeError("RemoteEnv is closed")
        return self.session_id

    def reset(self, *, seed: int | None = None, options: dict[str, Any] | None = None) -> tuple[Any, dict[str, Any]]:
        super().reset(seed=seed)
        result = self.client.reset(
            self._session(), seeds=[seed] if seed is not None else None, options=options
        )
        return wire_batch_row(self.observation_space, result["observations"], 0), result["infos"][0]

    def step(self, action: Any) -> tuple[Any, SupportsFloat, bool, bool, dict[str, Any]]:
        actions = stack_to_wire(self.action_space, [action])
        result = self.client.step(self._session(), actions)
        observation = wire_batch_row(self.observation_space, result["observations"], 0)
        return (
            observation,
            float(result["rewards"][0]),
            bool(result["terminated"][0]),
            bool(result["truncated"][0]),
            result["infos"][0],
        )

    def render(self) -> np.ndarray[Any, Any] | None:  # type: ignore[override]
        if self.render_mode != "rgb_array":
            return None
        frame: np.ndarray[Any, Any] = self.client.render(self._session(), 0)
        return frame

    def snapshot(self) -> bytes:
        return self.client.snapshot(self._session(), [0])[0]

    def restore(self, snapshot: bytes) -> None:
        self.client.restore(self._session(), 0, snapshot)

    def close(self) -> None:
        if self.session_id is not None:
            session_id, self.session_id = self.session_id, None
            try:
                self.client.close_session(session_id)
            except (ConnectionError, OSError):
                pass
        if self._owns_client:
            self.client.close()
        super().close()

    def __getstate__(self) -> dict[str, Any]:
        snapshot = None
        if self.snapshot_supported and self.session_id is not None:
            try:
                snapshot = self.snapshot()
            except VinegymError:
                snapshot = None
        return {
            "url": self.client.url, "env_id": self.env_id, "render_mode": self.render_mode, "token": self.token,
            "strict_actions": self.strict_actions, "kwargs": self.kwargs, "snapshot": snapshot, "spec": self.spec,
            "np_random": self._np_random,
        }

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__init__(  # type: ignore[misc]
            state["url"], state["env_id"], render_mode=state["render_mode"], token=state["token"],
            strict_actions=state["strict_actions"], **state["kwargs"],
        )
        self.spec = state["spec"]
        self._np_random = state["np_random"]
        if state["snapshot"] is not None:
            self.restore(state["snapshot"])
