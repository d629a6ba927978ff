"""A session (PROTOCOL.md 7.3-7.9, 8): `num_envs` single Gymnasium envs reset and stepped together, with the
time limit, the three autoreset modes, seeding rules, snapshots and rendering implemented here over single envs
(no Gymnasium vector env)."""
from __future__ import annotations

import traceback
from dataclasses import dataclass
from typing import Any

import gymnasium as gym
import numpy as np

from vinegym.protocol.errors import ErrorCode, VinegymError, bad_request, brief, quote
from vinegym.protocol.infos import info_map_to_wire
from vinegym.protocol.spaces import batch_wire_space, space_to_wire
from vinegym.protocol.values import single_to_wire
from vinegym.server.scene import poses_of, scene_of
from vinegym.server.capabilities import EnvCapabilities
from vinegym.server.env_source import EnvSource
from vinegym.server.kwargs import canonical_kwargs
from vinegym.server.observation_batch import ObservationBatch
from vinegym.server.session_rules import EnvStatus, SessionRules
from vinegym.snapshots.envelope import Envelope, open_envelope, seal_envelope
from vinegym.snapshots.strategies import SnapshotStrategy, select_strategy


@dataclass
class EnvSlot:
    env: gym.Env[Any, Any]
    status: EnvStatus = EnvStatus.NEVER_RESET
    elapsed_steps: int = 0
    first_reset_seed: int | None = None


