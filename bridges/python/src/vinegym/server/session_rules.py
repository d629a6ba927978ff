"""The protocol's rules for a session that need no env (PROTOCOL.md 7.3-7.9, 8): usability after an env error,
index ranges, capabilities, which envs may step, and the action batch's validity. Shared by `Session` (the envs
in this process) and `ShardedSession` (the envs split across worker processes), which must check them
identically and before any env is touched."""
from __future__ import annotations

from enum import Enum
from typing import Any

from gymnasium import spaces

from vinegym.protocol.errors import ErrorCode, VinegymError, bad_request
from vinegym.protocol.values import InvalidValueError, split_wire_batch
from vinegym.server.capabilities import EnvCapabilities

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

    def _check_snapshot_request(self, env_indices: list[int]) -> None:
        """What snapshot and restore check before touching an env: usable, supported, indices in range."""
        self._check_usable()
        if not self.capabilities.snapshot_supported:
            raise VinegymError(
                ErrorCode.NOT_SUPPORTED,
                f"env {self.env_id} does not support snapshot/restore: {self.capabilities.snapshot_problem}",
            )
        for index in env_indices:
            self._check_index(index)

    def _check_render_request(self, env_index: int) -> None:
        self._check_usable()
        if not self.capabilities.render_supported:
            raise VinegymError(
                ErrorCode.NOT_SUPPORTED, f"env {self.env_id} cannot render: {self.capabilities.render_problem}"
            )
        self._check_index(env_index)

    def _reset_indices(self, env_indices: list[int] | None, seeds: list[int | None] | None) -> list[int]:
        """The envs a reset request names (all when `env_indices` is absent), checked."""
        self._check_usable()
        indices = list(range(self.num_envs)) if env_indices is None else env_indices
        for position, index in enumerate(indices):
            self._check_index(index)
            if position > 0 and index <= indices[position - 1]:
                raise bad_request("env_indices must be strictly increasing")
        if seeds is not None and len(seeds) != len(indices):
            raise bad_request(f"seeds must have one entry per reset env ({len(indices)}), got {len(seeds)}")
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
