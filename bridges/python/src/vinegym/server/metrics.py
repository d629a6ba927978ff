"""Counters for GET /metrics (Prometheus text exposition format), named as the TypeScript server's."""
from __future__ import annotations

import os
import resource
import threading
from collections import Counter

from vinegym.server.requests import REQUEST_TYPES

# Frames that are not a readable request are counted as this request type.
INVALID_REQUEST = "invalid"
_PAGE_BYTES = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096


def resident_memory_bytes() -> int:
    """The process's resident set size now (Linux), else its peak."""
    try:
        with open("/proc/self/statm") as statm:
            return int(statm.read().split()[1]) * _PAGE_BYTES
    except (OSError, IndexError, ValueError):
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


class ServerMetrics:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._requests: Counter[str] = Counter({t: 0 for t in (*REQUEST_TYPES, INVALID_REQUEST)})
        self._errors: Counter[str] = Counter()
        self._refusals: Counter[str] = Counter()
        self._env_steps = 0
        self.connections = 0
        self.sessions = 0

    def record_request(self, request_type: str) -> None:
        """One frame other than a pong: a request of `request_type`, or INVALID_REQUEST when none could be read."""
        with self._lock:
            self._requests[request_type] += 1

    def record_refusal(self, reason: str) -> None:
        """A connection refused or cut to protect the server: max_connections, pending_pool_full, unauthorized,
        token_backoff, message_too_big, message_timeout."""
        with self._lock:
            self._refusals[reason] += 1

    def record_error(self, code: str) -> None:
        with self._lock:
            self._errors[code] += 1

    def record_env_steps(self, count: int) -> None:
        with self._lock:
            self._env_steps += count

    def add_sessions(self, delta: int) -> None:
        with self._lock:
            self.sessions += delta

    def render(self) -> str:
        with self._lock:
            lines = [
                "# HELP vinegym_requests_total Frames received other than pongs, by request type (invalid: no "
                "readable request).",
                "# TYPE vinegym_requests_total counter",
                *(f'vinegym_requests_total{{type="{t}"}} {n}' for t, n in self._requests.items()),
                "# HELP vinegym_connections_refused_total Connections refused or cut to protect the server, by reason.",
                "# TYPE vinegym_connections_refused_total counter",
                *(f'vinegym_connections_refused_total{{reason="{r}"}} {n}' for r, n in sorted(self._refusals.items())),
                "# HELP vinegym_errors_total Error responses, by code.",
                "# TYPE vinegym_errors_total counter",
                *(f'vinegym_errors_total{{code="{c}"}} {n}' for c, n in sorted(self._errors.items())),
                "# HELP vinegym_env_steps_total Single-env steps taken.",
                "# TYPE vinegym_env_steps_total counter",
                f"vinegym_env_steps_total {self._env_steps}",
                "# HELP vinegym_connections Open WebSocket connections.",
                "# TYPE vinegym_connections gauge",
                f"vinegym_connections {self.connections}",
                "# HELP vinegym_sessions Open sessions.",
                "# TYPE vinegym_sessions gauge",
                f"vinegym_sessions {self.sessions}",
                "# HELP process_resident_memory_bytes Resident set size of the server process.",
                "# TYPE process_resident_memory_bytes gauge",
                f"process_resident_memory_bytes {resident_memory_bytes()}",
            ]
        return "\n".join(lines) + "\n"
