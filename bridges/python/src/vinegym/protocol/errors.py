"""The fixed set of protocol v1 error codes and the exception that carries one."""
from __future__ import annotations

from enum import Enum
from typing import Any


class ErrorCode(str, Enum):
    BAD_REQUEST = "BAD_REQUEST"
    UNSUPPORTED_VERSION = "UNSUPPORTED_VERSION"
    UNAUTHORIZED = "UNAUTHORIZED"
    UNKNOWN_ENV = "UNKNOWN_ENV"
    INVALID_KWARGS = "INVALID_KWARGS"
    UNKNOWN_SESSION = "UNKNOWN_SESSION"
    INVALID_ACTION = "INVALID_ACTION"
    NOT_SUPPORTED = "NOT_SUPPORTED"
    LIMIT_EXCEEDED = "LIMIT_EXCEEDED"
    ENV_ERROR = "ENV_ERROR"
    INTERNAL = "INTERNAL"


class VinegymError(Exception):
    """A protocol error: raised by the server to answer a request, and by the client for an error response."""

    def __init__(self, code: ErrorCode | str, message: str, details: dict[str, Any] | None = None) -> None:
        super().__init__(f"{code.value if isinstance(code, ErrorCode) else code}: {message}")
        self.code = code.value if isinstance(code, ErrorCode) else str(code)
        self.message = message
        self.details = details

    def to_wire(self) -> dict[str, Any]:
        wire: dict[str, Any] = {"code": self.code, "message": self.message}
        if self.details:
            wire["details"] = self.details
        return wire

    @classmethod
    def from_wire(cls, error: Any) -> VinegymError:
        if not isinstance(error, dict):
            return cls(ErrorCode.INTERNAL, f"malformed error object {error!r}")
        details = error.get("details")
        return cls(
            str(error.get("code", ErrorCode.INTERNAL.value)),
            str(error.get("message", "")),
            details if isinstance(details, dict) else None,
        )


def bad_request(message: str, details: dict[str, Any] | None = None) -> VinegymError:
    return VinegymError(ErrorCode.BAD_REQUEST, message, details)




QUOTE_CHARS = 64


def shortened(text: object) -> object:
    """A client string cut to QUOTE_CHARS characters, ended by `...` and its length (PROTOCOL.md 4: messages and
    details never echo more of what a client sent); other values as they are."""
    if isinstance(text, str) and len(text) > QUOTE_CHARS:
        return f"{text[:QUOTE_CHARS]}... ({len(text)} characters)"
    return text


def quote(value: object) -> str:
    """A client value for an error message: a str quoted and shortened, a container described by its type and size,
    anything else by its repr (numbers, bools, None: short)."""
    if isinstance(value, str):
        if len(value) > QUOTE_CHARS:
            return f"'{value[:QUOTE_CHARS]}'... ({len(value)} characters)"
        return repr(value)
    if isinstance(value, (list, tuple, dict, bytes, bytearray)):
        text = repr(value) if len(value) <= 8 else ""
        return text if 0 < len(text) <= QUOTE_CHARS else f"{type(value).__name__} of length {len(value)}"
    text = repr(value)
    return text if len(text) <= QUOTE_CHARS else f"{text[:QUOTE_CHARS]}..."


BRIEF_CHARS = 200


def brief(error: BaseException) -> str:
    """An exception's text for an error message, cut to BRIEF_CHARS characters: env code may put whatever a client
    sent (options, kwargs, snapshot bytes) into its exceptions."""
    text = str(error)
    return text if len(text) <= BRIEF_CHARS else f"{text[:BRIEF_CHARS]}... ({len(text)} characters)"
