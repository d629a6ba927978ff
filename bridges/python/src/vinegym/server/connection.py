"""One WebSocket connection's protocol state: hello/authentication, its sessions, and the dispatch of request
frames to answers (PROTOCOL.md 4, 6, 7). Transport-free and synchronous: `handle_message` takes a received
message and returns the encoded answer (if any) and a close code (if the connection must close)."""
from __future__ import annotations

import hashlib
import hmac
import itertools
import sys
import time
import traceback
from dataclasses import dataclass
from typing import Any, Protocol

from vinegym.protocol import PROTOCOL_VERSION
from vinegym.protocol.codec import FrameDecodeError, MalformedNDArray, decode_frame, encode_frame
from vinegym.protocol.decode_budget import DecodeBudgetExceeded
from vinegym.protocol.errors import ErrorCode, VinegymError, bad_request, quote, shortened
from vinegym.server.capabilities import EnvCapabilities
from vinegym.server.config import ServerConfig
from vinegym.server.env_recipe import EnvRecipe
from vinegym.server.env_source import EnvSource
from vinegym.server.kwargs import validate_kwargs
from vinegym.server.limits import (
    FRAME_BUDGET,
    PRE_HELLO_BUDGET,
    PRE_HELLO_MAX_MESSAGE_BYTES,
    WRITE_BUFFER_BYTES,
    budget_limits,
)
from vinegym.server.metrics import INVALID_REQUEST, ServerMetrics
from vinegym.server.requests import FRAME_KEYS, REQUEST_TYPES, is_safe_id, validate_body
from vinegym.server.session import Session
from vinegym.server.session_rules import check_derived_seed
from vinegym.server.sharded_session import ShardedSession
from vinegym.server.wrappers import session_capabilities

CLOSE_UNAUTHORIZED = 1008
CLOSE_TRY_AGAIN_LATER = 1013
SUPPORTED_VERSIONS = (PROTOCOL_VERSION,)
_session_counter = itertools.count(1)


class HelloGate(Protocol):
    """What a successful or failed hello does beyond this connection (the server's admission.py)."""

    def token_wait_s(self) -> float:
        """Seconds before this peer may have a token checked (0: now)."""
        ...

    def token_checked(self, correct: bool) -> None: ...

    def admit(self) -> bool:
        """Takes an authenticated connection slot; False when the server has none left."""
        ...


class OpenGate:
    """No back-off, no slots: for a ProtocolConnection driven without a server."""

    admitted = False

    def token_wait_s(self) -> float:
        return 0.0

    def token_checked(self, correct: bool) -> None:
        pass

    def admit(self) -> bool:
        self.admitted = True
        return True


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
class Pong:
    """A client's answer to a keep-alive ping (PROTOCOL.md 4): no response; `nonce` as the client sent it."""

    nonce: Any


@dataclass(frozen=True)
class Outcome:
    reply: bytes | None
    close_code: int | None = None


