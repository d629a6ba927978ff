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

import functools
import re
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


# Per first byte: the bytes a value takes when that is fixed by its first byte (ints, floats, nil, bools and fixstrs;
# 0: anything else), and the values a fixmap or fixarray holds (-1: not one).
_FIXED_WIDTH = [0] * 256
_FIX_ITEMS = [-1] * 256
for _b in (*range(0x00, 0x80), 0xC0, 0xC2, 0xC3, *range(0xE0, 0x100)):
    _FIXED_WIDTH[_b] = 1
for _b, _w in ((0xCA, 5), (0xCB, 9), (0xCC, 2), (0xCD, 3), (0xCE, 5), (0xCF, 9), (0xD0, 2), (0xD1, 3), (0xD2, 5),
               (0xD3, 9)):
    _FIXED_WIDTH[_b] = _w
for _b in range(0xA0, 0xC0):
    _FIXED_WIDTH[_b] = 1 + (_b & 0x1F)
for _b in range(0x80, 0x90):
    _FIX_ITEMS[_b] = 2 * (_b & 0x0F)
for _b in range(0x90, 0xA0):
    _FIX_ITEMS[_b] = _b & 0x0F
# str 8/16/32, bin 8/16/32, array 16/32, map 16/32: the width of the length that follows, and what they are.
_SIZED = {0xD9: (1, "str"), 0xDA: (2, "str"), 0xDB: (4, "str"), 0xC4: (1, "bin"), 0xC5: (2, "bin"), 0xC6: (4, "bin"),
          0xDC: (2, "array"), 0xDD: (4, "array"), 0xDE: (2, "map"), 0xDF: (4, "map")}
_LENGTH = {1: struct.Struct(">B"), 2: struct.Struct(">H"), 4: struct.Struct(">I")}
# A run of one-byte values: fixints, nil, bools, empty fixmaps, fixarrays and fixstrs. Counted in C, so that an
# array of 65,536 of them costs microseconds.
_ONE_BYTE_RUN = re.compile(rb"[\x00-\x80\x90\xa0\xc0\xc2\xc3\xe0-\xff]+")
# One scalar of fixed width (ints, floats, nil, bools, fixstrs): each first byte has one alternative, so a run of
# them splits into values in exactly one way, and `subn` counts them in C (lists of 60,000 indices or seeds).
_SCALAR = (
    rb"(?:[\x00-\x7f\xc0\xc2\xc3\xe0-\xff]|[\xcc\xd0].|[\xcd\xd1].{2}|[\xca\xce\xd2].{4}|[\xcb\xcf\xd3].{8}|"
    + b"|".join(re.escape(bytes((0xA0 + n,))) + b".{%d}" % n for n in range(32))
    + b")"
)
_ONE_SCALAR = re.compile(_SCALAR, re.DOTALL)
_SCALAR_RUN = re.compile(_SCALAR + b"+", re.DOTALL)
_RUN_WORTH_MATCHING = 16


@functools.lru_cache(maxsize=64)
def _scalar_run_of_at_most(count: int) -> re.Pattern[bytes]:
    return re.compile(_SCALAR + b"{1,%d}" % count, re.DOTALL)


# A run of scalars of one kind (the same first byte, so the same width): a plain repetition the regex engine
# matches fast, counted by its length (sorted index lists are a few such runs).
_SAME_KIND_RUN = [
    re.compile(b"(?:" + re.escape(bytes((first,))) + b".{%d})+" % (width - 1), re.DOTALL) if width > 1 else None
    for first, width in enumerate(_FIXED_WIDTH)
]


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
    fixed_width = _FIXED_WIDTH if max_str >= 31 else [0 if 0xA0 + max_str < b < 0xC0 else w
                                                      for b, w in enumerate(_FIXED_WIDTH)]
    enclosing: list[int] = []  # values still to read in each enclosing container
    left = 1  # values still to read in the current container (the frame: one value)
    values = containers = pos = 0
    while True:
        while left == 0:
            if not enclosing:
                return
            left = enclosing.pop()
        if pos >= size:
            return  # truncated: the decoder says so
        if left >= _RUN_WORTH_MATCHING:
            run = _ONE_BYTE_RUN.match(data, pos, pos + left)
            if run is not None:
                n = run.end() - pos
                empties = data.count(b"\x80", pos, pos + n) + data.count(b"\x90", pos, pos + n)
                values += n
                containers += empties
                if values > max_values:
                    raise budget.exceeded("max_frame_values", f"more than {max_values} values")
                if containers > max_containers:
                    raise budget.exceeded("max_frame_containers", f"more than {max_containers} maps and arrays")
                if empties and len(enclosing) + 1 > max_depth:
                    raise budget.exceeded("max_frame_depth", f"containers nested deeper than {max_depth}")
                pos += n
                left -= n
                continue
            first = data[pos]
            width = fixed_width[first]
            same_kind = _SAME_KIND_RUN[first] if width else None
            if same_kind is not None:
                run = same_kind.match(data, pos, min(size, pos + left * width))
                n = 0 if run is None else (run.end() - pos) // width
                if n >= _RUN_WORTH_MATCHING:
                    values += n
                    if values > max_values:
                        raise budget.exceeded("max_frame_values", f"more than {max_values} values")
                    pos += n * width
                    left -= n
                    continue
            if max_str >= 31:  # fixstrs need no check then
                run = _SCALAR_RUN.match(data, pos)
                if run is not None:
                    _, n = _ONE_SCALAR.subn(b"", data[pos : run.end()])
                    if n > left:  # the run goes on past this container: take only its own values
                        run = _scalar_run_of_at_most(left).match(data, pos)
                        assert run is not None
                        n = left
                    values += n
                    if values > max_values:
                        raise budget.exceeded("max_frame_values", f"more than {max_values} values")
                    pos = run.end()
                    left -= n
                    continue
        left -= 1
        values += 1
        if values > max_values:
            raise budget.exceeded("max_frame_values", f"more than {max_values} values")
        first = data[pos]
        width = fixed_width[first]
        if width:
            pos += width
            continue
        items = _FIX_ITEMS[first]
        if items >= 0:
            pos += 1
        else:
            sized = _SIZED.get(first)
            if sized is None:
                if 0xA0 <= first < 0xC0:
                    raise budget.exceeded("max_string_bytes", f"a str of {first & 0x1F} bytes")
                return  # extension type or 0xc1: the decoder rejects the frame
            length_width, kind = sized
            if pos + 1 + length_width > size:
                return
            (length,) = _LENGTH[length_width].unpack_from(data, pos + 1)
            pos += 1 + length_width
            if kind == "str" or kind == "bin":
                if kind == "str" and length > max_str:
                    raise budget.exceeded("max_string_bytes", f"a str of {length} bytes")
                pos += length
                continue
            items = length * 2 if kind == "map" else length
        containers += 1
        if containers > max_containers:
            raise budget.exceeded("max_frame_containers", f"more than {max_containers} maps and arrays")
        if len(enclosing) + 1 > max_depth:  # the new container's depth: the frame's own map is at 1
            raise budget.exceeded("max_frame_depth", f"containers nested deeper than {max_depth}")
        if items:
            if items > max_values - values:
                raise budget.exceeded("max_frame_values", f"more than {max_values} values")
            enclosing.append(left)
            left = items
