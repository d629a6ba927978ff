"""Gymnasium spaces <-> wire spaces, batching, and value conversion/validation."""
from __future__ import annotations

from collections import OrderedDict

import numpy as np
import pytest
from gymnasium import spaces

from vinegym.protocol.codec import decode_frame, encode_frame
from vinegym.protocol.spaces import UnsupportedSpaceError, batch_wire_space, space_from_wire, space_to_wire
from vinegym.protocol.values import (
    InvalidValueError,
    split_wire_batch,
    stack_to_wire,
    wire_batch_row,
    wire_batch_to_gym,
)

SPACES = [
    spaces.Box(-np.inf, np.inf, (4,), np.float32),
    spaces.Box(0, 255, (6, 5, 3), np.uint8),
    spaces.Box(np.array([-1.0, 0.0]), np.array([1.0, 2.0]), dtype=np.float64),
    spaces.Discrete(2),
    spaces.Discrete(5, start=-2),
    spaces.MultiDiscrete([3, 4], start=[1, 0]),
    spaces.MultiBinary(3),
    spaces.MultiBinary([2, 2]),
    spaces.Dict({"b": spaces.Discrete(2), "a": spaces.Tuple((spaces.Box(0, 1, (1,)), spaces.MultiBinary(1)))}),
]


@pytest.mark.parametrize("space", SPACES, ids=[str(s) for s in SPACES])
def test_space_round_trips_through_the_wire(space: spaces.Space) -> None:
    wire = decode_frame(encode_frame(space_to_wire(space)))
    assert space_from_wire(wire) == space


def test_dict_order_is_preserved() -> None:
    space = spaces.Dict(OrderedDict([("z", spaces.Discrete(2)), ("a", spaces.Discrete(3))]))
    wire = space_to_wire(space)
    assert list(wire["spaces"]) == ["z", "a"]
    assert list(space_from_wire(decode_frame(encode_frame(wire))).spaces) == ["z", "a"]


def test_box_wire_form() -> None:
    wire = space_to_wire(spaces.Box(0, 255, (2, 2, 3), np.uint8))
    assert wire["type"] == "box" and wire["dtype"] == "uint8" and wire["shape"] == [2, 2, 3]
    assert wire["low"].dtype == np.uint8 and wire["low"].shape == (2, 2, 3) and wire["high"].max() == 255


def test_unsupported_spaces_are_rejected() -> None:
    with pytest.raises(UnsupportedSpaceError):
        space_to_wire(spaces.Text(5))
    with pytest.raises(UnsupportedSpaceError):
        space_to_wire(spaces.Dict({"0": spaces.Discrete(2)}))


def test_batched_spaces_follow_gymnasium_batch_space() -> None:
    batched = batch_wire_space(space_to_wire(spaces.Discrete(3, start=1)), 4)
    assert batched["type"] == "multi_discrete"
    assert batched["nvec"].tolist() == [3] * 4 and batched["start"].tolist() == [1] * 4
    box = batch_wire_space(space_to_wire(spaces.Box(-1, 1, (2,), np.float32)), 3)
    assert box["shape"] == [3, 2] and box["low"].shape == (3, 2)
    assert batch_wire_space(space_to_wire(spaces.MultiBinary(2)), 5) == {"type": "multi_binary", "shape": [5, 2]}
    nested = batch_wire_space(space_to_wire(SPACES[-1]), 2)
    assert nested["spaces"]["b"]["type"] == "multi_discrete"
    assert nested["spaces"]["a"]["spaces"][1] == {"type": "multi_binary", "shape": [2, 1]}
    md = batch_wire_space(space_to_wire(spaces.MultiDiscrete([3, 4])), 2)
    assert md["nvec"].tolist() == [[3, 4], [3, 4]]


@pytest.mark.parametrize("space", SPACES, ids=[str(s) for s in SPACES])
def test_values_stack_and_split(space: spaces.Space) -> None:
    space.seed(0)
    values = [space.sample() for _ in range(3)]
    wire = decode_frame(encode_frame(stack_to_wire(space, values)))
    split = split_wire_batch(space, wire, 3)
    for original, got, i in zip(values, split, range(3)):
        assert space.contains(got)
        row = wire_batch_row(space, wire, i)
        assert space.contains(row)
        assert encode_frame(stack_to_wire(space, [original])) == encode_frame(stack_to_wire(space, [got]))
    assert space.contains(wire_batch_row(space, wire, 0))
    wire_batch_to_gym(space, wire)


def test_discrete_batches_are_int64_and_accept_any_int_dtype() -> None:
    space = spaces.Discrete(2)
    assert stack_to_wire(space, [1, 0]).dtype == np.int64
    assert split_wire_batch(space, np.array([1, 0], dtype=np.uint8), 2) == [1, 0]


@pytest.mark.parametrize(
    ("space", "batch", "env_index"),
    [
        (spaces.Discrete(2), np.array([1, 2]), 1),
        (spaces.Discrete(2), np.array([1.0, 0.0]), None),
        (spaces.Discrete(2), np.array([1, 0, 1]), None),
        (spaces.Box(-1, 1, (2,), np.float32), np.array([[0, 0], [0, np.nan]], dtype=np.float32), 1),
        (spaces.Box(-1, 1, (2,), np.float32), np.array([[0, 0], [0, 2]], dtype=np.float32), 1),
        (spaces.Box(-1, 1, (2,), np.float32), np.zeros((2, 2), dtype=np.float64), None),
        (spaces.MultiBinary(2), np.array([[0, 1], [2, 0]], dtype=np.int8), 1),
        (spaces.MultiDiscrete([2, 3]), np.array([[0, 3], [0, 0]]), 0),
        (spaces.Tuple((spaces.Discrete(2),)), np.array([0, 1]), None),
        (spaces.Dict({"a": spaces.Discrete(2)}), {"b": np.array([0, 1])}, None),
    ],
)
def test_invalid_batches_name_the_env(space: spaces.Space, batch: object, env_index: int | None) -> None:
    with pytest.raises(InvalidValueError) as caught:
        split_wire_batch(space, batch, 2)
    assert caught.value.env_index == env_index
