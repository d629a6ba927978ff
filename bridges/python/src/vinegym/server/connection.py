"""One WebSocket connection's protocol state: hello/authentication, its sessions, and the dispatch of request
frames to answers (PROTOCOL.md 4, 6, 7). Transport-free and synchronous: `handle_message` takes a received
message and returns the encoded answer (if any) and a close code (if the connection must close)."""
from __future__ import annotations

import hmac
import itertools
import sys
import traceback
from dataclasses import dataclass
from typing import Any

from vinegym.protocol import PROTOCOL_VERSION
from vinegym.protocol.codec import FrameDecodeError, decode_frame, encode_frame
from vinegym.protocol.errors import ErrorCode, VinegymError, bad_request
from vinegym.server.capabilities import EnvCapabilities
from vinegym.server.config import ServerConfig
from vinegym.server.env_recipe import EnvRecipe
from vinegym.server.env_source import EnvSource
from vinegym.server.kwargs import validate_kwargs
from vinegym.server.metrics import ServerMetrics
from vinegym.server.requests import FRAME_KEYS, REQUEST_TYPES, is_safe_id, validate_body
from vinegym.server.session import Session
from vinegym.server.sharded_session import ShardedSession

CLOSE_UNAUTHORIZED = 1008
SUPPORTED_VERSIONS = (PROTOCOL_VERSION,)
_session_counter = itertools.count(1)


@dataclass(frozen=True)
class ServedEnv:
    source: EnvSource
    capabilities: EnvCapabilities
    recipe: EnvRecipe  # how worker processes build `source` (--workers)


@dataclass(frozen=True)
class Request:
    """A decoded, checked request frame (PROTOCOL.md 4)."""

    id: int
    type: str
    body: dict[str, Any]


@dataclass(frozen=True)
class Outcome:
    reply: bytes | None
    close_code: int | None = None


