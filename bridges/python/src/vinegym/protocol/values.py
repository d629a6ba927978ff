"""Space values on the wire (PROTOCOL.md 5 and 5.1): single values and batches of Gymnasium spaces.

Gymnasium-side values are what envs take and return (numpy arrays, ints, dicts, tuples); wire values are what the
codec encodes (NDArrays as numpy arrays, Dicts as maps, Tuples as lists).
"""
from __future__ import annotations

from typing import Any

import numpy as np
from gymnasium import spaces


class InvalidValueError(ValueError):
    """A value (or batch) that is not in its space. `env_index` names the offending batch row when known."""

    def __init__(self, message: str, env_index: int | None = None) -> None:
        super().__init__(message)
        self.env_index = env_index


def _leaf_dtype(space: spaces.Space[Any]) -> np.dtype[Any]:
    if isinstance(space, spaces.Box):
        return np.dtype(space.dtype)
    if isinstance(space, spaces.MultiBinary):
        return np.dtype(np.int8)
    return np.dtype(np.int64)


# ---------------------------------------------------------------- gymnasium -> wire


def single_to_wire(space: spaces.Space[Any], value: Any) -> Any:
    """One value of `space` (as an env returns it) as a wire value."""
    if isinstance(space, spaces.Discrete):
        return int(np.asarray(value).item())
    if isinstance(space, spaces.Dict):
        return {key: single_to_wire(member, value[key]) for key, member in space.spaces.items()}
    if isinstance(space, spaces.Tuple):
        return [single_to_wire(member, item) for member, item in zip(space.spaces, value)]
    return np.asarray(value, dtype=_leaf_dtype(space)).reshape(space.shape)


def stack_to_wire(space: spaces.Space[Any], values: list[Any]) -> Any:
    """A batch (leading axis len(values)) of single values of `space`, as a wire value."""
    if isinstance(space, spaces.Dict):
        return {key: stack_to_wire(member, [v[key] for v in values]) for key, member in space.spaces.items()}
    if isinstance(space, spaces.Tuple):
        return [stack_to_wire(member, [v[i] for v in values]) for i, member in enumerate(space.spaces)]
    dtype = _leaf_dtype(space)
    shape = (len(values), *(space.shape or ()))
    if not values:
        return np.zeros(shape, dtype=dtype)
    return np.stack([np.asarray(v, dtype=dtype) for v in values]).reshape(shape)


def concat_wire_batches(space: spaces.Space[Any], batches: list[Any]) -> Any:
    """Wire batches of `space` joined along the leading (env) axis, in order."""
    if isinstance(space, spaces.Dict):
        return {key: concat_wire_batches(member, [b[key] for b in batches]) for key, member in space.spaces.items()}
    if isinstance(space, spaces.Tuple):
        return [concat_wire_batches(member, [b[i] for b in batches]) for i, member in enumerate(space.spaces)]
    return np.concatenate(batches)


def gym_batch_to_wire(space: spaces.Space[Any], batch: Any, num_envs: int) -> Any:
    """A Gymnasium vector-env batch (arrays with a leading axis, dicts, tuples) as a wire batch."""
    if isinstance(space, spaces.Dict):
        return {key: gym_batch_to_wire(member, batch[key], num_envs) for key, member in space.spaces.items()}
    if isinstance(space, spaces.Tuple):
        return [gym_batch_to_wire(member, item, num_envs) for member, item in zip(space.spaces, batch)]
    return np.asarray(batch, dtype=_leaf_dtype(space)).reshape((num_envs, *(space.shape or ())))


# ---------------------------------------------------------------- wire -> gymnasium


def wire_batch_to_gym(space: spaces.Space[Any], batch: Any) -> Any:
    """A wire batch as a Gymnasium vector-env batch (Tuples become tuples)."""
    if isinstance(space, spaces.Dict):
        return {key: wire_batch_to_gym(member, batch[key]) for key, member in space.spaces.items()}
    if isinstance(space, spaces.Tuple):
        return tuple(wire_batch_to_gym(member, item) for member, item in zip(space.spaces, batch))
    return np.asarray(batch, dtype=_leaf_dtype(space))


def wire_batch_row(space: spaces.Space[Any], batch: Any, index: int) -> Any:
    """Row `index` of a wire batch as a single Gymnasium value."""
    if isinstance(space, spaces.Dict):
        return {key: wire_batch_row(member, batch[key], index) for key, member in space.spaces.items()}
    if isinstance(space, spaces.Tuple):
        return tuple(wire_batch_row(member, item, index) for member, item in zip(space.spaces, batch))
    row = np.asarray(batch)[index]
    if isinstance(space, spaces.Discrete):
        return np.int64(row)
    return np.array(row, dtype=_leaf_dtype(space))


def wire_single_to_gym(space: spaces.Space[Any], value: Any) -> Any:
    """A single wire value (e.g. a final observation) as a Gymnasium value."""
    if isinstance(space, spaces.Dict):
        return {key: wire_single_to_gym(member, value[key]) for key, member in space.spaces.items()}
    if isinstance(space, spaces.Tuple):
        return tuple(wire_single_to_gym(member, item) for member, item in zip(space.spaces, value))
    if isinstance(space, spaces.Discrete):
        return np.int64(value)
    return np.asarray(value, dtype=_leaf_dtype(space))


# ---------------------------------------------------------------- validation of incoming batches