class Session(SessionRules):
    """`index_offset`: the global index of env 0 when this session is one shard of a `ShardedSession` (seeds
    and the env indices in errors are global ones)."""

    def __init__(
        self,
        session_id: str,
        source: EnvSource,
        capabilities: EnvCapabilities,
        kwargs: dict[str, Any],
        num_envs: int,
        seed: int | None,
        autoreset_mode: str,
        snapshot_key: bytes,
        index_offset: int = 0,
        strict_actions: bool = False,
    ) -> None:
        self.session_id = session_id
        self.env_id = source.env_id
        self.index_offset = index_offset
        self.source = source
        self.capabilities = capabilities
        self.kwargs = kwargs
        self.kwargs_key = canonical_kwargs(kwargs)
        self.max_episode_steps = source.episode_limit(kwargs)
        self.num_envs = num_envs
        self.autoreset_mode = autoreset_mode
        self.strict_actions = strict_actions
        self.broken_reason: str | None = None
        render_mode = "rgb_array" if capabilities.render_supported else None
        self.slots: list[EnvSlot] = []
        try:
            for i in range(num_envs):
                env = source.make(kwargs, render_mode)
                self.slots.append(EnvSlot(env, first_reset_seed=None if seed is None else seed + index_offset + i))
            first = self.slots[0].env
            self.snapshot_strategy: SnapshotStrategy | None = (
                select_strategy(first, snapshot_key) if capabilities.snapshot_supported else None
            )
            if self.snapshot_strategy is not None:
                for slot in self.slots:
                    slot.env = self.snapshot_strategy.prepare(slot.env)
            self.single_observation_space = first.observation_space
            self.single_action_space = first.action_space
            self.wire_observation_space = space_to_wire(first.observation_space)
            self.wire_action_space = space_to_wire(first.action_space)
        except VinegymError:
            # Kwargs that do not fit the env (wrappers.py) say so with their own code and key.
            self.close()
            raise
        except Exception as error:
            self.close()
            raise VinegymError(ErrorCode.ENV_ERROR, f"creating {source.env_id} failed: {brief(error)}") from error

    # ------------------------------------------------------------ descriptions

    def describe(self) -> dict[str, Any]:
        return {
            "session_id": self.session_id,
            "env_id": self.source.env_id,
            "num_envs": self.num_envs,
            "autoreset_mode": self.autoreset_mode,
            "single_observation_space": self.wire_observation_space,
            "single_action_space": self.wire_action_space,
            "observation_space": batch_wire_space(self.wire_observation_space, self.num_envs),
            "action_space": batch_wire_space(self.wire_action_space, self.num_envs),
            "max_episode_steps": self.max_episode_steps,
            "snapshot_supported": self.capabilities.snapshot_supported,
            "render_supported": self.capabilities.render_supported,
            "strict_actions": self.strict_actions,
            # Sent by servers with the render:scene capability, last (PROTOCOL.md 7.3); absent means what it did.
            **({"render_modes": self.capabilities.render_modes} if self.capabilities.scene_supported else {}),
        }

    # ------------------------------------------------------------ helpers

    def _env_failed(self, what: str, index: int, error: BaseException) -> VinegymError:
        """Marks the session broken and returns the ENV_ERROR to raise."""
        index += self.index_offset
        self.broken_reason = f"{what} of env {index} raised {type(error).__name__}"
        traceback.print_exception(error)
        return VinegymError(
            ErrorCode.ENV_ERROR, f"{what} of env {index} failed: {type(error).__name__}: {brief(error)}",
            {"env_index": index},
        )

    def _reset_slot(self, index: int, seed: int | None, options: dict[str, Any] | None) -> tuple[Any, Any]:
        """Resets one env: its observation (as the env returned it) and its info as a wire value."""
        slot = self.slots[index]
        if seed is None and slot.first_reset_seed is not None:
            seed = slot.first_reset_seed
        try:
            observation, info = slot.env.reset(seed=seed, options=options)
        except Exception as error:
            raise self._env_failed("reset", index, error) from error
        slot.first_reset_seed = None
        slot.status = EnvStatus.RUNNING
        slot.elapsed_steps = 0
        return observation, info_map_to_wire(info)

    # ------------------------------------------------------------ requests

    def reset(
        self,
        env_indices: list[int] | None,
        seed: int | None,
        seeds: list[int | None] | None,
        options: dict[str, Any] | None,
    ) -> dict[str, Any]:
        indices = self._reset_indices(env_indices, seed, seeds)
        observations = ObservationBatch(self.single_observation_space, len(indices))
        infos: list[dict[str, Any]] = []
        for position, index in enumerate(indices):
            if seed is not None:
                env_seed: int | None = seed + self.index_offset + index
            else:
                env_seed = seeds[position] if seeds is not None else None
            observation, info = self._reset_slot(index, env_seed, options)
            observations.put(position, observation)
            infos.append(info)
        return {"env_indices": indices, "observations": observations.wire(), "infos": infos}

    def statuses(self) -> list[EnvStatus]:
        return [slot.status for slot in self.slots]

    def step(self, actions: Any) -> dict[str, Any]:
        return self.step_checked(self._step_actions(self.statuses(), actions))

    def step_checked(self, env_actions: list[Any]) -> dict[str, Any]:
        """Steps with one action per env, after `_step_actions` accepted the batch (here or in the process that
        shards this session)."""
        n = self.num_envs
        same_step = self.autoreset_mode == "same_step"
        observations = ObservationBatch(self.single_observation_space, n)
        rewards = np.zeros(n, dtype=np.float64)
        terminated = np.zeros(n, dtype=np.bool_)
        truncated = np.zeros(n, dtype=np.bool_)
        autoreset = np.zeros(n, dtype=np.bool_)
        infos: list[dict[str, Any]] = []
        final_observations: list[Any] = [None] * n
        final_infos: list[dict[str, Any] | None] = [None] * n
        limit = self.max_episode_steps
        for index, slot in enumerate(self.slots):
            if slot.status is EnvStatus.ENDED:  # next_step mode: reset instead of stepping
                observation, info = self._reset_slot(index, None, None)
                observations.put(index, observation)
                infos.append(info)
                autoreset[index] = self.autoreset_mode == "next_step"
                continue
            try:
                observation, reward, term, trunc, info = slot.env.step(env_actions[index])
            except Exception as error:
                raise self._env_failed("step", index, error) from error
            slot.elapsed_steps += 1
            if limit is not None and slot.elapsed_steps >= limit:
                trunc = True
            rewards[index] = reward
            terminated[index] = term
            truncated[index] = trunc
            wire_info = info_map_to_wire(info)
            if term or trunc:
                slot.status = EnvStatus.ENDED
                if same_step:
                    final_observations[index] = single_to_wire(self.single_observation_space, observation)
                    final_infos[index] = wire_info
                    observation, wire_info = self._reset_slot(index, None, None)
            observations.put(index, observation)
            infos.append(wire_info)
        result: dict[str, Any] = {
            "observations": observations.wire(),
            "rewards": rewards,
            "terminated": terminated,
            "truncated": truncated,
            "autoreset": autoreset,
            "infos": infos,
        }
        if same_step:
            result["final_observations"] = final_observations
            result["final_infos"] = final_infos
        return result

    def _strategy(self) -> SnapshotStrategy:
        assert self.snapshot_strategy is not None  # capabilities.snapshot_supported, checked by the caller
        return self.snapshot_strategy

    def snapshot(self, env_indices: list[int]) -> dict[str, Any]:
        self._check_snapshot_request(env_indices)
        strategy = self._strategy()
        snapshots: list[bytes] = []
        for index in env_indices:
            slot = self.slots[index]
            try:
                payload = strategy.capture(slot.env)
            except Exception as error:
                raise self._env_failed("snapshot", index, error) from error
            snapshots.append(seal_envelope(Envelope(
                env_id=self.source.env_id,
                kwargs=self.kwargs_key,
                strategy=strategy.name,
                status=slot.status.value,
                elapsed_steps=slot.elapsed_steps,
                payload=payload,
            )))
        return {"snapshots": snapshots}

    def restore(self, env_index: int, snapshot: bytes) -> dict[str, Any]:
        self._check_snapshot_request([env_index])
        strategy = self._strategy()
        try:
            envelope = open_envelope(snapshot)
            status = EnvStatus(envelope.status)
        except ValueError as error:
            raise bad_request(f"not a valid snapshot: {brief(error)}") from None
        if envelope.env_id != self.source.env_id:
            raise bad_request(f"snapshot is of env {quote(envelope.env_id)}, this session runs {self.source.env_id}")
        if envelope.kwargs != self.kwargs_key:
            raise bad_request(f"snapshot kwargs {quote(envelope.kwargs)} differ from this session's {self.kwargs_key}")
        if envelope.strategy != strategy.name:
            raise bad_request(
                f"snapshot was taken with {quote(envelope.strategy)}, this session uses {strategy.name}"
            )
        slot = self.slots[env_index]
        try:
            slot.env = strategy.apply(slot.env, envelope.payload)
        except ValueError as error:  # payload rejected before the env was touched
            raise bad_request(f"snapshot payload rejected: {brief(error)}") from None
        except Exception as error:
            raise self._env_failed("restore", env_index, error) from error
        slot.status = status
        slot.elapsed_steps = envelope.elapsed_steps
        if status is not EnvStatus.NEVER_RESET:
            slot.first_reset_seed = None
        return {}

    def render(self, env_index: int, mode: str = "rgb_array") -> dict[str, Any]:
        self._check_render_request(env_index, mode)
        env = self.slots[env_index].env
        try:
            if mode == "scene":
                return {"scene": scene_of(env), "poses": poses_of(env)}
            if mode == "poses":
                return {"poses": poses_of(env)}
            frame = env.render()
        except Exception as error:
            raise VinegymError(ErrorCode.ENV_ERROR, f"render failed: {type(error).__name__}: {brief(error)}") from error
        return {"frame": np.ascontiguousarray(frame, dtype=np.uint8)}

    def close(self) -> None:
        for slot in self.slots:
            try:
                slot.env.close()
            except Exception:
                traceback.print_exc()
        self.slots = []
