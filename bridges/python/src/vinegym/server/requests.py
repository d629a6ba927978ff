"""Validation of request frames and bodies (PROTOCOL.md 4 and 7): field names, required fields and types.
Every problem is a BAD_REQUEST naming the field. Where the protocol says int, a float64 holding a whole number is
accepted and turned into an int, as the reference server does (PROTOCOL.md 3)."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

from vinegym.protocol.errors import bad_request, quote, shortened
from vinegym.protocol.ndarray import MAX_SAFE_INTEGER

REQUEST_TYPES = ("hello", "list", "make", "reset", "step", "snapshot", "restore", "render", "close")
FRAME_KEYS = frozenset(("id", "type", "body"))

# A check returns the value as the server uses it (whole floats become ints) or raises BAD_REQUEST.
Check = Callable[[Any, str], Any]


def is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def is_safe_id(value: Any) -> bool:
    """An integer in [0, 2^53), as an int or as a float64 holding a whole number."""
    if is_int(value):
        return 0 <= value < MAX_SAFE_INTEGER
    return type(value) is float and value.is_integer() and 0 <= value < MAX_SAFE_INTEGER


def _fail(name: str, expected: str, value: Any) -> None:
    shown = quote(value) if isinstance(value, (int, float, str, bool)) else type(value).__name__
    raise bad_request(f"{name} must be {expected}, got {shown}", {"field": name})


def string(value: Any, name: str) -> Any:
    if not isinstance(value, str):
        _fail(name, "a string", value)
    return value


def nonnegative_int(value: Any, name: str) -> int:
    if not is_safe_id(value):
        _fail(name, "an integer in [0, 2^53)", value)
    return int(value)


def positive_int(value: Any, name: str) -> int:
    if not is_safe_id(value) or value == 0:
        _fail(name, "an integer > 0", value)
    return int(value)


def seed_or_null(value: Any, name: str) -> int | None:
    return None if value is None else nonnegative_int(value, name)


def boolean(value: Any, name: str) -> Any:
    if not isinstance(value, bool):
        _fail(name, "a boolean", value)
    return value


def map_value(value: Any, name: str) -> Any:
    if not isinstance(value, dict):
        _fail(name, "a map", value)
    return value


def binary(value: Any, name: str) -> Any:
    if not isinstance(value, bytes):
        _fail(name, "bin", value)
    return value


def list_of(item: Check, non_empty: bool = False) -> Check:
    def check(value: Any, name: str) -> list[Any]:
        if not isinstance(value, list) or (non_empty and not value):
            _fail(name, "a non-empty array" if non_empty else "an array", value)
        return [item(element, f"{name}[{i}]") for i, element in enumerate(value)]

    return check


def one_of(*choices: str) -> Check:
    def check(value: Any, name: str) -> Any:
        if value not in choices:
            _fail(name, "one of " + ", ".join(choices), value)
        return value

    return check


def client_identity(value: Any, name: str) -> Any:
    map_value(value, name)
    for key in ("name", "version"):
        if key not in value:
            raise bad_request(f"{name}.{key} is required", {"field": f"{name}.{key}"})
        string(value[key], f"{name}.{key}")
    return value


def anything(value: Any, name: str) -> Any:
    return value



@dataclass(frozen=True)
class Field:
    check: Check
    required: bool = False
    # A list with at most one entry per env of a session: longer than max_envs_per_session is refused before its
    # entries are looked at (PROTOCOL.md 9: that limit bounds every list of env indices and seeds).
    per_env: bool = False


BODY_FIELDS: dict[str, dict[str, Field]] = {
    "hello": {
        "protocol_versions": Field(list_of(positive_int, non_empty=True), required=True),
        "client": Field(client_identity, required=True),
        "token": Field(string),
    },
    "list": {},
    "make": {
        "env_id": Field(string, required=True),
        "kwargs": Field(anything),  # checked against the env's KwargSpecs (INVALID_KWARGS)
        "num_envs": Field(positive_int),
        "seed": Field(seed_or_null),
        "autoreset_mode": Field(one_of("next_step", "same_step", "disabled")),
        "strict_actions": Field(boolean),
    },
    "reset": {
        "session_id": Field(string, required=True),
        "seed": Field(seed_or_null),
        "seeds": Field(list_of(seed_or_null), per_env=True),
        "options": Field(map_value),
        "env_indices": Field(list_of(nonnegative_int), per_env=True),
    },
    "step": {
        "session_id": Field(string, required=True),
        "actions": Field(anything, required=True),  # checked against the action space (INVALID_ACTION)
    },
    "snapshot": {
        "session_id": Field(string, required=True),
        "env_indices": Field(list_of(nonnegative_int), required=True, per_env=True),
    },
    "restore": {
        "session_id": Field(string, required=True),
        "env_index": Field(nonnegative_int, required=True),
        "snapshot": Field(binary, required=True),
    },
    "render": {
        "session_id": Field(string, required=True),
        "env_index": Field(nonnegative_int, required=True),
    },
    "close": {"session_id": Field(string, required=True)},
}


def validate_body(request_type: str, body: Any, max_envs_per_session: int) -> dict[str, Any]:
    if not isinstance(body, dict):
        raise bad_request(f"body must be a map, got {type(body).__name__}", {"field": "body"})
    fields = BODY_FIELDS[request_type]
    for name in body:
        if name not in fields:
            raise bad_request(f"unknown field {quote(name)} in {request_type} request", {"field": shortened(name)})
    for name, spec in fields.items():
        if name not in body:
            if spec.required:
                raise bad_request(f"{request_type} requires field '{name}'", {"field": name})
            continue
        value = body[name]
        if spec.per_env and isinstance(value, list) and len(value) > max_envs_per_session:
            raise bad_request(
                f"{name} has {len(value)} entries; a session has at most {max_envs_per_session} envs",
                {"field": name},
            )
        body[name] = spec.check(value, name)
    return body
