"""The decode budget (vinegym/protocol/decode_budget.py): frames that would build too many objects, nest too deeply
or carry too long a str are rejected before msgpack unpacks them; everything else decodes as before."""
from __future__ import annotations

import random
import tracemalloc
from typing import Any

import msgpack
import numpy as np
import pytest

from vinegym.protocol.codec import FrameDecodeError, MalformedNDArray, decode_frame, encode_frame
from vinegym.protocol.decode_budget import DecodeBudget, DecodeBudgetExceeded, _walk, check_decode_budget
from vinegym.server.limits import FRAME_BUDGET, PRE_HELLO_BUDGET


def _array_header(n: int) -> bytes:
    return b"\xdd" + n.to_bytes(4, "big")


def test_a_frame_of_millions_of_empty_maps_is_rejected_without_unpacking() -> None:
    bomb = _array_header(16 * 2**20) + b"\x80" * (16 * 2**20)  # unpacked: 16 M dicts, gigabytes
    tracemalloc.start()
    try:
        with pytest.raises(DecodeBudgetExceeded) as caught:
            decode_frame(bomb, FRAME_BUDGET)
        assert (caught.value.limit, caught.value.maximum) == ("max_frame_values", 65536)  # the header says 16 M
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 1_000_000


def test_the_pre_hello_budget_is_much_smaller() -> None:
    hello = {"id": 1, "type": "hello", "body": {"protocol_versions": [1], "client": {"name": "a", "version": "1"}}}
    assert decode_frame(encode_frame(hello), PRE_HELLO_BUDGET) == hello
    padded = {**hello, "body": {**hello["body"], "pad": list(range(300))}}
    decode_frame(encode_frame(padded), FRAME_BUDGET)
    with pytest.raises(DecodeBudgetExceeded) as caught:
        decode_frame(encode_frame(padded), PRE_HELLO_BUDGET)
    assert (caught.value.limit, caught.value.maximum) == ("max_frame_values_before_hello", 256)


def _nested(depth: int) -> Any:
    value: Any = 0
    for _ in range(depth - 1):
        value = [value]
    return {"id": 3, "x": value}


@pytest.mark.parametrize("pad", [0, 100_000])  # small frames are checked while converting, large ones by the scan
def test_nesting_beyond_the_budget_is_rejected(pad: int) -> None:
    budget = DecodeBudget(max_values=65_536, max_containers=4096, max_depth=8, max_string_bytes=2**20)
    ok = {**_nested(8), "pad": b"\x00" * pad}
    assert decode_frame(encode_frame(ok), budget)["id"] == 3
    with pytest.raises(DecodeBudgetExceeded, match="max_frame_depth"):
        decode_frame(encode_frame({**_nested(9), "pad": b"\x00" * pad}), budget)


def test_nesting_near_the_interpreter_limit_is_a_typed_error() -> None:
    for depth in (100, 1000, 3000):  # beyond the unpacker's stack (1024) and Python's recursion limit
        with pytest.raises(DecodeBudgetExceeded, match="max_frame_depth"):
            decode_frame(b"\x91" * depth + b"\x00", FRAME_BUDGET)


@pytest.mark.parametrize("pad", [0, 100_000])
def test_long_strs_are_rejected(pad: int) -> None:
    budget = DecodeBudget(max_values=65_536, max_containers=4096, max_depth=8, max_string_bytes=1000)
    decode_frame(encode_frame({"s": "x" * 1000, "pad": b"\x00" * pad}), budget)
    with pytest.raises(DecodeBudgetExceeded, match="max_string_bytes"):
        decode_frame(encode_frame({"s": "x" * 1001, "pad": b"\x00" * pad}), budget)


def test_bin_payloads_cost_the_scan_nothing() -> None:
    frame = {"id": 1, "type": "restore", "body": {"snapshot": bytes(8 * 2**20)}}
    assert len(decode_frame(encode_frame(frame), DecodeBudget(64, 4, 4, 64))["body"]["snapshot"]) == 8 * 2**20


