"""Every shared test vector decodes to its message and encodes back to its exact bytes."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from vector_json import from_vector_json, values_equal

from vinegym.protocol.codec import FrameDecodeError, decode_frame, encode_frame

VECTORS_PATH = Path(__file__).resolve().parents[3] / "packages" / "protocol" / "vectors" / "vectors.json"
VECTORS: list[dict[str, Any]] = json.loads(VECTORS_PATH.read_text())["vectors"]


def test_vector_file_is_protocol_1() -> None:
    assert json.loads(VECTORS_PATH.read_text())["protocol_version"] == 1
    assert len(VECTORS) > 20


@pytest.mark.parametrize("vector", VECTORS, ids=[v["name"] for v in VECTORS])
def test_decode_matches_message(vector: dict[str, Any]) -> None:
    decoded = decode_frame(bytes.fromhex(vector["hex"]))
    assert values_equal(decoded, from_vector_json(vector["message"]))


@pytest.mark.parametrize("vector", VECTORS, ids=[v["name"] for v in VECTORS])
def test_encode_reproduces_bytes(vector: dict[str, Any]) -> None:
    assert encode_frame(from_vector_json(vector["message"])).hex() == vector["hex"]


@pytest.mark.parametrize("vector", VECTORS, ids=[v["name"] for v in VECTORS])
def test_decode_then_encode_is_identity(vector: dict[str, Any]) -> None:
    raw = bytes.fromhex(vector["hex"])
    assert encode_frame(decode_frame(raw)) == raw


@pytest.mark.parametrize(
    ("name", "raw"),
    [
        ("trailing bytes", b"\x80\x00"),
        ("truncated", b"\x82\xa2id"),
        ("never-used byte", b"\xc1"),
        ("fixext", b"\xd4\x01\x00"),
        ("timestamp ext", b"\xd6\xff\x00\x00\x00\x00"),
        ("int map key", b"\x81\x01\x02"),
        ("bad ndarray dtype", encode_frame({"dtype": "float16", "shape": [1], "data": b"\x00\x00"})),
        ("bad ndarray length", encode_frame({"dtype": "float32", "shape": [2], "data": b"\x00\x00\x00\x00"})),
        ("bad ndarray shape", encode_frame({"dtype": "uint8", "shape": [-1], "data": b""})),
    ],
)
def test_decode_rejects(name: str, raw: bytes) -> None:
    with pytest.raises(FrameDecodeError):
        decode_frame(raw)


def test_int_widths_are_canonical() -> None:
    assert encode_frame(2**32) == b"\xd3" + (2**32).to_bytes(8, "big")
    assert encode_frame(2**32 - 1) == b"\xce\xff\xff\xff\xff"
    assert encode_frame(-(2**31) - 1) == b"\xd3" + (-(2**31) - 1).to_bytes(8, "big", signed=True)
    assert encode_frame(2**53)[0] == 0xCB
    assert encode_frame(1.0)[0] == 0xCB


def test_decoder_accepts_any_int_width() -> None:
    assert decode_frame(b"\xcf" + (5).to_bytes(8, "big")) == 5
    assert decode_frame(b"\xd0\x05") == 5
    assert decode_frame(b"\xca\x3f\x80\x00\x00") == 1.0
