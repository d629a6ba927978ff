"""Counters for GET /metrics (Prometheus text exposition format)."""
from __future__ import annotations

import threading
from collections import Counter


class ServerMetrics:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._requests: Counter[str] = Counter()
        self._errors: Counter[str] = Counter()
        self._env_steps = 0
        self.connections = 0
        self.sessions = 0

    def record_request(self, request_type: str) -> None:
        with self._lock:
            self._requests[request_type] += 1

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
                "# HELP vinegym_requests_total Requests handled, by type.",
                "# TYPE vinegym_requests_total counter",
                *(f'vinegym_requests_total{{type="{t}"}} {n}' for t, n in sorted(self._requests.items())),
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
            ]
        return "\n".join(lines) + "\n"
