"""Frames <-> bytes. Encoding emits the canonical form of PROTOCOL.md 3.1; decoding is strict (3) and turns every
NDArray map into a numpy array (3.2).

Python values map to MessagePack by type: `int` -> int (canonical width, int64 beyond uint32), `float` -> float64,
`bytes` -> bin, `np.ndarray` -> NDArray map, numpy scalars -> int/float/bool, tuples -> arrays.
"""
from __future__ import annotations

import struct
import sys
from typing import Any

import msgpack
import numpy as np

from vinegym.protocol.decode_budget import DecodeBudget, check_decode_budget
from vinegym.protocol.fast_encoding import pack_canonical_frame, packs_canonically
from vinegym.protocol.ndarray import (
    MAX_SAFE_INTEGER,
    looks_like_ndarray,
    ndarray_bytes,
    ndarray_from_wire,
    wire_dtype_name,
)


class FrameDecodeError(ValueError):
    """The bytes are not one valid protocol MessagePack value (answered with id null, PROTOCOL.md 4)."""


class MalformedNDArray(FrameDecodeError):
    """A map that is an NDArray by its keys has a bad dtype, shape or length. `request_id`: the frame's id when it
    was readable (such errors carry it, PROTOCOL.md 3.2)."""

    request_id: int | None = None


# ---------------------------------------------------------------- encoding


def _header(out: list[bytes], length: int, fix_base: int | None, fix_max: int, codes: tuple[int, int, int]) -> None:
    """Appends the smallest str/bin/array/map header for `length` (codes: 8-, 16-, 32-bit length markers)."""
    if fix_base is not None and length <= fix_max:
        out.append(bytes((fix_base | length,)))
    elif codes[0] and length < 2**8:
        out.append(struct.pack(">BB", codes[0], length))
    elif length < 2**16:
        out.append(struct.pack(">BH", codes[1], length))
    else:
        out.append(struct.pack(">BI", codes[2], length))


def _encode_int(out: list[bytes], value: int) -> None:
    if 0 <= value <= 0x7F:
        out.append(bytes((value,)))
    elif 0 < value < 2**8:
        out.append(struct.pack(">BB", 0xCC, value))
    elif 0 < value < 2**16:
        out.append(struct.pack(">BH", 0xCD, value))
    elif 0 < value < 2**32:
        out.append(struct.pack(">BI", 0xCE, value))
    elif -32 <= value < 0:
        out.append(struct.pack(">b", value))
    elif -(2**7) <= value < 0:
        out.append(struct.pack(">Bb", 0xD0, value))
    elif -(2**15) <= value < 0:
        out.append(struct.pack(">Bh", 0xD1, value))
    elif -(2**31) <= value < 0:
        out.append(struct.pack(">Bi", 0xD2, value))
    elif -MAX_SAFE_INTEGER < value < MAX_SAFE_INTEGER:
        out.append(struct.pack(">Bq", 0xD3, value))
    else:
        out.append(struct.pack(">Bd", 0xCB, float(value)))


def _encode_str(out: list[bytes], value: str) -> None:
    data = value.encode("utf-8")
    _header(out, len(data), 0xA0, 31, (0xD9, 0xDA, 0xDB))
    out.append(data)


def _encode_bin(out: list[bytes], data: bytes) -> None:
    _header(out, len(data), None, -1, (0xC4, 0xC5, 0xC6))
    out.append(data)


def _encode_ndarray(out: list[bytes], array: np.ndarray[Any, Any]) -> None:
    out.append(b"\x83")
    _encode_str(out, "dtype")
    _encode_str(out, wire_dtype_name(array.dtype))
    _encode_str(out, "shape")
    _header(out, array.ndim, 0x90, 15, (0, 0xDC, 0xDD))
    for d in array.shape:
        _encode_int(out, int(d))
    _encode_str(out, "data")
    _encode_bin(out, ndarray_bytes(array))


def _encode(out: list[bytes], value: Any) -> None:
    if value is None:
        out.append(b"\xc0")
    elif value is True or value is False or isinstance(value, np.bool_):
        out.append(b"\xc3" if value else b"\xc2")
    elif isinstance(value, (int, np.integer)):
        _encode_int(out, int(value))
    elif isinstance(value, (float, np.floating)):
        out.append(struct.pack(">Bd", 0xCB, float(value)))
    elif isinstance(value, str):
        _encode_str(out, value)
    elif isinstance(value, (bytes, bytearray, memoryview)):
        _encode_bin(out, bytes(value))
    elif isinstance(value, dict):
        _header(out, len(value), 0x80, 15, (0, 0xDE, 0xDF))
        for key, item in value.items():
            if not isinstance(key, str):
                raise TypeError(f"map keys must be str, got {type(key).__name__}")
            _encode_str(out, key)
            _encode(out, item)
    elif isinstance(value, (list, tuple)):
        _header(out, len(value), 0x90, 15, (0, 0xDC, 0xDD))
        for item in value:
            _encode(out, item)
    elif isinstance(value, np.ndarray):
        _encode_ndarray(out, value)
    else:
        raise TypeError(f"cannot encode {type(value).__name__} as a protocol value")


