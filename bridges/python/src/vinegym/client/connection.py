"""A synchronous protocol v1 client. A reader thread receives every message, answers server pings at once (so
idle clients are not disconnected) and hands responses to the waiting callers; requests may be pipelined."""
from __future__ import annotations

import itertools
import threading
from concurrent.futures import Future
from typing import Any

from websockets.exceptions import ConnectionClosed
from websockets.sync.client import ClientConnection, connect

from vinegym._version import __version__
from vinegym.protocol import PROTOCOL_VERSION
from vinegym.protocol.codec import decode_frame, encode_frame
from vinegym.protocol.errors import VinegymError


class VinegymClient:
    def __init__(
        self,
        url: str,
        token: str | None = None,
        client_name: str = "vinegym-py",
        timeout: float | None = 300.0,
        max_message_bytes: int | None = None,
        say_hello: bool = True,
    ) -> None:
        self.url = url
        self.timeout = timeout
        # __enter__ returns the connection itself on every websockets version (and marks it as not "legacy").
        self._websocket: ClientConnection = connect(
            url, compression=None, max_size=max_message_bytes, ping_interval=None, open_timeout=30
        ).__enter__()
        self._ids = itertools.count(1)
        self._pending: dict[int, Future[dict[str, Any]]] = {}
        self._lock = threading.Lock()
        self._closed_reason: str | None = None
        self.close_code: int | None = None
        self.pings_answered = 0
        self.unmatched_responses: list[dict[str, Any]] = []
        self._reader = threading.Thread(target=self._read_forever, name="vinegym-client-reader", daemon=True)
        self._reader.start()
        self.hello: dict[str, Any] = {}
        if say_hello:
            self.hello = self.say_hello(client_name, token)

    def say_hello(self, client_name: str = "vinegym-py", token: str | None = None) -> dict[str, Any]:
        hello: dict[str, Any] = {
            "protocol_versions": [PROTOCOL_VERSION],
            "client": {"name": client_name, "version": __version__},
        }
        if token is not None:
            hello["token"] = token
        return self.request("hello", hello)

    # ------------------------------------------------------------ transport

    def send_raw(self, data: bytes | str) -> None:
        with self._lock:
            self._websocket.send(data)

    def request_async(self, request_type: str, body: dict[str, Any]) -> Future[dict[str, Any]]:
        """Sends a request now and returns a future of its result body (VinegymError for an error response)."""
        future: Future[dict[str, Any]] = Future()
        with self._lock:
            if self._closed_reason is not None:
                raise ConnectionError(self._closed_reason)
            request_id = next(self._ids)
            self._pending[request_id] = future
            self._websocket.send(encode_frame({"id": request_id, "type": request_type, "body": body}))
        return future

    def request(self, request_type: str, body: dict[str, Any]) -> dict[str, Any]:
        return self.request_async(request_type, body).result(timeout=self.timeout)

    def _read_forever(self) -> None:
        reason = "connection closed"
        try:
            for message in self._websocket:
                if isinstance(message, str):
                    continue
                frame = decode_frame(message)
                if not isinstance(frame, dict):
                    continue
                if frame.get("type") == "ping" and "id" not in frame:
                    self.send_raw(encode_frame({"type": "pong", "nonce": frame.get("nonce")}))
                    self.pings_answered += 1
                    continue
                self._resolve(frame)
        except ConnectionClosed:
            pass
        except Exception as error:  # undecodable server message
            reason = f"connection failed: {error}"
        finally:
            self.close_code = self._websocket.close_code
            if self.close_code is not None:
                reason = f"connection closed by the server (code {self.close_code})"
            with self._lock:
                self._closed_reason = reason
                pending, self._pending = self._pending, {}
            for future in pending.values():
                future.set_exception(ConnectionError(reason))

    def _resolve(self, frame: dict[str, Any]) -> None:
        request_id = frame.get("id")
        with self._lock:
            future = self._pending.pop(request_id, None) if request_id is not None else None
        if future is None:
            # e.g. the error answering a frame whose id the server could not read (sent with send_raw)
            self.unmatched_responses.append(frame)
            return
        if frame.get("ok") is True:
            future.set_result(frame.get("body", {}))
        else:
            future.set_exception(VinegymError.from_wire(frame.get("error")))

    def wait_closed(self, timeout: float | None = None) -> None:
        self._reader.join(timeout)

    def close(self) -> None:
        self._websocket.close()
        self._reader.join(timeout=5)

    # ------------------------------------------------------------ messages

    def list_envs(self) -> list[dict[str, Any]]:
        return list(self.request("list", {})["envs"])

    def make(
        self,
        env_id: str,
        kwargs: dict[str, Any] | None = None,
        num_envs: int = 1,
        seed: int | None = None,
        autoreset_mode: str = "next_step",
        strict_actions: bool | None = None,
    ) -> dict[str, Any]:
        """`strict_actions=True` asks the server to reject Box actions outside the bounds; None sends nothing (a
        server of an earlier protocol revision rejects the field, and enforces the bounds anyway)."""
        body: dict[str, Any] = {"env_id": env_id}
        if kwargs:
            body["kwargs"] = kwargs
        body["num_envs"] = num_envs
        if seed is not None:
            body["seed"] = seed
        body["autoreset_mode"] = autoreset_mode
        if strict_actions is not None:
            body["strict_actions"] = strict_actions
        return self.request("make", body)

    def reset(
        self,
        session_id: str,
        seed: int | None = None,
        seeds: list[int | None] | None = None,
        options: dict[str, Any] | None = None,
        env_indices: list[int] | None = None,
    ) -> dict[str, Any]:
        body: dict[str, Any] = {"session_id": session_id}
        if seed is not None:
            body["seed"] = seed
        if seeds is not None:
            body["seeds"] = seeds
        if options is not None:
            body["options"] = options
        if env_indices is not None:
            body["env_indices"] = env_indices
        return self.request("reset", body)

    def step(self, session_id: str, actions: Any) -> dict[str, Any]:
        return self.request("step", {"session_id": session_id, "actions": actions})

    def snapshot(self, session_id: str, env_indices: list[int]) -> list[bytes]:
        return list(self.request("snapshot", {"session_id": session_id, "env_indices": env_indices})["snapshots"])

    def restore(self, session_id: str, env_index: int, snapshot: bytes) -> None:
        self.request("restore", {"session_id": session_id, "env_index": env_index, "snapshot": snapshot})

    def render(self, session_id: str, env_index: int) -> Any:
        return self.request("render", {"session_id": session_id, "env_index": env_index})["frame"]

    def close_session(self, session_id: str) -> None:
        self.request("close", {"session_id": session_id})

    def __enter__(self) -> VinegymClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