class ProtocolConnection:
    def __init__(
        self, config: ServerConfig, envs: dict[str, ServedEnv], metrics: ServerMetrics, snapshot_key: bytes
    ) -> None:
        self.config = config
        self.envs = envs
        self.metrics = metrics
        self.snapshot_key = snapshot_key
        self.greeted = False
        self.sessions: dict[str, Session | ShardedSession] = {}

    # ------------------------------------------------------------ framing

    def handle_message(self, message: bytes | str) -> Outcome:
        parsed = self.parse(message)
        return parsed if isinstance(parsed, Outcome) else self.dispatch(parsed)

    def parse(self, message: bytes | str) -> Request | Outcome:
        """Decodes and checks a received message: the request to dispatch, or the outcome that answers it
        already (an error, or nothing for a pong). Cheap: no env work."""
        if isinstance(message, str):
            return self._error_reply(None, bad_request("text frames are not allowed; send binary MessagePack"))
        try:
            frame = decode_frame(message)
        except FrameDecodeError as error:
            return self._error_reply(None, bad_request(f"malformed MessagePack: {error}"))
        if isinstance(frame, dict) and "id" not in frame and frame.get("type") == "pong":
            return Outcome(None)
        if not isinstance(frame, dict):
            return self._error_reply(None, bad_request("a request must be a map"))
        raw_id = frame.get("id")
        if not is_safe_id(raw_id):
            return self._error_reply(None, bad_request("request id must be an integer in [0, 2^53)"))
        request_id: int = raw_id  # type: ignore[assignment]  # checked by is_safe_id
        try:
            unknown = [key for key in frame if key not in FRAME_KEYS]
            if unknown:
                raise bad_request(f"unknown request key '{unknown[0]}'", {"field": unknown[0]})
            request_type = frame.get("type")
            if request_type not in REQUEST_TYPES:
                raise bad_request(f"unknown request type {request_type!r}", {"field": "type"})
            if "body" not in frame:
                raise bad_request("request lacks body", {"field": "body"})
            self.metrics.record_request(request_type)
            return Request(request_id, request_type, validate_body(request_type, frame["body"]))
        except VinegymError as error:
            return self._error_reply(request_id, error)
        except Exception:
            traceback.print_exc(file=sys.stderr)
            return self._error_reply(request_id, VinegymError(ErrorCode.INTERNAL, "internal server error"))

    def dispatch(self, request: Request) -> Outcome:
        """Carries out a parsed request (env work) and encodes its answer."""
        try:
            if request.type == "hello":
                return self._hello(request.id, request.body)
            if not self.greeted:
                raise bad_request("the first request on a connection must be hello")
            result = getattr(self, f"_{request.type}")(request.body)
            return Outcome(encode_frame({"id": request.id, "ok": True, "body": result}))
        except VinegymError as error:
            return self._error_reply(request.id, error)
        except Exception:
            traceback.print_exc(file=sys.stderr)
            return self._error_reply(request.id, VinegymError(ErrorCode.INTERNAL, "internal server error"))

    def _error_reply(self, request_id: int | None, error: VinegymError, close: int | None = None) -> Outcome:
        self.metrics.record_error(error.code)
        return Outcome(encode_frame({"id": request_id, "ok": False, "error": error.to_wire()}), close)

    # ------------------------------------------------------------ requests

    def _hello(self, request_id: int, body: dict[str, Any]) -> Outcome:
        if self.greeted:
            return self._error_reply(request_id, bad_request("hello was already answered on this connection"))
        common = [v for v in body["protocol_versions"] if v in SUPPORTED_VERSIONS]
        if not common:
            return self._error_reply(request_id, VinegymError(
                ErrorCode.UNSUPPORTED_VERSION,
                f"no common protocol version: server speaks {list(SUPPORTED_VERSIONS)}",
                {"supported": list(SUPPORTED_VERSIONS)},
            ))
        if self.config.token is not None:
            given = body.get("token")
            if not isinstance(given, str) or not hmac.compare_digest(given.encode(), self.config.token.encode()):
                error = VinegymError(ErrorCode.UNAUTHORIZED, "missing or wrong token")
                return self._error_reply(request_id, error, CLOSE_UNAUTHORIZED)
        self.greeted = True
        capabilities = ["autoreset:next_step", "autoreset:same_step", "autoreset:disabled"]
        if any(env.capabilities.snapshot_supported for env in self.envs.values()):
            capabilities.insert(0, "snapshot")
        if any(env.capabilities.render_supported for env in self.envs.values()):
            capabilities.insert(1 if "snapshot" in capabilities else 0, "render")
        result = {
            "protocol_version": max(common),
            "server": {"name": self.config.server_name, "version": self.config.server_version},
            "capabilities": capabilities,
            "limits": {
                "max_sessions": self.config.max_sessions,
                "max_envs_per_session": self.config.max_envs_per_session,
                "max_message_bytes": self.config.max_message_bytes,
            },
            "ping_interval_s": float(self.config.ping_interval_s),
        }
        return Outcome(encode_frame({"id": request_id, "ok": True, "body": result}))

    def _list(self, body: dict[str, Any]) -> dict[str, Any]:
        return list_result(self.envs)

    def _session(self, body: dict[str, Any]) -> Session | ShardedSession:
        session = self.sessions.get(body["session_id"])
        if session is None:
            raise VinegymError(
                ErrorCode.UNKNOWN_SESSION,
                f"no session {body['session_id']!r} on this connection",
                {"session_id": body["session_id"]},
            )
        return session

    def _make(self, body: dict[str, Any]) -> dict[str, Any]:
        served = self.envs.get(body["env_id"])
        if served is None:
            raise VinegymError(
                ErrorCode.UNKNOWN_ENV, f"unknown env id {body['env_id']!r}", {"env_id": body["env_id"]}
            )
        kwargs = validate_kwargs(served.source.env_id, served.source.kwarg_specs, body.get("kwargs"))
        num_envs = body.get("num_envs", 1)
        if num_envs > self.config.max_envs_per_session:
            raise VinegymError(
                ErrorCode.LIMIT_EXCEEDED,
                f"num_envs {num_envs} exceeds max_envs_per_session {self.config.max_envs_per_session}",
            )
        if len(self.sessions) >= self.config.max_sessions:
            raise VinegymError(
                ErrorCode.LIMIT_EXCEEDED, f"this connection already has max_sessions={self.config.max_sessions}"
            )
        session_id = f"py-{next(_session_counter)}"
        seed, autoreset_mode = body.get("seed"), body.get("autoreset_mode", "next_step")
        strict_actions = body.get("strict_actions", False)
        session: Session | ShardedSession
        if self.config.workers > 1 and num_envs > 1:
            session = ShardedSession(
                session_id, served.source, served.recipe, served.capabilities, kwargs, num_envs, seed, autoreset_mode,
                self.snapshot_key, self.config.workers, strict_actions,
            )
        else:
            session = Session(
                session_id, served.source, served.capabilities, kwargs, num_envs, seed, autoreset_mode,
                self.snapshot_key, strict_actions=strict_actions,
            )
        self.sessions[session_id] = session
        self.metrics.add_sessions(1)
        return session.describe()

    def _reset(self, body: dict[str, Any]) -> dict[str, Any]:
        session = self._session(body)
        if body.get("seed") is not None and body.get("seeds") is not None:
            raise bad_request("reset takes seed or seeds, not both")
        return session.reset(body.get("env_indices"), body.get("seed"), body.get("seeds"), body.get("options"))

    def _step(self, body: dict[str, Any]) -> dict[str, Any]:
        session = self._session(body)
        result = session.step(body["actions"])
        self.metrics.record_env_steps(session.num_envs)
        return result

    def _snapshot(self, body: dict[str, Any]) -> dict[str, Any]:
        return self._session(body).snapshot(body["env_indices"])

    def _restore(self, body: dict[str, Any]) -> dict[str, Any]:
        return self._session(body).restore(body["env_index"], body["snapshot"])

    def _render(self, body: dict[str, Any]) -> dict[str, Any]:
        return self._session(body).render(body["env_index"])

    def _close(self, body: dict[str, Any]) -> dict[str, Any]:
        session = self._session(body)
        del self.sessions[session.session_id]
        self.metrics.add_sessions(-1)
        session.close()
        return {}

    def close_all(self) -> None:
        for session in self.sessions.values():
            session.close()
        self.metrics.add_sessions(-len(self.sessions))
        self.sessions.clear()


def list_result(envs: dict[str, ServedEnv]) -> dict[str, Any]:
    return {"envs": [envs[env_id].source.describe() for env_id in sorted(envs)]}
