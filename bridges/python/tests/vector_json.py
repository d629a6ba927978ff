"""Converts the `message` JSON of vectors.json (PROTOCOL.md 11) into the Python values the codec works with."""
from __future__ import annotations

import math
from typing import Any

import numpy as np

_FLOAT_WORDS = {"NaN": math.nan, "Infinity": math.inf, "-Infinity": -math.inf, "-0": -0.0}


def _element(value: Any, dtype: str) -> Any:
    if isinstance(value, str):
        return _FLOAT_WORDS[value] if value in _FLOAT_WORDS else int(value)
    return value


def from_vector_json(value: Any) -> Any:
    if isinstance(value, dict):
        if set(value) == {"$ndarray"}:
            spec = value["$ndarray"]
            dtype = spec["dtype"]
            elements = [_element(v, dtype) for v in spec["values"]]
            return np.array(elements, dtype=dtype).reshape(spec["shape"])
        if set(value) == {"$bin"}:
            return bytes.fromhex(value["$bin"])
        if set(value) == {"$float"}:
            return _FLOAT_WORDS[value["$float"]]
        return {key: from_vector_json(item) for key, item in value.items()}
    if isinstance(value, list):
        return [from_vector_json(item) for item in value]
    return value


def values_equal(a: Any, b: Any) -> bool:
    """Deep equality where NaN equals NaN, -0.0 differs from 0.0, arrays compare dtype, shape and bytes."""
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        return (
            isinstance(a, np.ndarray)
            and isinstance(b, np.ndarray)
            and a.dtype == b.dtype
            and a.shape == b.shape
            and a.tobytes() == b.tobytes()
        )
    if isinstance(a, dict):
        return (
            isinstance(b, dict)
            and list(a) == list(b)
            and all(values_equal(a[k], b[k]) for k in a)
        )
    if isinstance(a, list):
        return isinstance(b, list) and len(a) == len(b) and all(values_equal(x, y) for x, y in zip(a, b))
    if isinstance(a, float) and isinstance(b, float):
        return (math.isnan(a) and math.isnan(b)) or (a == b and math.copysign(1, a) == math.copysign(1, b))
    return type(a) is type(b) and a == b