def encode_frame(frame: Any) -> bytes:
    """The canonical MessagePack encoding of `frame`. Frames whose values msgpack's C packer already encodes
    canonically (see fast_encoding.py) take that path; anything else goes through the encoder above."""
    if packs_canonically(frame):
        return pack_canonical_frame(frame)
    out: list[bytes] = []
    _encode(out, frame)
    return b"".join(out)


# ---------------------------------------------------------------- decoding

# For frames the server trusts (the client decoding a server's answers, tests): only Python's own nesting limit.
UNBOUNDED = DecodeBudget(
    max_values=sys.maxsize, max_containers=sys.maxsize, max_depth=500, max_string_bytes=sys.maxsize
)


def _reject_extension(code: int, data: bytes) -> Any:
    raise FrameDecodeError(f"MessagePack extension type {code} is not allowed")


# What msgpack builds besides dicts and lists (timestamps never come: extension types are rejected).
_LEAF_TYPES = frozenset((int, float, str, bytes, bool, type(None)))


def _convert(value: Any, depth_left: int, budget: DecodeBudget) -> Any:
    """Checks map keys and nesting, and turns NDArray maps into numpy arrays, recursively."""
    if isinstance(value, dict):
        if depth_left == 0:
            raise budget.exceeded("max_frame_depth", f"containers nested deeper than {budget.max_depth}")
        for key in value:
            if not isinstance(key, str):
                raise FrameDecodeError("map keys must be str")
        if looks_like_ndarray(value):
            try:
                return ndarray_from_wire(value)
            except ValueError as error:
                raise MalformedNDArray(str(error)) from None
        return {key: _convert(item, depth_left - 1, budget) for key, item in value.items()}
    if isinstance(value, list):
        if depth_left == 0:
            raise budget.exceeded("max_frame_depth", f"containers nested deeper than {budget.max_depth}")
        if not _LEAF_TYPES.issuperset(map(type, value)):  # checked in C: lists of 60,000 indices are common
            for i, item in enumerate(value):  # in place, and only where there is something to convert
                if type(item) is dict or type(item) is list:
                    value[i] = _convert(item, depth_left - 1, budget)
        return value
    if isinstance(value, msgpack.Timestamp):
        raise FrameDecodeError("MessagePack extension type -1 (timestamp) is not allowed")
    return value


def _readable_id(value: Any) -> int | None:
    """The request id of a decoded (not yet converted) frame, when it has a valid one (PROTOCOL.md 4)."""
    if isinstance(value, dict):
        raw_id = value.get("id")
        whole = type(raw_id) is float and raw_id.is_integer()
        if (whole or (isinstance(raw_id, int) and not isinstance(raw_id, bool))) and 0 <= raw_id < MAX_SAFE_INTEGER:
            return int(raw_id)
    return None


def decode_frame(data: bytes, budget: DecodeBudget = UNBOUNDED) -> Any:
    """Decodes exactly one MessagePack value within `budget` (PROTOCOL.md 3, 9.1). Raises DecodeBudgetExceeded
    for a frame over the budget, MalformedNDArray (carrying the frame's id when it was readable) for a bad NDArray,
    FrameDecodeError for anything else PROTOCOL.md 3 rejects."""
    check_decode_budget(data, budget)
    try:
        value = msgpack.unpackb(
            data,
            raw=False,
            use_list=True,
            strict_map_key=False,
            ext_hook=_reject_extension,
            max_str_len=budget.max_string_bytes,
            max_array_len=budget.max_values,
            max_map_len=budget.max_values,
        )
    except FrameDecodeError:
        raise
    except msgpack.ExtraData:
        raise FrameDecodeError("bytes after the MessagePack value") from None
    except msgpack.exceptions.StackError:  # deeper than the unpacker's own stack (1024)
        raise budget.exceeded("max_frame_depth", f"containers nested deeper than {budget.max_depth}") from None
    except Exception as error:  # truncated frames, 0xc1, invalid UTF-8, ...
        raise FrameDecodeError(f"malformed MessagePack ({type(error).__name__})") from None
    try:
        return _convert(value, budget.max_depth, budget)
    except MalformedNDArray as error:
        _check_keys_and_depth(value, budget.max_depth, budget)  # a whole-frame problem elsewhere comes first
        error.request_id = _readable_id(value)
        raise


def _check_keys_and_depth(value: Any, depth_left: int, budget: DecodeBudget) -> None:
    """The rest of what _convert checks, over the whole frame (only on the rare path of a malformed NDArray)."""
    if isinstance(value, (dict, list)):
        if depth_left == 0:
            raise budget.exceeded("max_frame_depth", f"containers nested deeper than {budget.max_depth}")
        if isinstance(value, dict):
            if not all(isinstance(key, str) for key in value):
                raise FrameDecodeError("map keys must be str")
            value = value.values()
        for item in value:
            _check_keys_and_depth(item, depth_left - 1, budget)