def split_wire_batch(
    space: spaces.Space[Any], batch: Any, num_envs: int, name: str = "actions", box_bounds: bool = True
) -> list[Any]:
    """Checks that `batch` is a wire batch of `num_envs` values of `space` and returns the single values (in the
    form envs accept). InvalidValueError otherwise, with env_index exactly when the batch has the right structure,
    dtypes and shapes and some env's value is out of the space (PROTOCOL.md 7.5): a Dict or Tuple batch is first
    checked whole for its structure, so that a malformed later leaf is not reported as an earlier env's value.
    With `box_bounds` False, Box values need finite elements but may lie outside [low, high], as Gymnasium's envs
    take them (MuJoCo clamps its controls itself; PROTOCOL.md 8.6); the other spaces stay exact."""
    if isinstance(space, (spaces.Dict, spaces.Tuple)):
        _check_structure(space, batch, num_envs, name)
    return _split(space, batch, num_envs, name, box_bounds)


def _check_structure(space: spaces.Space[Any], batch: Any, num_envs: int, name: str) -> None:
    if isinstance(space, spaces.Dict):
        if not isinstance(batch, dict) or set(batch) != set(space.spaces):
            raise InvalidValueError(f"{name} must be a map with keys {list(space.spaces)}")
        for key, member in space.spaces.items():
            _check_structure(member, batch[key], num_envs, f"{name}.{key}")
    elif isinstance(space, spaces.Tuple):
        if not isinstance(batch, list) or len(batch) != len(space.spaces):
            raise InvalidValueError(f"{name} must be an array of {len(space.spaces)} batches")
        for i, (member, item) in enumerate(zip(space.spaces, batch)):
            _check_structure(member, item, num_envs, f"{name}[{i}]")
    else:
        _check_leaf(space, batch, num_envs, name)


def _check_leaf(space: spaces.Space[Any], batch: Any, num_envs: int, name: str) -> None:
    if not isinstance(batch, np.ndarray):
        raise InvalidValueError(f"{name} must be an NDArray, got {type(batch).__name__}")
    expected_shape = (num_envs, *(space.shape or ()))
    if batch.shape != expected_shape:
        raise InvalidValueError(f"{name} has shape {list(batch.shape)}, expected {list(expected_shape)}")
    if isinstance(space, spaces.Box):
        if batch.dtype != np.dtype(space.dtype):
            raise InvalidValueError(f"{name} has dtype {batch.dtype.name}, expected {np.dtype(space.dtype).name}")
    elif batch.dtype.kind not in "iu":
        raise InvalidValueError(f"{name} must have an integer dtype, got {batch.dtype.name}")


def _split(space: spaces.Space[Any], batch: Any, num_envs: int, name: str, box_bounds: bool) -> list[Any]:
    if isinstance(space, spaces.Dict):
        if not isinstance(batch, dict) or set(batch) != set(space.spaces):
            raise InvalidValueError(f"{name} must be a map with keys {list(space.spaces)}")
        columns = {key: _split(member, batch[key], num_envs, f"{name}.{key}", box_bounds)
                   for key, member in space.spaces.items()}
        return [{key: columns[key][i] for key in space.spaces} for i in range(num_envs)]
    if isinstance(space, spaces.Tuple):
        if not isinstance(batch, list) or len(batch) != len(space.spaces):
            raise InvalidValueError(f"{name} must be an array of {len(space.spaces)} batches")
        columns_list = [_split(member, item, num_envs, f"{name}[{i}]", box_bounds)
                        for i, (member, item) in enumerate(zip(space.spaces, batch))]
        return [tuple(column[i] for column in columns_list) for i in range(num_envs)]
    _check_leaf(space, batch, num_envs, name)
    if isinstance(space, spaces.Box):
        return _split_box(space, batch, name, box_bounds)
    if isinstance(space, spaces.Discrete):
        low, high = int(space.start), int(space.start) + int(space.n)
        for i, v in enumerate(batch.tolist()):
            if not low <= v < high:
                raise InvalidValueError(f"{name}[{i}] = {v} is outside Discrete({space.n}, start={space.start})", i)
        return [int(v) for v in batch.tolist()]
    if isinstance(space, spaces.MultiDiscrete):
        representable = batch < np.uint64(2**63) if batch.dtype == np.uint64 else np.ones(batch.shape, np.bool_)
        values = np.where(representable, batch, 0).astype(np.int64)
        start = np.asarray(space.start, dtype=np.int64)
        ok = representable & (values >= start) & (values < start + np.asarray(space.nvec, dtype=np.int64))
        _raise_first_bad_row(ok, name, "is outside the MultiDiscrete space")
        return [values[i].astype(space.dtype) for i in range(num_envs)]
    if isinstance(space, spaces.MultiBinary):
        ok = (batch == 0) | (batch == 1)
        _raise_first_bad_row(ok, name, "has elements other than 0 and 1")
        return [batch[i].astype(space.dtype) for i in range(num_envs)]
    raise InvalidValueError(f"unsupported space {type(space).__name__}")


def _split_box(space: spaces.Box, batch: np.ndarray[Any, Any], name: str, box_bounds: bool) -> list[Any]:
    if not box_bounds:
        if batch.dtype.kind == "f" and not np.isfinite(batch).all():
            _raise_first_bad_row(np.isfinite(batch), name, "is not finite")
        return list(batch.copy())
    with np.errstate(invalid="ignore"):
        ok = (batch >= space.low) & (batch <= space.high)  # False for NaN
    if not ok.all():  # the message (the Box's repr) is only made for a bad batch
        _raise_first_bad_row(ok, name, f"is outside {space}")
    return list(batch.copy())  # rows of one copy: no env shares memory with the request


def _raise_first_bad_row(ok: np.ndarray[Any, Any], name: str, problem: str) -> None:
    rows_ok = ok.reshape(ok.shape[0], -1).all(axis=1)
    if not rows_ok.all():
        i = int(np.argmin(rows_ok))
        raise InvalidValueError(f"{name}[{i}] {problem}", i)
