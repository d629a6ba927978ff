"""GET /metrics through prometheus-client: the same vinegym_* metrics, with the same names, types and label names,
as the TypeScript server's prom-client metrics (test/metrics-parity.test.ts scrapes both and compares them)."""
from __future__ import annotations

import threading

import prometheus_client
from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, ProcessCollector, generate_latest

from vinegym.protocol.errors import ErrorCode
from vinegym.server.requests import REQUEST_TYPES

# Frames that are not a readable request are counted as this request type.
INVALID_REQUEST = "invalid"
# Why the server refused or cut a connection (vinegym_connections_refused_total).
REFUSAL_REASONS = (
    "max_connections",
    "pending_pool_full",
    "unauthorized",
    "token_backoff",
    "message_too_big",
    "message_timeout",
)
# Upper bounds (seconds) of the step latency histogram buckets, as the TypeScript server's; +Inf is implicit.
STEP_LATENCY_BUCKETS = (25e-6, 50e-6, 100e-6, 250e-6, 500e-6, 1e-3, 2.5e-3, 5e-3, 10e-3, 25e-3, 100e-3, 1.0)
# What render() returns: text exposition format 0.0.4.
CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"

# prom-client has no *_created series; without them both servers expose the same series.
prometheus_client.disable_created_metrics()


class ServerMetrics:
    """Metrics of one server, in a registry of its own (two servers in one process count apart)."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        ProcessCollector(registry=self.registry)  # process_resident_memory_bytes, process_cpu_seconds_total, ...
        self._lock = threading.Lock()
        self.connections = 0  # set by the app before each scrape
        self.sessions = 0
        self.envs = 0
        registry = self.registry
        Gauge("vinegym_connections", "Open WebSocket connections.", registry=registry).set_function(
            lambda: self.connections
        )
        Gauge("vinegym_sessions", "Open env sessions.", registry=registry).set_function(lambda: self.sessions)
        Gauge("vinegym_envs", "Env instances in open sessions.", registry=registry).set_function(lambda: self.envs)
        requests = Counter(
            "vinegym_requests_total",
            "Frames received other than pongs, by request type (invalid: no readable request).",
            ["type"],
            registry=registry,
        )
        refusals = Counter(
            "vinegym_connections_refused_total",
            "Connections refused or cut to protect the server, by reason.",
            ["reason"],
            registry=registry,
        )
        errors = Counter("vinegym_errors_total", "Error responses sent, by error code.", ["code"], registry=registry)
        # One child per label value, looked up once and exposed at 0 from the start.
        self._requests = {t: requests.labels(type=t) for t in (*REQUEST_TYPES, INVALID_REQUEST)}
        self._refusals = {r: refusals.labels(reason=r) for r in REFUSAL_REASONS}
        self._errors = {c.value: errors.labels(code=c.value) for c in ErrorCode}
        self._env_steps = Counter(
            "vinegym_env_steps_total", "Env steps taken (one per env per step request).", registry=registry
        )
        self._step_latency = Histogram(
            "vinegym_step_latency_seconds",
            "Time to handle one step request (decode to send).",
            buckets=STEP_LATENCY_BUCKETS,
            registry=registry,
        )

    def record_request(self, request_type: str) -> None:
        """One frame other than a pong: a request of `request_type`, or INVALID_REQUEST when none could be read."""
        self._requests[request_type].inc()

    def record_refusal(self, reason: str) -> None:
        """A connection refused or cut to protect the server, for one of REFUSAL_REASONS."""
        self._refusals[reason].inc()

    def record_error(self, code: str) -> None:
        self._errors[code].inc()

    def record_step(self, env_count: int, seconds: float) -> None:
        """One successful step request that advanced `env_count` envs in `seconds`."""
        self._env_steps.inc(env_count)
        self._step_latency.observe(seconds)

    def add_sessions(self, delta: int, envs: int) -> None:
        """Sessions opened (delta > 0) or closed (delta < 0), with `envs` env instances between them."""
        with self._lock:
            self.sessions += delta
            self.envs += envs if delta > 0 else -envs

    def render(self) -> str:
        return generate_latest(self.registry).decode()
