"""Validation of request frames and bodies (PROTOCOL.md 4 and 7): field names, required fields and types.
Every problem is a BAD_REQUEST naming the field."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

from vinegym.protocol.errors import bad_request
from vinegym.protocol.ndarray import MAX_SAFE_INTEGER

REQUEST_TYPES = ("hello", "list", "make", "reset", "step", "snapshot", "restore", "render", "close")
FRAME_KEYS = frozenset(("id", "type", "body"))

Check = Callable[[Any, str], None]


def is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def is_safe_id(value: Any) -> bool:
    return is_int(value) and 0 <= value < MAX_SAFE_INTEGER


def _fail(name: str, expected: str, value: Any) -> None:
    shown = type(value).__name__ if not isinstance(value, (int, float, str, bool)) or isinstance(value, str) else value
    raise bad_request(f"{name} must be {expected}, got {shown!r}", {"field": name})


def string(value: Any, name: str) -> None:
    if not isinstance(value, str):
        _fail(name, "a string", value)


def nonnegative_int(value: Any, name: str) -> None:
    if not is_safe_id(value):
        _fail(name, "an integer in [0, 2^53)", value)


def positive_int(value: Any, name: str) -> None:
    if not is_safe_id(value) or value == 0:
        _fail(name, "an integer > 0", value)


def seed_or_null(value: Any, name: str) -> None:
    if value is not None:
        nonnegative_int(value, name)


def boolean(value: Any, name: str) -> None:
    if not isinstance(value, bool):
        _fail(name, "a boolean", value)


def map_value(value: Any, name: str) -> None:
    if not isinstance(value, dict):
        _fail(name, "a map", value)


def binary(value: Any, name: str) -> None:
    if not isinstance(value, bytes):
        _fail(name, "bin", value)


def list_of(item: Check, non_empty: bool = False) -> Check:
    def check(value: Any, name: str) -> None:
        if not isinstance(value, list) or (non_empty and not value):
            _fail(name, "a non-empty array" if non_empty else "an array", value)
        for i, element in enumerate(value):
            item(element, f"{name}[{i}]")

    return check


def one_of(*choices: str) -> Check:
    def check(value: Any, name: str) -> None:
        if value not in choices:
            _fail(name, "one of " + ", ".join(choices), value)

    return check


def client_identity(value: Any, name: str) -> None:
    map_value(value, name)
    for key in ("name", "version"):
        if key not in value:
            raise bad_request(f"{name}.{key} is required", {"field": f"{name}.{key}"})
        string(value[key], f"{name}.{key}")


def anything(value: Any, name: str) -> None:
    pass



@dataclass(frozen=True)
class Field:
    check: Check
    required: bool = False


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
        "seeds": Field(list_of(seed_or_null)),
        "options": Field(map_value),
        "env_indices": Field(list_of(nonnegative_int)),
    },
    "step": {
        "session_id": Field(string, required=True),
        "actions": Field(anything, required=True),  # checked against the action space (INVALID_ACTION)
    },
    "snapshot": {
        "session_id": Field(string, required=True),
        "env_indices": Field(list_of(nonnegative_int), required=True),
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


def validate_body(request_type: str, body: Any) -> dict[str, Any]:
    if not isinstance(body, dict):
        raise bad_request(f"body must be a map, got {type(body).__name__}", {"field": "body"})
    fields = BODY_FIELDS[request_type]
    for name in body:
        if name not in fields:
            raise bad_request(f"unknown field '{name}' in {request_type} request", {"field": name})
    for name, spec in fields.items():
        if name not in body:
            if spec.required:
                raise bad_request(f"{request_type} requires field '{name}'", {"field": name})
            continue
        spec.check(body[name], name)
    return body
