"""The fast path of `encode_frame`: msgpack's C packer, for frames it encodes exactly as the canonical form
(PROTOCOL.md 3.1) does.

msgpack already emits the smallest str/bin/array/map headers, float64 for every float (use_single_float=False)
and the same int widths as the canonical form for ints in [-2^31, 2^32). It differs for larger ints (canonical:
int64 even when positive, float64 beyond 2^53), and knows neither NDArrays nor numpy scalars. `packs_canonically`
walks a frame and says whether it holds only values both encodings agree on; `pack_canonical_frame` then packs it,
turning numpy arrays and scalars into their wire form on the way (arrays by a view of their bytes, no copy before
the packer's own).
"""
from __future__ import annotations

from typing import Any

import msgpack
import numpy as np

from vinegym.protocol.ndarray import WIRE_DTYPES, ndarray_bytes, wire_dtype_name

_MIN_SAFE_INT = -(2**31)
_MAX_SAFE_INT = 2**32  # exclusive

# Leaf types msgpack packs canonically as they are (np.float64 is a float subclass).
_PLAIN_LEAF_TYPES = frozenset((type(None), bool, float, str, bytes, bytearray, np.float64, np.bool_))

# Native-order dtypes whose array bytes are already the little-endian wire bytes, by dtype.
_DIRECT_DTYPE_NAMES: dict[np.dtype[Any], str] = {
    np.dtype(name): name for name, wire in WIRE_DTYPES.items() if np.dtype(name) == wire
}


def packs_canonically(value: Any) -> bool:
    """Whether msgpack (with `_wire_form` as default) encodes `value` byte for byte as the canonical encoder."""
    kind = type(value)
    if kind in _PLAIN_LEAF_TYPES:
        return True
    if kind is int:
        return _MIN_SAFE_INT <= value < _MAX_SAFE_INT
    # Plain leaves are checked here rather than by a call each: infos are maps of many floats.
    if kind is dict:
        for key, item in value.items():
            if type(key) is not str or (type(item) not in _PLAIN_LEAF_TYPES and not packs_canonically(item)):
                return False
        return True
    if kind is list or kind is tuple:
        for item in value:
            if type(item) not in _PLAIN_LEAF_TYPES and not packs_canonically(item):
                return False
        return True
    if kind is np.ndarray:
        return value.dtype in _DIRECT_DTYPE_NAMES or value.dtype.name in WIRE_DTYPES
    if isinstance(value, np.integer):
        return _MIN_SAFE_INT <= int(value) < _MAX_SAFE_INT
    return isinstance(value, np.floating)


def _wire_form(value: Any) -> Any:
    """msgpack's `default`: what to pack instead of a value it does not know."""
    if type(value) is np.ndarray:
        name = _DIRECT_DTYPE_NAMES.get(value.dtype)
        if name is not None and value.flags.c_contiguous:
            data: Any = value.data
        else:
            name, data = wire_dtype_name(value.dtype), ndarray_bytes(value)
        return {"dtype": name, "shape": list(value.shape), "data": data}
    if isinstance(value, np.bool_):
        return bool(value)
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.floating):
        return float(value)
    raise TypeError(f"cannot encode {type(value).__name__} as a protocol value")


def pack_canonical_frame(frame: Any) -> bytes:
    """Packs a frame for which `packs_canonically` holds."""
    return msgpack.packb(frame, default=_wire_form, use_bin_type=True, use_single_float=False)
