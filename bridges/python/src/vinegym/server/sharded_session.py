"""A session whose envs are split across N processes (`vinegym-bridge serve --workers N`), so that a session of
many envs steps on several cores: Gymnasium's MuJoCo and ALE envs hold the GIL while they step, so threads would
not help.

The envs are split into N shards of contiguous envs, each an ordinary `Session` that knows its first env's global
index (seeds and the env indices in its errors are global). The server process steps the first shard itself and
N - 1 worker processes the others (shard_worker.py), all at once; their answers are joined in env order.
Requests are checked here against the same rules (`SessionRules`) before any shard sees them, using the env
statuses that every shard reply carries, so a request is refused whole or carried out by every shard it
concerns, as in one process. An env error in any shard, or a worker process that dies, makes the whole session
unusable (ENV_ERROR), as an env error does in one process.

Workers are forked from multiprocessing's fork server (a clean single-threaded process that has imported
shard_worker.py), not from the server process with its threads, and are ended when the session is closed.
"""
from __future__ import annotations

import itertools
import multiprocessing
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from typing import Any

import numpy as np

from vinegym.protocol.errors import ErrorCode, VinegymError
from vinegym.protocol.spaces import batch_wire_space
from vinegym.protocol.values import concat_wire_batches
from vinegym.server.capabilities import EnvCapabilities
from vinegym.server.env_recipe import EnvRecipe
from vinegym.server.env_source import EnvSource
from vinegym.server.observation_batch import ObservationBatch
from vinegym.server.session import Session
from vinegym.server.session_rules import EnvStatus, SessionRules
from vinegym.server.shard_worker import call_shard, serve_shard

_CONTEXT = multiprocessing.get_context("forkserver")
_CONTEXT.set_forkserver_preload(["vinegym.server.shard_worker"])
CLOSE_TIMEOUT_S = 5.0


def shard_sizes(num_envs: int, workers: int) -> list[int]:
    """Envs per shard: as even as possible, the larger shards first, no empty shard."""
    count = min(workers, num_envs)
    base, extra = divmod(num_envs, count)
    return [base + 1] * extra + [base] * (count - extra)


Message = tuple[str, tuple[Any, ...]]


@dataclass
class _Shard:
    """One shard. `start` hands it a call, `finish` returns its reply (see shard_worker.py): remote shards work
    between the two, so every shard is started before any is finished."""

    offset: int
    size: int
    statuses: list[EnvStatus] = field(default_factory=list)

    def owns(self, index: int) -> bool:
        return self.offset <= index < self.offset + self.size


@dataclass
class _LocalShard(_Shard):
    session: Session | None = None
    _pending: Message | None = None

    def start(self, message: Message | None) -> None:
        self._pending = message

    def finish(self) -> tuple[Any, ...]:
        assert self.session is not None and self._pending is not None
        method, args = self._pending
        return call_shard(self.session, method, args)

    def close(self) -> None:
        if self.session is not None:
            self.session.close()


@dataclass
class _WorkerShard(_Shard):
    process: BaseProcess | None = None
    pipe: Connection | None = None

    def start(self, message: Message | None) -> None:
        """OSError when the worker is gone."""
        assert self.pipe is not None
        if message is not None:
            self.pipe.send(message)

    def finish(self) -> tuple[Any, ...]:
        """EOFError or OSError when the worker is gone."""
        assert self.pipe is not None
        reply: tuple[Any, ...] = self.pipe.recv()
        return reply

    def close(self) -> None:
        """Awaits the worker, which was sent ("close", ()) and closes its envs; ends it if it has not finished
        within CLOSE_TIMEOUT_S."""
        assert self.process is not None and self.pipe is not None
        self.process.join(timeout=CLOSE_TIMEOUT_S)
        if self.process.is_alive():
            self.process.kill()
            self.process.join()
        self.pipe.close()


