"""Gymnasium spaces <-> wire space maps (PROTOCOL.md 5), and batching of wire spaces (5.1)."""
from __future__ import annotations

import re
from collections import OrderedDict
from typing import Any

import numpy as np
from gymnasium import spaces

from vinegym.protocol.ndarray import WIRE_DTYPES

WireSpace = dict[str, Any]
_DECIMAL_KEY = re.compile(r"^(0|[1-9][0-9]*)$")


class UnsupportedSpaceError(TypeError):
    """A Gymnasium space the protocol cannot describe (Text, Graph, Sequence, ...)."""


def space_to_wire(space: spaces.Space[Any]) -> WireSpace:
    if isinstance(space, spaces.Box):
        dtype = np.dtype(space.dtype).name
        if dtype not in WIRE_DTYPES:
            raise UnsupportedSpaceError(f"Box dtype {dtype} has no wire encoding")
        return {
            "type": "box",
            "dtype": dtype,
            "shape": list(space.shape),
            "low": np.broadcast_to(space.low, space.shape).astype(space.dtype),
            "high": np.broadcast_to(space.high, space.shape).astype(space.dtype),
        }
    if isinstance(space, spaces.Discrete):
        return {"type": "discrete", "n": int(space.n), "start": int(space.start)}
    if isinstance(space, spaces.MultiDiscrete):
        return {
            "type": "multi_discrete",
            "nvec": np.asarray(space.nvec, dtype=np.int64),
            "start": np.asarray(space.start, dtype=np.int64),
        }
    if isinstance(space, spaces.MultiBinary):
        return {"type": "multi_binary", "shape": [int(d) for d in np.atleast_1d(space.n)]}
    if isinstance(space, spaces.Dict):
        members: dict[str, WireSpace] = {}
        for key, member in space.spaces.items():
            if not isinstance(key, str) or _DECIMAL_KEY.match(key):
                raise UnsupportedSpaceError(f"Dict key {key!r} is not allowed (keys are non-decimal strings)")
            members[key] = space_to_wire(member)
        return {"type": "dict", "spaces": members}
    if isinstance(space, spaces.Tuple):
        return {"type": "tuple", "spaces": [space_to_wire(member) for member in space.spaces]}
    raise UnsupportedSpaceError(f"{type(space).__name__} spaces are not part of protocol v1")


def space_from_wire(wire: Any) -> spaces.Space[Any]:
    """Builds the Gymnasium space of a wire space map; ValueError when it is malformed."""
    if not isinstance(wire, dict) or not isinstance(wire.get("type"), str):
        raise ValueError(f"not a space: {wire!r}")
    kind = wire["type"]
    if kind == "box":
        dtype = np.dtype(wire["dtype"])
        return spaces.Box(
            low=np.asarray(wire["low"], dtype=dtype),
            high=np.asarray(wire["high"], dtype=dtype),
            shape=tuple(wire["shape"]),
            dtype=dtype.type,
        )
    if kind == "discrete":
        return spaces.Discrete(int(wire["n"]), start=int(wire["start"]))
    if kind == "multi_discrete":
        return spaces.MultiDiscrete(
            np.asarray(wire["nvec"], dtype=np.int64), start=np.asarray(wire["start"], dtype=np.int64)
        )
    if kind == "multi_binary":
        shape = [int(d) for d in wire["shape"]]
        return spaces.MultiBinary(shape if len(shape) != 1 else shape[0])
    if kind == "dict":
        # An OrderedDict keeps the wire order (Gymnasium sorts the keys of a plain dict).
        return spaces.Dict(OrderedDict((key, space_from_wire(member)) for key, member in wire["spaces"].items()))
    if kind == "tuple":
        return spaces.Tuple([space_from_wire(member) for member in wire["spaces"]])
    raise ValueError(f"unknown space type {kind!r}")


def batch_wire_space(wire: WireSpace, num_envs: int) -> WireSpace:
    """The batched space of PROTOCOL.md 5.1 (Gymnasium's batch_space, MultiBinary stays MultiBinary)."""
    kind = wire["type"]
    if kind == "box":
        return {
            "type": "box",
            "dtype": wire["dtype"],
            "shape": [num_envs, *wire["shape"]],
            "low": np.stack([wire["low"]] * num_envs),
            "high": np.stack([wire["high"]] * num_envs),
        }
    if kind == "discrete":
        return {
            "type": "multi_discrete",
            "nvec": np.full(num_envs, wire["n"], dtype=np.int64),
            "start": np.full(num_envs, wire["start"], dtype=np.int64),
        }
    if kind == "multi_discrete":
        return {
            "type": "multi_discrete",
            "nvec": np.stack([wire["nvec"]] * num_envs),
            "start": np.stack([wire["start"]] * num_envs),
        }
    if kind == "multi_binary":
        return {"type": "multi_binary", "shape": [num_envs, *wire["shape"]]}
    if kind == "dict":
        return {"type": "dict", "spaces": {k: batch_wire_space(s, num_envs) for k, s in wire["spaces"].items()}}
    if kind == "tuple":
        return {"type": "tuple", "spaces": [batch_wire_space(s, num_envs) for s in wire["spaces"]]}
    raise ValueError(f"unknown space type {kind!r}")
