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
    max_envs_per_session: int = 1024
    max_message_bytes: int = 64 * 1024 * 1024
    ping_interval_s: float = 30.0
    workers: int = 1  # processes a session's envs are split across (sharded_session.py); 1: in the server process
    server_name: str = "vinegym-python-bridge"
    server_version: str = __version__