class ShardedSession(SessionRules):
    def __init__(
        self,
        session_id: str,
        source: EnvSource,
        recipe: EnvRecipe,
        capabilities: EnvCapabilities,
        kwargs: dict[str, Any],
        num_envs: int,
        seed: int | None,
        autoreset_mode: str,
        snapshot_key: bytes,
        workers: int,
        strict_actions: bool = False,
    ) -> None:
        self.session_id = session_id
        self.capabilities = capabilities
        self.num_envs = num_envs
        self.autoreset_mode = autoreset_mode
        self.strict_actions = strict_actions
        self.broken_reason = None
        self.shards: list[_LocalShard | _WorkerShard] = []
        sizes = shard_sizes(num_envs, workers)
        session_args = {
            "session_id": session_id, "kwargs": kwargs, "seed": seed, "autoreset_mode": autoreset_mode,
            "strict_actions": strict_actions,
        }
        try:
            offset = sizes[0]
            for size in sizes[1:]:  # started first: they make their envs while this process makes its own
                ours, theirs = _CONTEXT.Pipe()
                process = _CONTEXT.Process(
                    target=serve_shard,
                    args=(theirs, recipe, capabilities, snapshot_key,
                          {**session_args, "num_envs": size, "index_offset": offset}),
                    name=f"vinegym-{session_id}-envs-{offset}-{offset + size - 1}",
                    daemon=True,
                )
                process.start()
                theirs.close()
                self.shards.append(_WorkerShard(offset, size, process=process, pipe=ours))
                offset += size
            local = Session(source=source, capabilities=capabilities, snapshot_key=snapshot_key,
                            num_envs=sizes[0], **session_args)
            self.shards.insert(0, _LocalShard(0, sizes[0], local.statuses(), session=local))
            self._exchange([(shard, None) for shard in self.shards[1:]])  # the workers' envs are made
        except BaseException:
            self.close()
            raise
        self._description = local.describe()
        self.env_id = local.env_id
        self.single_observation_space = local.single_observation_space
        self.single_action_space = local.single_action_space

    # ------------------------------------------------------------ talking to the shards

    def _worker_lost(self, shard: _Shard) -> VinegymError:
        assert isinstance(shard, _WorkerShard) and shard.process is not None  # a local shard's call never raises
        shard.process.join(timeout=1.0)
        last = shard.offset + shard.size - 1
        self.broken_reason = f"the worker process of envs {shard.offset}-{last} exited ({shard.process.exitcode})"
        return VinegymError(ErrorCode.ENV_ERROR, self.broken_reason, {"env_index": shard.offset})

    def _exchange(self, calls: list[tuple[_LocalShard | _WorkerShard, Message | None]]) -> list[Any]:
        """Starts every shard's call (None: only await a worker's reply), then collects every reply, so the shards
        work in parallel and every pipe stays in step. The results in order, or the first shard's error."""
        failures: dict[int, VinegymError] = {}
        for position, (shard, message) in enumerate(calls):
            try:
                shard.start(message)
            except OSError:
                failures[position] = self._worker_lost(shard)
        results: list[Any] = []
        for position, (shard, _) in enumerate(calls):
            if position in failures:
                continue
            try:
                reply = shard.finish()
            except (EOFError, OSError):
                failures[position] = self._worker_lost(shard)
                continue
            if reply[0] == "ok":
                results.append(reply[1])
                shard.statuses = reply[2]
            else:
                _, code, message, details, broken_reason = reply
                if broken_reason is not None and self.broken_reason is None:
                    self.broken_reason = broken_reason
                failures[position] = VinegymError(code, message, details)
        if failures:
            raise failures[min(failures)]
        return results

    def _group(self, indices: list[int]) -> list[tuple[_LocalShard | _WorkerShard, list[int]]]:
        """The shards that own some of `indices`, each with the positions in `indices` of its envs."""
        groups = [(shard, [p for p, index in enumerate(indices) if shard.owns(index)]) for shard in self.shards]
        return [(shard, positions) for shard, positions in groups if positions]

    def _shard_of(self, index: int) -> _LocalShard | _WorkerShard:
        return next(shard for shard in self.shards if shard.owns(index))

    def _join(self, parts: list[dict[str, Any]]) -> dict[str, Any]:
        """The shards' answers as one: observations as one batch, arrays concatenated, lists chained."""
        joined: dict[str, Any] = {}
        for key, first in parts[0].items():
            values = [part[key] for part in parts]
            if key == "observations":
                joined[key] = concat_wire_batches(self.single_observation_space, values)
            elif isinstance(first, np.ndarray):
                joined[key] = np.concatenate(values)
            else:
                joined[key] = list(itertools.chain.from_iterable(values))
        return joined

    # ------------------------------------------------------------ requests

    def describe(self) -> dict[str, Any]:
        return {
            **self._description,
            "num_envs": self.num_envs,
            "observation_space": batch_wire_space(self._description["single_observation_space"], self.num_envs),
            "action_space": batch_wire_space(self._description["single_action_space"], self.num_envs),
        }

    def reset(
        self,
        env_indices: list[int] | None,
        seed: int | None,
        seeds: list[int | None] | None,
        options: dict[str, Any] | None,
    ) -> dict[str, Any]:
        indices = self._reset_indices(env_indices, seed, seeds)
        groups = self._group(indices)
        if not groups:
            empty = ObservationBatch(self.single_observation_space, 0).wire()
            return {"env_indices": indices, "observations": empty, "infos": []}
        calls = []
        for shard, positions in groups:
            local = [indices[p] - shard.offset for p in positions]
            shard_seeds = None if seeds is None else [seeds[p] for p in positions]
            calls.append((shard, ("reset", (local, seed, shard_seeds, options))))
        joined = self._join(self._exchange(calls))
        joined["env_indices"] = indices
        return joined

    def statuses(self) -> list[EnvStatus]:
        return [status for shard in self.shards for status in shard.statuses]

    def step(self, actions: Any) -> dict[str, Any]:
        env_actions = self._step_actions(self.statuses(), actions)
        calls = [
            (shard, ("step_checked", (env_actions[shard.offset : shard.offset + shard.size],)))
            for shard in self.shards
        ]
        return self._join(self._exchange(calls))

    def snapshot(self, env_indices: list[int]) -> dict[str, Any]:
        self._check_snapshot_request(env_indices)
        groups = self._group(env_indices)
        # Each shard snapshots each of its envs once, however often the request repeats it (PROTOCOL.md 7.6).
        local = [list(dict.fromkeys(env_indices[p] - shard.offset for p in positions)) for shard, positions in groups]
        calls = [(shard, ("snapshot", (indices,))) for (shard, _), indices in zip(groups, local)]
        snapshots: list[bytes] = [b""] * len(env_indices)
        for (shard, positions), indices, part in zip(groups, local, self._exchange(calls)):
            by_index = dict(zip(indices, part["snapshots"]))
            for position in positions:
                snapshots[position] = by_index[env_indices[position] - shard.offset]
        return {"snapshots": snapshots}

    def restore(self, env_index: int, snapshot: bytes) -> dict[str, Any]:
        self._check_snapshot_request([env_index])
        shard = self._shard_of(env_index)
        return self._exchange([(shard, ("restore", (env_index - shard.offset, snapshot)))])[0]

    def render(self, env_index: int) -> dict[str, Any]:
        self._check_render_request(env_index)
        shard = self._shard_of(env_index)
        return self._exchange([(shard, ("render", (env_index - shard.offset,)))])[0]

    def close(self) -> None:
        """Closes every shard: the workers are all asked to finish first, then awaited."""
        for shard in self.shards:
            if isinstance(shard, _WorkerShard):
                try:
                    shard.start(("close", ()))
                except OSError:
                    pass
        for shard in self.shards:
            shard.close()
        self.shards = []