def _random_value(rng: random.Random, depth: int) -> Any:
    kind = rng.randrange(8 if depth < 6 else 5)
    if kind == 0:
        return rng.choice([None, True, False, 0, -1, 127, 128, -33, 2**31, -(2**40), 2**63, 1.5])
    if kind == 1:
        return "s" * rng.choice([0, 1, 31, 32, 255, 256, 70_000])
    if kind == 2:
        return bytes(rng.choice([0, 1, 255, 256, 70_000]))
    if kind in (3, 4):
        return rng.random()
    if kind == 5:
        return [_random_value(rng, depth + 1) for _ in range(rng.choice([0, 1, 15, 16, 40]))]
    if kind == 6:
        return {f"k{i}": _random_value(rng, depth + 1) for i in range(rng.choice([0, 1, 15, 16, 20]))}
    return np.zeros((2, 3), np.float32)


def _census(value: Any, depth: int = 1) -> tuple[int, int, int, int]:
    """(values, containers, depth, longest str in bytes) of a MessagePack value as msgpack builds it."""
    if isinstance(value, dict):
        parts = [*(_census(k, depth + 1) for k in value), *(_census(v, depth + 1) for v in value.values())]
    elif isinstance(value, list):
        parts = [_census(v, depth + 1) for v in value]
    else:
        return 1, 0, 0, len(value.encode()) if isinstance(value, str) else 0
    counts = [(1, 1, depth, 0), *parts]
    return (sum(c[0] for c in counts), sum(c[1] for c in counts), max(c[2] for c in counts),
            max(c[3] for c in counts))


def test_the_scan_counts_exactly_what_msgpack_builds() -> None:
    rng = random.Random(5)
    for _ in range(300):
        data = encode_frame(_random_value(rng, 1))
        values, containers, depth, longest = _census(msgpack.unpackb(data, raw=False, strict_map_key=False))
        _walk(data, DecodeBudget(values, containers, max(depth, 1), longest))  # exactly at the budget: accepted
        big = 2**32
        if values > 1:
            with pytest.raises(DecodeBudgetExceeded, match="max_frame_values"):
                _walk(data, DecodeBudget(values - 1, big, 64, big))
        if containers > 0:
            with pytest.raises(DecodeBudgetExceeded, match="max_frame_containers"):
                _walk(data, DecodeBudget(big, containers - 1, 64, big))
        if depth > 1:
            with pytest.raises(DecodeBudgetExceeded, match="max_frame_depth"):
                _walk(data, DecodeBudget(big, big, depth - 1, big))
        if longest > 0:
            with pytest.raises(DecodeBudgetExceeded, match="max_string_bytes"):
                _walk(data, DecodeBudget(big, big, 64, longest - 1))


def test_malformed_bytes_are_left_to_the_decoder() -> None:
    for data in (b"\xdd\x00\x00\x00\x05", b"\xc1" * 70_000, b"\xd4\x01\x00" * 30_000, b"\xdb\x00\x10"):
        check_decode_budget(data, FRAME_BUDGET)  # no exception other than the budget's own
        with pytest.raises(FrameDecodeError):
            decode_frame(data, FRAME_BUDGET)


def test_a_bad_ndarray_keeps_the_frame_id() -> None:
    actions = {"dtype": "int64", "shape": [3], "data": b"x"}
    bad = {"id": 42, "type": "step", "body": {"session_id": "s", "actions": actions}}
    with pytest.raises(MalformedNDArray) as caught:
        decode_frame(encode_frame(bad), FRAME_BUDGET)
    assert caught.value.request_id == 42
    with pytest.raises(MalformedNDArray) as caught:
        decode_frame(encode_frame({**bad, "id": -1}), FRAME_BUDGET)
    assert caught.value.request_id is None
