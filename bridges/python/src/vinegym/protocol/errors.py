"""The fixed set of protocol v1 error codes and the exception that carries one."""
from __future__ import annotations

import reprlib
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



def _quoting_repr() -> reprlib.Repr:
    shortened = reprlib.Repr()
    shortened.maxstring = shortened.maxother = 64
    shortened.maxlist = shortened.maxtuple = shortened.maxdict = shortened.maxset = 6
    shortened.maxlevel = 3
    return shortened


_QUOTING = _quoting_repr()


def quote(value: object) -> str:
    """`repr(value)` shortened to at most ~64 characters per string and a few items per container: error messages
    show what a client sent, but never echo a long client text whole (it may be megabytes)."""
    return _QUOTING.repr(value)


def shortened(text: object, limit: int = 64) -> object:
    """A client string for `details`, cut to `limit` characters; other values as they are."""
    return text[:limit] + "..." if isinstance(text, str) and len(text) > limit else text
