"""A budget on what decoding one frame may build (PROTOCOL.md 9.1), checked on the MessagePack bytes before anything
is unpacked.

msgpack turns every value into a Python object: an array of n empty maps costs ~150 bytes of memory and a few
hundred ns per byte received, so a 64 MiB frame would take gigabytes and stall the event loop for seconds. Before
`msgpack.unpackb` runs, `check_decode_budget` walks the headers (skipping str and bin payloads by their length)
and rejects a frame with more values or containers, deeper nesting or a longer str than the budget allows.

Every value takes at least one byte, so a frame no longer than `max_values` and `max_containers` bytes cannot
exceed those budgets, nor hold a str longer than itself: such frames (nearly every step request) are not scanned;
their nesting is checked by the unpacker's stack limit and the codec's conversion walk (codec.py), which cost
nothing extra.
"""
from __future__ import annotations

import struct
from dataclasses import dataclass


@dataclass(frozen=True)
class DecodeBudget:
    """Limits of one frame: `max_values` MessagePack values of any kind (the frame, array elements, map keys and
    map values), `max_containers` maps and arrays, containers nested at most `max_depth` deep (the frame's own map
    is at depth 1), strs of at most `max_string_bytes`. Errors name the limit by its `hello.limits` entry, with
    `suffix` appended (the budget before hello has its own entries)."""

    max_values: int
    max_containers: int
    max_depth: int
    max_string_bytes: int
    suffix: str = ""  # "_before_hello" for the budget before hello

    def exceeded(self, limit: str, what: str) -> DecodeBudgetExceeded:
        return DecodeBudgetExceeded(limit + self.suffix, getattr(self, _FIELD_OF_LIMIT[limit]), what)


_FIELD_OF_LIMIT = {
    "max_frame_values": "max_values",
    "max_frame_containers": "max_containers",
    "max_frame_depth": "max_depth",
    "max_string_bytes": "max_string_bytes",
}


class DecodeBudgetExceeded(ValueError):
    """The frame would exceed its decode budget: `limit` is the limit's hello.limits name, `maximum` its value."""

    def __init__(self, limit: str, maximum: int, what: str) -> None:
        super().__init__(f"the frame has {what} (at most {maximum}: {limit})")
        self.limit = limit
        self.maximum = maximum


# What each first byte starts: a kind and, for fixed-width values, the bytes the value takes in all.
_SCALAR, _FIXMAP, _FIXARRAY, _FIXSTR, _STR, _BIN, _ARRAY, _MAP, _EXT, _INVALID = range(10)
_KIND = [_SCALAR] * 256
_WIDTH = [1] * 256
for _b in range(0x80, 0x90):
    _KIND[_b] = _FIXMAP
for _b in range(0x90, 0xA0):
    _KIND[_b] = _FIXARRAY
for _b in range(0xA0, 0xC0):
    _KIND[_b] = _FIXSTR
for _b, _w in ((0xCA, 5), (0xCB, 9), (0xCC, 2), (0xCD, 3), (0xCE, 5), (0xCF, 9), (0xD0, 2), (0xD1, 3), (0xD2, 5),
               (0xD3, 9)):
    _WIDTH[_b] = _w
for _b, _w in ((0xD9, 1), (0xDA, 2), (0xDB, 4)):
    _KIND[_b], _WIDTH[_b] = _STR, _w
for _b, _w in ((0xC4, 1), (0xC5, 2), (0xC6, 4)):
    _KIND[_b], _WIDTH[_b] = _BIN, _w
for _b, _w in ((0xDC, 2), (0xDD, 4)):
    _KIND[_b], _WIDTH[_b] = _ARRAY, _w
for _b, _w in ((0xDE, 2), (0xDF, 4)):
    _KIND[_b], _WIDTH[_b] = _MAP, _w
for _b in (0xC7, 0xC8, 0xC9, 0xD4, 0xD5, 0xD6, 0xD7, 0xD8):
    _KIND[_b] = _EXT
_KIND[0xC1] = _INVALID
_LENGTH = {1: struct.Struct(">B"), 2: struct.Struct(">H"), 4: struct.Struct(">I")}


def check_decode_budget(data: bytes, budget: DecodeBudget) -> None:
    """Raises DecodeBudgetExceeded when decoding `data` would exceed `budget`. Malformed bytes (truncated,
    extension types, 0xc1) are left to the decoder, which rejects them; the walk only stops early for them."""
    if len(data) <= budget.max_values and len(data) <= budget.max_containers and len(data) <= budget.max_string_bytes:
        return
    _walk(data, budget)


def _walk(data: bytes, budget: DecodeBudget) -> None:
    size = len(data)
    max_values, max_containers = budget.max_values, budget.max_containers
    max_depth, max_str = budget.max_depth, budget.max_string_bytes
    pending = [1]  # values still to read in each open container, innermost last
    values = containers = 0
    pos = 0
    while pending:
        if pending[-1] == 0:
            pending.pop()
            continue
        pending[-1] -= 1
        if pos >= size:
            return  # truncated: the decoder says so
        values += 1
        if values > max_values:
            raise budget.exceeded("max_frame_values", f"more than {max_values} values")
        first = data[pos]
        kind = _KIND[first]
        if kind is _SCALAR:
            pos += _WIDTH[first]
            continue
        if kind is _FIXSTR:
            length = first & 0x1F
            if length > max_str:
                raise budget.exceeded("max_string_bytes", f"a str of {length} bytes")
            pos += 1 + length
            continue
        if kind is _FIXMAP or kind is _FIXARRAY:
            count = (first & 0x0F) * (2 if kind is _FIXMAP else 1)
            pos += 1
        elif kind is _STR or kind is _BIN or kind is _ARRAY or kind is _MAP:
            width = _WIDTH[first]
            if pos + 1 + width > size:
                return
            (length,) = _LENGTH[width].unpack_from(data, pos + 1)
            pos += 1 + width
            if kind is _STR or kind is _BIN:
                if kind is _STR and length > max_str:
                    raise budget.exceeded("max_string_bytes", f"a str of {length} bytes")
                pos += length
                continue
            count = length * (2 if kind is _MAP else 1)
        else:
            return  # extension type or 0xc1: the decoder rejects the frame
        containers += 1
        if containers > max_containers:
            raise budget.exceeded("max_frame_containers", f"more than {max_containers} maps and arrays")
        if len(pending) > max_depth:  # the new container's depth: the frame's own map is at 1
            raise budget.exceeded("max_frame_depth", f"containers nested deeper than {max_depth}")
        if count:
            if count > max_values - values:
                raise budget.exceeded("max_frame_values", f"more than {max_values} values")
            pending.append(count)
