"""NDArrays on the wire (PROTOCOL.md 3.2): `{dtype, shape, data}` maps of raw little-endian bytes <-> numpy arrays."""
from __future__ import annotations

from typing import Any

import numpy as np

from vinegym.protocol.errors import quote

# Wire dtype name -> little-endian numpy dtype.
WIRE_DTYPES: dict[str, np.dtype[Any]] = {
    name: np.dtype(name).newbyteorder("<")
    for name in (
        "bool",
        "int8",
        "uint8",
        "int16",
        "uint16",
        "int32",
        "uint32",
        "int64",
        "uint64",
        "float32",
        "float64",
    )
}
NDARRAY_KEYS = frozenset(("dtype", "shape", "data"))
MAX_SAFE_INTEGER = 2**53


def wire_dtype_name(dtype: np.dtype[Any]) -> str:
    """The wire name of a numpy dtype; TypeError for dtypes the protocol lacks (float16, complex, object...)."""
    name = np.dtype(dtype).name
    if name not in WIRE_DTYPES:
        raise TypeError(f"dtype {name} has no NDArray encoding")
    return name


def ndarray_bytes(array: np.ndarray[Any, Any]) -> bytes:
    """Row-major little-endian bytes of `array`."""
    le = np.ascontiguousarray(array, dtype=array.dtype.newbyteorder("<"))
    return le.tobytes()


def looks_like_ndarray(value: dict[Any, Any]) -> bool:
    return len(value) == 3 and value.keys() == NDARRAY_KEYS and isinstance(value.get("data"), bytes)


def ndarray_from_wire(value: dict[str, Any]) -> np.ndarray[Any, Any]:
    """Builds a (native-order, writable) numpy array from an NDArray map; ValueError when it is invalid."""
    dtype_name = value["dtype"]
    shape = value["shape"]
    data = value["data"]
    if not isinstance(dtype_name, str) or dtype_name not in WIRE_DTYPES:
        raise ValueError(f"NDArray has unknown dtype {quote(dtype_name)}")
    if not isinstance(shape, list) or not all(
        isinstance(d, int) and not isinstance(d, bool) and 0 <= d < MAX_SAFE_INTEGER for d in shape
    ):
        raise ValueError(f"NDArray has invalid shape {quote(shape)}")
    dtype = WIRE_DTYPES[dtype_name]
    count = 1
    for d in shape:
        count *= d
    if len(data) != count * dtype.itemsize:
        raise ValueError(
            f"NDArray data is {len(data)} bytes, expected {count * dtype.itemsize} for {dtype_name} {quote(shape)}"
        )
    if dtype_name == "bool":
        flat = np.frombuffer(data, dtype=np.uint8) != 0
    else:
        flat = np.frombuffer(data, dtype=dtype).astype(dtype.newbyteorder("="))
    return flat.reshape(shape)