class ProtocolConnection:
    def __init__(
        self,
        config: ServerConfig,
        envs: dict[str, ServedEnv],
        metrics: ServerMetrics,
        snapshot_key: bytes,
        gate: HelloGate | None = None,
    ) -> None:
        self.config = config
        self.gate = gate or OpenGate()
        self.envs = envs
        self.metrics = metrics
        self.snapshot_key = snapshot_key
        self.greeted = False
        self.sessions: dict[str, Session | ShardedSession] = {}

    # ------------------------------------------------------------ framing

    def handle_message(self, message: bytes | str) -> Outcome:
        parsed = self.parse(message)
        if isinstance(parsed, Pong):
            return Outcome(None)
        return parsed if isinstance(parsed, Outcome) else self.dispatch(parsed)

    def parse(self, message: bytes | str) -> Request | Outcome | Pong:
        """Decodes and checks a received message: the request to dispatch, a pong, or the outcome that answers it
        already (an error). Cheap: no env work. Until hello succeeds, frames get the small pre-hello decode
        budget (limits.py)."""
        if isinstance(message, str):
            self.metrics.record_request(INVALID_REQUEST)
            return self._error_reply(None, bad_request("text frames are not allowed; send binary MessagePack"))
        parsed = self._parse_frame(message)
        if isinstance(parsed, Request):
            self.metrics.record_request(parsed.type)
        elif isinstance(parsed, Outcome):
            self.metrics.record_request(INVALID_REQUEST)
        return parsed

    def _parse_frame(self, message: bytes) -> Request | Outcome | Pong:
        try:
            frame = decode_frame(message, FRAME_BUDGET if self.greeted else PRE_HELLO_BUDGET)
        except DecodeBudgetExceeded as error:
            details = {"limit": error.limit, "max": error.maximum}
            return self._error_reply(None, VinegymError(ErrorCode.LIMIT_EXCEEDED, str(error), details))
        except MalformedNDArray as error:
            return self._error_reply(error.request_id, bad_request(f"malformed NDArray: {error}"))
        except FrameDecodeError as error:
            return self._error_reply(None, bad_request(f"malformed MessagePack: {error}"))
        if isinstance(frame, dict) and "id" not in frame and frame.get("type") == "pong":
            return Pong(frame.get("nonce"))
        if not isinstance(frame, dict):
            return self._error_reply(None, bad_request("a request must be a map"))
        raw_id = frame.get("id")
        if not is_safe_id(raw_id):
            return self._error_reply(None, bad_request("request id must be an integer in [0, 2^53)"))
        request_id = int(raw_id)  # type: ignore[arg-type]  # checked by is_safe_id (a whole float becomes an int)
        try:
            unknown = [key for key in frame if key not in FRAME_KEYS]
            if unknown:
                raise bad_request(f"unknown request key {quote(unknown[0])}", {"field": shortened(unknown[0])})
            request_type = frame.get("type")
            if request_type not in REQUEST_TYPES:
                raise bad_request(f"unknown request type {quote(request_type)}", {"field": "type"})
            if "body" not in frame:
                raise bad_request("request lacks body", {"field": "body"})
            return Request(request_id, request_type, validate_body(request_type, frame["body"], self.config.max_envs_per_session))
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
            started = time.perf_counter()
            result = getattr(self, f"_{request.type}")(request.body)
            answer = Outcome(encode_frame({"id": request.id, "ok": True, "body": result}))
            if request.type == "step":
                self.metrics.record_step(self.sessions[request.body["session_id"]].num_envs, time.perf_counter() - started)
            return answer
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
            wait_s = self.gate.token_wait_s()
            if wait_s > 0:  # refused without looking at the token (admission.py)
                self.metrics.record_refusal("token_backoff")
                error = VinegymError(
                    ErrorCode.UNAUTHORIZED,
                    f"too many wrong tokens from this address; retry in {wait_s:.1f} s",
                    {"retry_after_s": round(wait_s, 3)},
                )
                return self._error_reply(request_id, error, CLOSE_UNAUTHORIZED)
            given = body.get("token")
            correct = isinstance(given, str) and hmac.compare_digest(_digest(given), _digest(self.config.token))
            self.gate.token_checked(correct)
            if not correct:
                self.metrics.record_refusal("unauthorized")
                error = VinegymError(ErrorCode.UNAUTHORIZED, "missing or wrong token")
                return self._error_reply(request_id, error, CLOSE_UNAUTHORIZED)
        if not self.gate.admit():
            self.metrics.record_refusal("max_connections")
            error = VinegymError(
                ErrorCode.LIMIT_EXCEEDED,
                f"the server already has max_connections={self.config.max_connections} connections; try again later",
                {"limit": "max_connections"},
            )
            return self._error_reply(request_id, error, CLOSE_TRY_AGAIN_LATER)
        self.greeted = True
        capabilities = ["autoreset:next_step", "autoreset:same_step", "autoreset:disabled"]
        if any(env.capabilities.snapshot_supported for env in self.envs.values()):
            capabilities.insert(0, "snapshot")
        if any(env.capabilities.render_supported for env in self.envs.values()):
            capabilities.insert(1 if "snapshot" in capabilities else 0, "render")
        if any(env.capabilities.scene_supported for env in self.envs.values()):
            capabilities.insert(capabilities.index("autoreset:next_step"), "render:scene")
        result = {
            "protocol_version": max(common),
            "server": {"name": self.config.server_name, "version": self.config.server_version},
            "capabilities": capabilities,
            "limits": {
                "max_sessions": self.config.max_sessions,
                "max_envs_per_session": self.config.max_envs_per_session,
                "max_message_bytes": self.config.max_message_bytes,
                "max_total_sessions": self.config.max_total_sessions,
                "max_connections": self.config.max_connections,
                "max_pending_connections": self.config.max_pending_connections,
                "max_snapshot_bytes": self.config.max_snapshot_bytes,
                "max_buffered_bytes": WRITE_BUFFER_BYTES,
                "idle_timeout_s": float(self.config.idle_timeout_s),
                "ping_timeout_s": float(self.config.ping_timeout_s),
                "hello_timeout_s": float(self.config.hello_timeout_s),
                "message_timeout_s": float(self.config.message_timeout_s),
                "max_message_bytes_before_hello": min(PRE_HELLO_MAX_MESSAGE_BYTES, self.config.max_message_bytes),
                **budget_limits(FRAME_BUDGET),
                **budget_limits(PRE_HELLO_BUDGET),
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
                f"no session {quote(body['session_id'])} on this connection",
                {"session_id": shortened(body["session_id"])},
            )
        return session

    def _make(self, body: dict[str, Any]) -> dict[str, Any]:
        served = self.envs.get(body["env_id"])
        if served is None:
            raise VinegymError(
                ErrorCode.UNKNOWN_ENV,
                f"unknown env id {quote(body['env_id'])}",
                {"env_id": shortened(body["env_id"])},
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
                ErrorCode.LIMIT_EXCEEDED,
                f"this connection already has max_sessions={self.config.max_sessions}",
                {"limit": "max_sessions"},
            )
        if self.metrics.sessions >= self.config.max_total_sessions:
            raise VinegymError(
                ErrorCode.LIMIT_EXCEEDED,
                f"the server already has max_total_sessions={self.config.max_total_sessions}",
                {"limit": "max_total_sessions"},
            )
        seed, autoreset_mode = body.get("seed"), body.get("autoreset_mode", "next_step")
        strict_actions = body.get("strict_actions", False)
        if seed is not None:
            check_derived_seed(seed, num_envs - 1)
        session_id = f"py-{next(_session_counter)}"
        capabilities = session_capabilities(served.source, served.capabilities, kwargs)
        session: Session | ShardedSession
        try:
            if self.config.workers > 1 and num_envs > 1:
                session = ShardedSession(
                    session_id, served.source, served.recipe, capabilities, kwargs, num_envs, seed,
                    autoreset_mode, self.snapshot_key, self.config.workers, strict_actions,
                )
            else:
                session = Session(
                    session_id, served.source, capabilities, kwargs, num_envs, seed, autoreset_mode,
                    self.snapshot_key, strict_actions=strict_actions,
                )
        except VinegymError as error:
            raise _blame_kwargs(error, served, kwargs) from None
        self.sessions[session_id] = session
        self.metrics.add_sessions(1, num_envs)
        return session.describe()

    def _reset(self, body: dict[str, Any]) -> dict[str, Any]:
        session = self._session(body)
        if body.get("seed") is not None and body.get("seeds") is not None:
            raise bad_request("reset takes seed or seeds, not both")
        return session.reset(body.get("env_indices"), body.get("seed"), body.get("seeds"), body.get("options"))

    def _step(self, body: dict[str, Any]) -> dict[str, Any]:
        session = self._session(body)
        return session.step(body["actions"])

    def _snapshot(self, body: dict[str, Any]) -> dict[str, Any]:
        return self._session(body).snapshot(body["env_indices"])

    def _restore(self, body: dict[str, Any]) -> dict[str, Any]:
        size = len(body["snapshot"])
        if size > self.config.max_snapshot_bytes:
            raise VinegymError(
                ErrorCode.LIMIT_EXCEEDED,
                f"snapshot is {size} bytes, more than max_snapshot_bytes ({self.config.max_snapshot_bytes})",
                {"limit": "max_snapshot_bytes"},
            )
        return self._session(body).restore(body["env_index"], body["snapshot"])

    def _render(self, body: dict[str, Any]) -> dict[str, Any]:
        return self._session(body).render(body["env_index"], body.get("mode", "rgb_array"))

    def _close(self, body: dict[str, Any]) -> dict[str, Any]:
        session = self._session(body)
        del self.sessions[session.session_id]
        self.metrics.add_sessions(-1, session.num_envs)
        session.close()
        return {}

    def close_all(self) -> None:
        for session in self.sessions.values():
            session.close()
        self.metrics.add_sessions(-len(self.sessions), sum(session.num_envs for session in self.sessions.values()))
        self.sessions.clear()


def _blame_kwargs(error: VinegymError, served: ServedEnv, kwargs: dict[str, Any]) -> VinegymError:
    """An env that fails to build with kwargs other than its defaults (with which the server built its probe env)
    rejected those kwargs: INVALID_KWARGS, naming the kwarg when only one differs (PROTOCOL.md 7.3)."""
    if error.code != ErrorCode.ENV_ERROR.value:
        return error
    changed = [name for name, spec in served.source.kwarg_specs.items() if kwargs.get(name) != spec.default]
    if not changed:
        return error
    return VinegymError(
        ErrorCode.INVALID_KWARGS,
        f"{served.source.env_id} rejected kwargs {', '.join(changed)}: {error.message}",
        {"key": changed[0]} if len(changed) == 1 else None,
    )


def _digest(token: str) -> bytes:
    """Tokens are compared as SHA-256 digests, so that the comparison's time tells nothing of their lengths."""
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).digest()


def list_result(envs: dict[str, ServedEnv]) -> dict[str, Any]:
    return {"envs": [envs[env_id].source.describe() for env_id in sorted(envs)]}
