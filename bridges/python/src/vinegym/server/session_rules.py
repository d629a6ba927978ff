"""The protocol's rules for a session that need no env (PROTOCOL.md 7.3-7.9, 8): usability after an env error,
index ranges, capabilities, which envs may step, and the action batch's validity. Shared by `Session` (the envs
in this process) and `ShardedSession` (the envs split across worker processes), which must check them
identically and before any env is touched."""
from __future__ import annotations

from enum import Enum
from typing import Any

from gymnasium import spaces

from vinegym.protocol.errors import ErrorCode, VinegymError, bad_request
from vinegym.protocol.ndarray import MAX_SAFE_INTEGER
from vinegym.protocol.values import InvalidValueError, split_wire_batch
from vinegym.server.capabilities import EnvCapabilities

def check_derived_seed(seed: int, largest_index: int) -> None:
    """`seed + i` seeds env i; every such seed must be below 2^53 (PROTOCOL.md 8.1)."""
    if seed + largest_index >= MAX_SAFE_INTEGER:
        raise bad_request(
            f"seed {seed} + env index {largest_index} is not below 2^53 (seeds are integers in [0, 2^53))",
            {"field": "seed"},
        )


class EnvStatus(str, Enum):
    NEVER_RESET = "never_reset"
    RUNNING = "running"
    ENDED = "ended"  # the last step ended the episode (next_step: reset pending; disabled: must reset)


class SessionRules:
    session_id: str
    env_id: str
    capabilities: EnvCapabilities
    num_envs: int
    autoreset_mode: str
    strict_actions: bool
    broken_reason: str | None
    single_action_space: spaces.Space[Any]

    def _check_usable(self) -> None:
        if self.broken_reason is not None:
            raise VinegymError(
                ErrorCode.ENV_ERROR,
                f"session {self.session_id} is unusable after an env error ({self.broken_reason}); close it",
            )

    def _check_index(self, index: int, name: str = "env_index") -> None:
        if not 0 <= index < self.num_envs:
            raise bad_request(f"{name} {index} is out of range [0, {self.num_envs})", {"env_index": index})

    def statuses(self) -> list[EnvStatus]:
        raise NotImplementedError

    def _check_snapshot_request(self, env_indices: list[int]) -> None:
        """What snapshot and restore check before touching an env: usable, supported, at most num_envs indices,
        each in range (repeats allowed, PROTOCOL.md 7.6)."""
        self._check_usable()
        if not self.capabilities.snapshot_supported:
            raise VinegymError(
                ErrorCode.NOT_SUPPORTED,
                f"env {self.env_id} does not support snapshot/restore: {self.capabilities.snapshot_problem}",
            )
        if len(env_indices) > self.num_envs:
            raise bad_request(f"env_indices has {len(env_indices)} entries; the session has {self.num_envs} envs")
        for index in env_indices:
            self._check_index(index)

    def _check_render_request(self, env_index: int) -> None:
        self._check_usable()
        if not self.capabilities.render_supported:
            raise VinegymError(
                ErrorCode.NOT_SUPPORTED, f"env {self.env_id} cannot render: {self.capabilities.render_problem}"
            )
        self._check_index(env_index)
        if self.statuses()[env_index] is EnvStatus.NEVER_RESET:
            raise bad_request(
                f"env {env_index} has not been reset; call reset before render", {"env_index": env_index}
            )

    def _reset_indices(
        self, env_indices: list[int] | None, seed: int | None, seeds: list[int | None] | None
    ) -> list[int]:
        """The envs a reset request names (all when `env_indices` is absent), checked: strictly increasing (so at
        most num_envs of them), one seed each, derived seeds below 2^53 (PROTOCOL.md 7.4, 8.1)."""
        self._check_usable()
        indices = list(range(self.num_envs)) if env_indices is None else env_indices
        if len(indices) > self.num_envs:
            raise bad_request(f"env_indices has {len(indices)} entries; the session has {self.num_envs} envs")
        for position, index in enumerate(indices):
            self._check_index(index)
            if position > 0 and index <= indices[position - 1]:
                raise bad_request("env_indices must be strictly increasing")
        if seeds is not None and len(seeds) != len(indices):
            raise bad_request(f"seeds must have one entry per reset env ({len(indices)}), got {len(seeds)}")
        if seed is not None and indices:
            check_derived_seed(seed, indices[-1])
        return indices

    def _step_actions(self, statuses: list[EnvStatus], actions: Any) -> list[Any]:
        """Checks that every env may step and that `actions` is a valid batch; the single envs' actions."""
        self._check_usable()
        for index, status in enumerate(statuses):
            if status is EnvStatus.NEVER_RESET:
                raise bad_request(f"env {index} has not been reset; call reset before step", {"env_index": index})
            if status is EnvStatus.ENDED and self.autoreset_mode == "disabled":
                raise bad_request(
                    f"env {index} episode has ended; reset it (autoreset_mode is disabled)", {"env_index": index}
                )
        try:
            return split_wire_batch(self.single_action_space, actions, self.num_envs, box_bounds=self.strict_actions)
        except InvalidValueError as error:
            details = {"env_index": error.env_index} if error.env_index is not None else None
            raise VinegymError(ErrorCode.INVALID_ACTION, str(error), details) from None
