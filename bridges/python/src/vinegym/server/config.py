"""Everything a bridge server is configured with."""
from __future__ import annotations

from dataclasses import dataclass

from vinegym._version import __version__


@dataclass(frozen=True)
class ServerConfig:
    host: str = "127.0.0.1"
    port: int = 0
    token: str | None = None
    max_sessions: int = 16
    max_total_sessions: int = 4096  # of all connections together
    max_envs_per_session: int = 1024
    max_message_bytes: int = 64 * 1024 * 1024
    ping_interval_s: float = 30.0
    # a ping unanswered this long with no request either; then 4000 (0: none). Long, so that a client busy for
    # minutes (a policy update) answers its pings late rather than losing its connection
    ping_timeout_s: float = 300.0
    max_connections: int = 256  # authenticated WebSocket connections at once
    max_pending_connections: int = 128  # connections that have not completed hello, HTTP ones included
    message_timeout_s: float = 30.0  # from a message's first byte to its last; then 4002 (0: none)
    hello_timeout_s: float = 10.0  # from the handshake to a successful hello; then 4001 (0: none)
    idle_timeout_s: float = 900.0  # without a request (pongs do not count); then 4001 (0: none)
    handshake_timeout_s: float = 10.0  # from the TCP connection to the end of the WebSocket handshake
    max_snapshot_bytes: int = 16 * 1024 * 1024
    workers: int = 1  # processes a session's envs are split across (sharded_session.py); 1: in the server process
    server_name: str = "vinegym-python-bridge"
    server_version: str = __version__
