"""Env infos as protocol info values (PROTOCOL.md 5.1: nil, bool, numbers, str, NDArrays, arrays and maps)."""
from __future__ import annotations

from typing import Any

import numpy as np

from vinegym.protocol.ndarray import WIRE_DTYPES


def info_to_wire(value: Any) -> Any:
    """Converts what envs put in info dicts into values the codec can send."""
    if value is None or isinstance(value, (bool, int, float, str, bytes)):
        return value
    if isinstance(value, np.generic):
        return info_to_wire(value.item())
    if isinstance(value, np.ndarray):
        if value.dtype.name in WIRE_DTYPES:
            return value
        if value.dtype.name == "float16":
            return value.astype(np.float32)
        return [info_to_wire(item) for item in value.tolist()]
    if isinstance(value, dict):
        return {str(key): info_to_wire(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [info_to_wire(item) for item in value]
    return repr(value)


def info_map_to_wire(info: Any) -> dict[str, Any]:
    converted = info_to_wire(info if info is not None else {})
    return converted if isinstance(converted, dict) else {"info": converted}
