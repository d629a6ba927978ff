"""`SessionGroup`: `num_envs` envs of one env id as one batched session per server, stepped together.

Env indices run across the servers in order: with urls [a, b] and 8 envs, a holds envs 0..3 and b envs 4..7 (the
first servers take one more when the split is uneven). Each request goes to every server at once (the client
pipelines), so a step costs one round trip to the slowest server. RemoteVectorEnv and the SB3 RemoteVecEnv are
built on it, and so is their pickling: `state()` holds what makes the sessions again plus a snapshot of every env
(when the env supports snapshots), `from_state()` makes them on fresh connections and restores the snapshots.
"""
from __future__ import annotations

from concurrent.futures import Future
from typing import Any

import numpy as np
from gymnasium import spaces

from vinegym.client.connection import VinegymClient
from vinegym.protocol.errors import VinegymError
from vinegym.protocol.spaces import space_from_wire
from vinegym.protocol.values import concat_wire_batches


def split_sizes(num_envs: int, parts: int) -> list[int]:
    """`num_envs` split into `parts` contiguous slices, the first ones one larger when uneven; no empty slice."""
    if num_envs < parts:
        raise ValueError(f"num_envs ({num_envs}) must be at least the number of servers ({parts})")
    base, extra = divmod(num_envs, parts)
    return [base + (1 if k < extra else 0) for k in range(parts)]


def slice_wire_batch(space: spaces.Space[Any], batch: Any, start: int, stop: int) -> Any:
    """Rows [start, stop) of a wire batch."""
    if isinstance(space, spaces.Dict):
        return {key: slice_wire_batch(member, batch[key], start, stop) for key, member in space.spaces.items()}
    if isinstance(space, spaces.Tuple):
        return [slice_wire_batch(member, item, start, stop) for member, item in zip(space.spaces, batch)]
    return batch[start:stop]


