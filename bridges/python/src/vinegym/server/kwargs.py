"""Env kwargs a client may pass to `make` (PROTOCOL.md 7.2 KwargSpec), derived from an env constructor's
signature, and their validation (INVALID_KWARGS)."""
from __future__ import annotations

import inspect
import json
import math
from dataclasses import dataclass
from typing import Any, Callable

from vinegym.protocol.errors import ErrorCode, VinegymError, quote, shortened

# Keyword arguments the server controls itself.
SERVER_CONTROLLED_KWARGS = frozenset(("render_mode",))
# String kwargs that name files or directories (Gymnasium's MuJoCo envs open `xml_file` wherever it points) are the
# operator's (--kwargs), never a client's: a client must not make the bridge open a path of its choosing.
_PATH_NAME_ENDINGS = ("file", "path", "dir", "directory", "filename", "folder")


def is_path_kwarg(name: str) -> bool:
    return name.lower().split("_")[-1] in _PATH_NAME_ENDINGS

@dataclass(frozen=True)
class KwargSpec:
    name: str
    type: str  # "number" | "integer" | "boolean" | "string"
    default: float | int | bool | str | None
    description: str | None = None
    minimum: float | None = None
    maximum: float | None = None

    def to_wire(self) -> dict[str, Any]:
        wire: dict[str, Any] = {
            "type": self.type,
            "default": self.default,
            "description": self.description or f"{self.name} (constructor argument)",
        }
        if self.minimum is not None:
            wire["minimum"] = self.minimum
        if self.maximum is not None:
            wire["maximum"] = self.maximum
        return wire


def _kwarg_type(default: Any, annotation: Any) -> str | None:
    if isinstance(default, bool):
        return "boolean"
    if isinstance(default, int):
        return "number" if "float" in str(annotation) else "integer"
    if isinstance(default, float):
        return "number" if math.isfinite(default) else None
    if isinstance(default, str):
        return "string"
    return None


def kwarg_specs_from_signature(constructor: Callable[..., Any], defaults: dict[str, Any]) -> dict[str, KwargSpec]:
    """KwargSpecs for the constructor's parameters with a bool/int/float/str default; `defaults` (registration
    kwargs, then the server's --kwargs) override the signature defaults and add keys the signature hides behind
    **kwargs."""
    merged: dict[str, tuple[Any, Any]] = {}
    try:
        signature = inspect.signature(constructor)
    except (TypeError, ValueError):
        signature = None
    if signature is not None:
        for parameter in signature.parameters.values():
            if parameter.kind in (parameter.VAR_POSITIONAL, parameter.VAR_KEYWORD) or parameter.name == "self":
                continue
            if parameter.default is not parameter.empty:
                merged[parameter.name] = (parameter.default, parameter.annotation)
    for name, value in defaults.items():
        annotation = merged.get(name, (None, float if isinstance(value, float) else None))[1]
        merged[name] = (value, annotation)
    specs: dict[str, KwargSpec] = {}
    for name, (default, annotation) in merged.items():
        kind = _kwarg_type(default, annotation)
        if kind is not None and name not in SERVER_CONTROLLED_KWARGS and not (kind == "string" and is_path_kwarg(name)):
            specs[name] = KwargSpec(name, kind, default)
    return specs


def _accepts(spec: KwargSpec, value: Any) -> Any:
    """The value converted to the spec's type, or raises INVALID_KWARGS."""
    if spec.type == "boolean" and isinstance(value, bool):
        return value
    if spec.type == "string" and isinstance(value, str):
        return value
    if spec.type in ("number", "integer") and isinstance(value, (int, float)) and not isinstance(value, bool):
        if not math.isfinite(value):
            raise VinegymError(ErrorCode.INVALID_KWARGS, f"kwarg '{spec.name}' must be finite", {"key": spec.name})
        _check_range(spec, value)
        if spec.type == "number":
            return float(value)
        if float(value).is_integer():
            return int(value)
    raise VinegymError(
        ErrorCode.INVALID_KWARGS,
        f"kwarg '{spec.name}' must be a {spec.type}, got {quote(value)}",
        {"key": spec.name},
    )


def _check_range(spec: KwargSpec, value: float) -> None:
    if spec.minimum is not None and value < spec.minimum:
        raise VinegymError(ErrorCode.INVALID_KWARGS, f"kwarg '{spec.name}' must be >= {spec.minimum:g}, got {value}", {"key": spec.name})
    if spec.maximum is not None and value > spec.maximum:
        raise VinegymError(ErrorCode.INVALID_KWARGS, f"kwarg '{spec.name}' must be <= {spec.maximum:g}, got {value}", {"key": spec.name})


def validate_kwargs(env_id: str, specs: dict[str, KwargSpec], given: Any) -> dict[str, Any]:
    """The client's kwargs checked against `specs` and completed with defaults (null means the default)."""
    if given is None:
        given = {}
    if not isinstance(given, dict):
        raise VinegymError(ErrorCode.INVALID_KWARGS, f"kwargs must be a map, got {type(given).__name__}")
    for name in given:
        if name not in specs:
            accepted = ", ".join(specs) or "none"
            raise VinegymError(
                ErrorCode.INVALID_KWARGS,
                f"unknown kwarg {quote(name)} for {env_id} (accepted: {accepted})",
                {"key": shortened(name)},
            )
    result: dict[str, Any] = {}
    for name, spec in specs.items():
        value = given.get(name)
        result[name] = spec.default if value is None else _accepts(spec, value)
    return result


def canonical_kwargs(kwargs: dict[str, Any]) -> str:
    """A string that is equal for equal effective kwargs (used to match snapshots to sessions)."""
    return json.dumps(kwargs, sort_keys=True, separators=(",", ":"), default=repr)
