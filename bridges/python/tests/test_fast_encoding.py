"""encode_frame's fast path (msgpack's C packer) must give the canonical encoder's bytes whenever it is taken."""
from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from vinegym.protocol.codec import _encode, encode_frame
from vinegym.protocol.fast_encoding import pack_canonical_frame, packs_canonically
from vinegym.protocol.ndarray import WIRE_DTYPES


def _canonical(value: Any) -> bytes:
    out: list[bytes] = []
    _encode(out, value)
    return b"".join(out)


INTS = [0, 1, 127, 128, 255, 256, 2**16 - 1, 2**16, 2**31, 2**32 - 1, -1, -32, -33, -128, -129, -(2**15), -(2**31)]
ARRAYS = [np.arange(6, dtype=name).reshape(2, 3) for name in WIRE_DTYPES if name != "bool"] + [
    np.array([True, False, True]),
    np.zeros((0, 4), dtype=np.float32),
    np.array(7, dtype=np.int64),
    np.arange(12, dtype=np.float64).reshape(3, 4)[:, ::2],  # not contiguous
    np.arange(4, dtype=">i4"),  # big-endian
]
VALUES: list[Any] = [
    *INTS,
    None, True, False, 0.0, 1.0, -2.5, float("inf"), "", "x" * 31, "y" * 32, "z" * 300, b"", b"\x00" * 300,
    np.float64(1.5), np.float32(0.25), np.int64(5), np.uint8(200), np.bool_(True),
    [1, [2, [3]]], (1, 2), {"a": 1, "b": {"c": [None, 2.0]}}, {str(i): i for i in range(20)}, list(range(20)),
    *ARRAYS,
    {"id": 3, "ok": True, "body": {"observations": ARRAYS[0], "infos": [{}, {"x_position": np.float64(0.5)}]}},
]


@pytest.mark.parametrize("value", VALUES, ids=lambda v: type(v).__name__)
def test_fast_path_is_canonical(value: Any) -> None:
    assert packs_canonically(value)
    assert pack_canonical_frame(value) == _canonical(value)
    assert encode_frame(value) == _canonical(value)


@pytest.mark.parametrize(
    "value", [2**32, -(2**31) - 1, 2**53, np.int64(2**40), {"k": [2**33]}, {1: "non-str key"}, object()],
    ids=lambda v: repr(v)[:20],
)
def test_values_the_fast_path_leaves_to_the_canonical_encoder(value: Any) -> None:
    assert not packs_canonically(value)