class SessionGroup:
    def __init__(
        self,
        urls: str | list[str],
        env_id: str,
        num_envs: int,
        *,
        autoreset_mode: str,
        seed: int | None = None,
        token: str | None = None,
        strict_actions: bool | None = None,
        kwargs: dict[str, Any] | None = None,
    ) -> None:
        self.urls = [urls] if isinstance(urls, str) else list(urls)
        if not self.urls:
            raise ValueError("at least one server url is needed")
        self.env_id = env_id
        self.num_envs = num_envs
        self.autoreset_mode = autoreset_mode
        self.token = token
        self.strict_actions = strict_actions
        self.kwargs = dict(kwargs or {})
        self.sizes = split_sizes(num_envs, len(self.urls))
        self.offsets = [sum(self.sizes[:k]) for k in range(len(self.sizes))]
        self.clients: list[VinegymClient] = []
        self.session_ids: list[str] = []
        try:
            for url in self.urls:
                self.clients.append(VinegymClient(url, token=token))
            made = self._all(
                "make",
                [
                    self._make_body(size, None if seed is None else seed + offset)
                    for size, offset in zip(self.sizes, self.offsets)
                ],
            )
        except BaseException:
            self.close()
            raise
        self.session_ids = [m["session_id"] for m in made]
        first = made[0]
        self.single_observation_space = space_from_wire(first["single_observation_space"])
        self.single_action_space = space_from_wire(first["single_action_space"])
        self.max_episode_steps: int | None = first["max_episode_steps"]
        self.snapshot_supported = all(m["snapshot_supported"] for m in made)
        self.render_supported = all(m["render_supported"] for m in made)
        for url, m in zip(self.urls, made):
            if space_from_wire(m["single_observation_space"]) != self.single_observation_space or space_from_wire(
                m["single_action_space"]
            ) != self.single_action_space:
                self.close()
                raise ValueError(f"{url} serves {env_id} with other spaces than {self.urls[0]}")

    def _make_body(self, size: int, seed: int | None) -> dict[str, Any]:
        body: dict[str, Any] = {"env_id": self.env_id, "num_envs": size, "autoreset_mode": self.autoreset_mode}
        if self.kwargs:
            body["kwargs"] = self.kwargs
        if seed is not None:
            body["seed"] = seed
        if self.strict_actions is not None:
            body["strict_actions"] = self.strict_actions
        return body

    def _all(self, request_type: str, bodies: list[dict[str, Any] | None]) -> list[dict[str, Any]]:
        """Sends one request per server (None: none to that server) at once and waits for all of them."""
        futures: list[Future[dict[str, Any]] | None] = [
            None if body is None else client.request_async(request_type, body) for client, body in zip(self.clients, bodies)
        ]
        return [{} if future is None else future.result(timeout=client.timeout) for client, future in zip(self.clients, futures)]

    def _locate(self, index: int) -> tuple[int, int]:
        """(server, index in its session) of env `index`."""
        for k in reversed(range(len(self.offsets))):
            if index >= self.offsets[k]:
                return k, index - self.offsets[k]
        raise IndexError(index)

    # ------------------------------------------------------------ requests

    def reset(
        self, seeds: list[int | None] | None = None, options: dict[str, Any] | None = None
    ) -> tuple[Any, list[dict[str, Any]]]:
        """Resets every env; `seeds[i]` (None keeps env i's generator) or None for all. Wire observations, infos."""
        bodies: list[dict[str, Any] | None] = []
        for k, session_id in enumerate(self.session_ids):
            body: dict[str, Any] = {"session_id": session_id}
            if seeds is not None:
                body["seeds"] = seeds[self.offsets[k] : self.offsets[k] + self.sizes[k]]
            if options is not None:
                body["options"] = options
            bodies.append(body)
        results = self._all("reset", bodies)
        observations = concat_wire_batches(self.single_observation_space, [r["observations"] for r in results])
        return observations, [info for r in results for info in r["infos"]]

    def step(self, actions: Any) -> dict[str, Any]:
        """One step of every env with a wire batch of actions; the servers' results joined along the env axis."""
        bodies: list[dict[str, Any] | None] = [
            {"session_id": session_id, "actions": slice_wire_batch(self.single_action_space, actions, offset, offset + size)}
            for session_id, offset, size in zip(self.session_ids, self.offsets, self.sizes)
        ]
        results = self._all("step", bodies)
        if len(results) == 1:
            return results[0]
        joined: dict[str, Any] = {
            "observations": concat_wire_batches(self.single_observation_space, [r["observations"] for r in results])
        }
        for key in ("rewards", "terminated", "truncated", "autoreset"):
            joined[key] = np.concatenate([np.asarray(r[key]) for r in results])
        for key in ("infos", "final_observations", "final_infos"):
            if key in results[0]:
                joined[key] = [item for r in results for item in r[key]]
        return joined

    def snapshot(self, env_indices: list[int]) -> list[bytes]:
        out: list[bytes] = []
        for index in env_indices:
            k, local = self._locate(index)
            out.extend(self.clients[k].snapshot(self.session_ids[k], [local]))
        return out

    def restore(self, env_index: int, snapshot: bytes) -> None:
        k, local = self._locate(env_index)
        self.clients[k].restore(self.session_ids[k], local, snapshot)

    def render(self, env_index: int) -> Any:
        k, local = self._locate(env_index)
        return self.clients[k].render(self.session_ids[k], local)

    def close(self) -> None:
        for client, session_id in zip(self.clients, self.session_ids):
            try:
                client.close_session(session_id)
            except (ConnectionError, OSError, VinegymError):
                pass
        for client in self.clients:
            try:
                client.close()
            except (ConnectionError, OSError):
                pass
        self.clients, self.session_ids = [], []

    @property
    def closed(self) -> bool:
        return not self.session_ids

    # ------------------------------------------------------------ pickling

    def state(self) -> dict[str, Any]:
        """What `from_state` needs: the make arguments and, where snapshots work, every env's snapshot."""
        snapshots = None
        if self.snapshot_supported and not self.closed:
            try:
                snapshots = self.snapshot(list(range(self.num_envs)))
            except VinegymError:
                snapshots = None
        return {
            "urls": self.urls, "env_id": self.env_id, "num_envs": self.num_envs, "autoreset_mode": self.autoreset_mode,
            "token": self.token, "strict_actions": self.strict_actions, "kwargs": self.kwargs, "snapshots": snapshots,
        }

    @classmethod
    def from_state(cls, state: dict[str, Any]) -> SessionGroup:
        group = cls(
            state["urls"], state["env_id"], state["num_envs"], autoreset_mode=state["autoreset_mode"],
            token=state["token"], strict_actions=state["strict_actions"], kwargs=state["kwargs"],
        )
        for index, snapshot in enumerate(state["snapshots"] or []):
            group.restore(index, snapshot)
        return group
