"""The network side: a websockets server at ws://HOST:PORT/v1/ws speaking protocol v1, the HTTP endpoints
(/healthz, /v1/envs, /metrics) on the same port, and keep-alive pings (PROTOCOL.md 2, 4)."""
from __future__ import annotations

import asyncio
import http
import itertools
import json
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from websockets.asyncio.server import Server, ServerConnection, serve
from websockets.datastructures import Headers
from websockets.exceptions import ConnectionClosed
from websockets.http11 import Request, Response

from vinegym.protocol.codec import encode_frame
from vinegym.server.config import ServerConfig
from vinegym.server.connection import Outcome, ProtocolConnection, Request, ServedEnv, list_result
from vinegym.server.dispatch_placement import DispatchPlacement
from vinegym.server.metrics import ServerMetrics

WS_PATH = "/v1/ws"
CLOSE_PING_TIMEOUT = 4000
CLOSE_GOING_AWAY = 1001
UNANSWERED_PINGS_BEFORE_CLOSE = 2


def _http_response(status: int, body: str, content_type: str) -> Response:
    headers = Headers([("Content-Type", content_type), ("Content-Length", str(len(body.encode())))])
    return Response(status, http.HTTPStatus(status).phrase, headers, body.encode())


class BridgeServer:
    """Serves `envs` until `close()`. Each connection's requests are carried out one at a time and in order;
    env work runs in a worker thread so that the event loop keeps answering other connections and sending pings,
    except for requests that have been quick lately, which run on the loop (see dispatch_placement.py)."""

    def __init__(self, config: ServerConfig, envs: dict[str, ServedEnv], snapshot_key: bytes) -> None:
        self.config = config
        self.envs = envs
        self.snapshot_key = snapshot_key
        self.metrics = ServerMetrics()
        self._executor = ThreadPoolExecutor(thread_name_prefix="vinegym-env")
        self._server: Server | None = None
        self._connections: set[ServerConnection] = set()
        self.port = 0

    @property
    def url(self) -> str:
        host = f"[{self.config.host}]" if ":" in self.config.host else self.config.host
        return f"ws://{host}:{self.port}{WS_PATH}"

    async def start(self) -> None:
        self._server = await serve(
            self._handle_connection,
            self.config.host,
            self.config.port,
            process_request=self._process_http_request,
            max_size=self.config.max_message_bytes,
            compression=None,
            ping_interval=None,
            max_queue=None,
        )
        self.port = next(iter(self._server.sockets)).getsockname()[1]

    async def close(self) -> None:
        if self._server is None:
            return
        for connection in list(self._connections):
            await connection.close(CLOSE_GOING_AWAY, "server shutting down")
        self._server.close()
        await self._server.wait_closed()
        self._executor.shutdown(wait=False)

    # ------------------------------------------------------------ HTTP

    def _process_http_request(self, connection: ServerConnection, request: Request) -> Response | None:
        path = request.path.split("?", 1)[0]
        if path == WS_PATH:
            return None  # WebSocket handshake
        if path == "/healthz":
            return _http_response(200, json.dumps({"status": "ok"}), "application/json")
        if path == "/v1/envs":
            return _http_response(200, json.dumps(list_result(self.envs), default=_json_default), "application/json")
        if path == "/metrics":
            self.metrics.connections = len(self._connections)
            return _http_response(200, self.metrics.render(), "text/plain; version=0.0.4; charset=utf-8")
        return _http_response(404, "not found\n", "text/plain")

    # ------------------------------------------------------------ WebSocket

    async def _handle_connection(self, websocket: ServerConnection) -> None:
        protocol = ProtocolConnection(self.config, self.envs, self.metrics, self.snapshot_key)
        self._connections.add(websocket)
        liveness = _Liveness()
        pinger = asyncio.create_task(self._keep_alive(websocket, protocol, liveness))
        loop = asyncio.get_running_loop()
        placement = DispatchPlacement()
        try:
            async for message in websocket:
                liveness.heard()
                parsed = protocol.parse(message)
                if isinstance(parsed, Outcome):
                    outcome = parsed
                elif placement.runs_inline(parsed):
                    outcome = _timed_dispatch(protocol, placement, parsed)
                else:
                    outcome = await loop.run_in_executor(self._executor, _timed_dispatch, protocol, placement, parsed)
                if outcome.reply is not None:
                    await websocket.send(outcome.reply)
                if outcome.close_code is not None:
                    await websocket.close(outcome.close_code)
                    break
        except ConnectionClosed:
            pass
        finally:
            pinger.cancel()
            self._connections.discard(websocket)
            await loop.run_in_executor(self._executor, protocol.close_all)

    async def _keep_alive(self, websocket: ServerConnection, protocol: ProtocolConnection, liveness: _Liveness) -> None:
        interval = self.config.ping_interval_s
        if interval <= 0:
            return
        nonces = itertools.count(1)
        try:
            while True:
                await asyncio.sleep(interval)
                if not protocol.greeted or liveness.idle_seconds() < interval:
                    continue
                if liveness.unanswered_pings >= UNANSWERED_PINGS_BEFORE_CLOSE:
                    await websocket.close(CLOSE_PING_TIMEOUT, "pings unanswered")
                    return
                await websocket.send(encode_frame({"type": "ping", "nonce": next(nonces)}))
                liveness.unanswered_pings += 1
        except (ConnectionClosed, asyncio.CancelledError):
            return


def _timed_dispatch(protocol: ProtocolConnection, placement: DispatchPlacement, request: Request) -> Outcome:
    started = time.perf_counter()
    outcome = protocol.dispatch(request)
    placement.record(request, time.perf_counter() - started)
    return outcome


class _Liveness:
    """When the client was last heard from, and how many pings it has left unanswered since."""

    def __init__(self) -> None:
        self.last_heard = time.monotonic()
        self.unanswered_pings = 0

    def heard(self) -> None:
        self.last_heard = time.monotonic()
        self.unanswered_pings = 0

    def idle_seconds(self) -> float:
        return time.monotonic() - self.last_heard


def _json_default(value: Any) -> Any:
    return repr(value)
