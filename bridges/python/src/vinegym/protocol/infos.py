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


# Types the codec encodes as they are (numpy scalars as the plain number they hold).
_PLAIN_INFO_TYPES = frozenset(
    (type(None), bool, int, float, str, bytes, np.float64, np.float32, np.int64, np.int32, np.bool_)
)


def info_map_to_wire(info: Any) -> dict[str, Any]:
    if type(info) is dict:  # fast path: flat dicts of plain values (classic control, MuJoCo, ALE infos)
        for key, value in info.items():
            if type(key) is not str or type(value) not in _PLAIN_INFO_TYPES:
                break
        else:
            return dict(info)
    converted = info_to_wire(info if info is not None else {})
    return converted if isinstance(converted, dict) else {"info": converted}
