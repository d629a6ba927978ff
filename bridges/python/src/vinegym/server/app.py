"""The network side: a websockets server at ws://HOST:PORT/v1/ws speaking protocol v1, the HTTP endpoints
(/healthz, /v1/envs, /metrics) on the same port, and keep-alive pings (PROTOCOL.md 2, 4)."""
from __future__ import annotations

import asyncio
import collections
import http
import itertools
import json
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from collections.abc import Generator
from typing import Any

from websockets.asyncio.server import Server, ServerConnection, serve
from websockets.protocol import State
from websockets.server import ServerProtocol
from websockets.datastructures import Headers
from websockets.exceptions import ConnectionClosed
from websockets.frames import DATA_OPCODES, Frame
from websockets.streams import StreamReader
from websockets.http11 import Request as HttpRequest
from websockets.http11 import Response

from vinegym.protocol.codec import encode_frame
from vinegym.protocol.errors import ErrorCode, VinegymError
from vinegym.server.admission import ConnectionSlots, TokenBackoff, peer_key
from vinegym.server.config import ServerConfig
from vinegym.server.connection import (
    CLOSE_TRY_AGAIN_LATER,
    Outcome,
    Pong,
    ProtocolConnection,
    Request,
    ServedEnv,
    list_result,
)
from vinegym.server.dispatch_placement import DispatchPlacement
from vinegym.server.limits import MAX_QUEUED_MESSAGES, PRE_HELLO_MAX_MESSAGE_BYTES, WRITE_BUFFER_BYTES
from vinegym.server.metrics import CONTENT_TYPE as METRICS_CONTENT_TYPE
from vinegym.server.metrics import ServerMetrics

WS_PATH = "/v1/ws"
CLOSE_GOING_AWAY = 1001
CLOSE_MESSAGE_TOO_BIG = 1009
CLOSE_PING_TIMEOUT = 4000
CLOSE_IDLE_TIMEOUT = 4001
CLOSE_MESSAGE_TIMEOUT = 4002
# How often a connection's deadlines are checked, at most.
WATCH_TICK_S = 0.5
# Bytes read from a socket per event loop turn (asyncio reads 256 KiB): parsing a chunk of thousands of tiny frames
# happens at once, before any other connection is served.
READ_CHUNK_BYTES = 16 * 1024
# A connection handling queued messages back to back lets the others run after this long.
YIELD_AFTER_S = 0.002
# How long a shutdown waits for answers that cannot be written (the client does not read), then for requests
# still being carried out.
SHUTDOWN_WRITE_GRACE_S = 5.0
SHUTDOWN_GRACE_S = 30.0


def _http_response(status: int, body: str, content_type: str) -> Response:
    headers = Headers([("Content-Type", content_type), ("Content-Length", str(len(body.encode())))])
    return Response(status, http.HTTPStatus(status).phrase, headers, body.encode())


class BridgeServer:
    """Serves `envs` until `close()`. Each connection's requests are carried out one at a time and in order;
    env work runs in a worker thread so that the event loop keeps answering other connections and sending pings,
    except for requests that have been quick lately, which run on the loop (see dispatch_placement.py).

    Bounded work per client: until hello succeeds a connection holds one of `max_pending_connections` slots, may
    send frames of at most PRE_HELLO_MAX_MESSAGE_BYTES with a small decode budget, and is closed (4001) at the hello
    deadline; wrong tokens back off per peer (admission.py). A connection handles one request at a time, buffers
    at most MAX_QUEUED_MESSAGES received messages (then stops reading its socket) and waits for each answer to be
    written before it takes the next request, so a client that never reads cannot make the bridge hold more than
    that (README, "Limits")."""

    def __init__(self, config: ServerConfig, envs: dict[str, ServedEnv], snapshot_key: bytes) -> None:
        self.config = config
        self.envs = envs
        self.snapshot_key = snapshot_key
        self.metrics = ServerMetrics()
        self.slots = ConnectionSlots(config.max_connections, config.max_pending_connections)
        self.token_backoff = TokenBackoff()
        self._executor = ThreadPoolExecutor(thread_name_prefix="vinegym-env")
        self._server: Server | None = None
        self._connections: dict[ServerConnection, _ConnectionState] = {}
        self._closing = False
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
            max_size=min(PRE_HELLO_MAX_MESSAGE_BYTES, self.config.max_message_bytes),  # raised by hello
            max_queue=MAX_QUEUED_MESSAGES,
            compression=None,
            ping_interval=None,
            open_timeout=self.config.handshake_timeout_s,
            write_limit=WRITE_BUFFER_BYTES,
            create_connection=_admitted_connection(self.slots, self.metrics, self.config.message_timeout_s),
        )
        self.port = next(iter(self._server.sockets)).getsockname()[1]

    async def close(self) -> None:
        """Graceful shutdown (PROTOCOL.md 6.1): stops accepting connections and reading sockets, carries out and
        answers every request already received, then closes each connection with 1001. Frames that arrive from
        then on are never carried out. A connection whose answers cannot be written (its client does not read)
        is cut after SHUTDOWN_WRITE_GRACE_S."""
        if self._server is None or self._closing:
            return
        self._closing = True
        self._server.close(close_connections=False)
        for websocket, state in list(self._connections.items()):
            if isinstance(websocket, _AdmittedConnection):
                websocket.stop_reading()
            if not state.busy and not _has_received(websocket):
                await _close(websocket, state, CLOSE_GOING_AWAY, "server shutting down")
        handlers = asyncio.ensure_future(self._server.wait_closed())
        done, _ = await asyncio.wait([handlers], timeout=SHUTDOWN_WRITE_GRACE_S)
        if not done:
            for websocket, state in list(self._connections.items()):
                if state.sending:
                    websocket.transport.abort()
            done, _ = await asyncio.wait([handlers], timeout=SHUTDOWN_GRACE_S)
        if not done:
            print(f"vinegym-bridge: requests still running after {SHUTDOWN_GRACE_S} s; exiting", file=sys.stderr)
        self._executor.shutdown(wait=False)

    # ------------------------------------------------------------ HTTP

    def _process_http_request(self, connection: ServerConnection, request: HttpRequest) -> Response | None:
        path = request.path.split("?", 1)[0]
        if path == WS_PATH:
            return None  # WebSocket handshake
        if path == "/healthz":
            return _http_response(200, json.dumps({"status": "ok"}), "application/json")
        if path == "/v1/envs":
            return _http_response(200, json.dumps(list_result(self.envs), default=_json_default), "application/json")
        if path == "/metrics":
            self.metrics.connections = len(self._connections)
            return _http_response(200, self.metrics.render(), METRICS_CONTENT_TYPE)
        return _http_response(404, "not found\n", "text/plain")

    # ------------------------------------------------------------ WebSocket

    async def _handle_connection(self, websocket: ServerConnection) -> None:
        if self._closing:
            await websocket.close(CLOSE_GOING_AWAY, "server shutting down")
            return
        if self.slots.full():
            await _refuse_connection(websocket, self.config.max_connections, self.metrics)
            return
        state = _ConnectionState()
        self._connections[websocket] = state
        gate = _HelloGate(self, websocket)
        protocol = ProtocolConnection(self.config, self.envs, self.metrics, self.snapshot_key, gate)
        watchdog = asyncio.create_task(self._watch(websocket, protocol, state))
        loop = asyncio.get_running_loop()
        placement = DispatchPlacement()
        try:
            while not state.stopping:
                if self._closing and not _has_received(websocket):  # shutting down: all received is answered
                    await _close(websocket, state, CLOSE_GOING_AWAY, "server shutting down")
                    break
                if isinstance(websocket, _AdmittedConnection):
                    websocket.handling = False
                    if not _has_received(websocket) and websocket.close_if_too_big():
                        break
                waits = not _has_received(websocket)  # recv() yields to the event loop only when it waits
                message = await websocket.recv()
                if state.stopping:  # arrived after the close was decided: not carried out
                    break
                if waits:
                    state.yielded_at = time.monotonic()
                if isinstance(websocket, _AdmittedConnection):
                    websocket.handling = True
                    websocket.release_delivered_frames()
                parsed = protocol.parse(message)
                del message  # not held while waiting for the next one (up to max_message_bytes)
                if isinstance(parsed, Pong):
                    state.ponged(parsed.nonce)
                    continue
                state.request_started()
                if isinstance(parsed, Outcome):
                    outcome = parsed
                elif not protocol.greeted or placement.runs_inline(parsed):
                    outcome = _timed_dispatch(protocol, placement, parsed)
                else:
                    outcome = await loop.run_in_executor(self._executor, _timed_dispatch, protocol, placement, parsed)
                if outcome.reply is not None:
                    state.sending = True
                    await websocket.send(outcome.reply)  # waits while the client does not read
                    state.sending = False
                state.busy = False
                if outcome.close_code is not None:  # a refused hello: nothing behind it is handled
                    await _close(websocket, state, outcome.close_code, "")
                elif time.monotonic() - state.yielded_at > YIELD_AFTER_S:
                    # recv() and send() return without yielding while messages are queued and the socket takes
                    # the answers: a client that floods must not keep the event loop from other connections.
                    await asyncio.sleep(0)
                    state.yielded_at = time.monotonic()
        except ConnectionClosed:
            pass
        finally:
            state.stopping = True
            watchdog.cancel()
            close_sent = websocket.protocol.close_sent
            if close_sent is not None and close_sent.code == CLOSE_MESSAGE_TOO_BIG:
                self.metrics.record_refusal("message_too_big")
            del self._connections[websocket]
            await loop.run_in_executor(self._executor, protocol.close_all)

    async def _watch(self, websocket: ServerConnection, protocol: ProtocolConnection, state: _ConnectionState) -> None:
        """Closes the connection at the hello deadline or after idle_timeout_s without a request (4001) or when a
        message is not complete message_timeout_s after its first byte (4002), and pings it when idle for
        ping_interval_s (4000 once a ping has gone unanswered for ping_timeout_s with no request either)."""
        config = self.config
        periods = [
            t
            for t in (config.hello_timeout_s, config.idle_timeout_s, config.ping_interval_s, config.message_timeout_s)
            if t > 0
        ]
        tick = min([WATCH_TICK_S, *(t / 4 for t in periods)])
        nonces = itertools.count(1)
        try:
            while not state.stopping:
                await asyncio.sleep(tick)
                now = time.monotonic()
                if isinstance(websocket, _AdmittedConnection) and websocket.message_overdue(now):
                    self.metrics.record_refusal("message_timeout")
                    await _close(websocket, state, CLOSE_MESSAGE_TIMEOUT, "message not completed in time")
                    return
                if not protocol.greeted:
                    if config.hello_timeout_s > 0 and now - state.opened_at > config.hello_timeout_s:
                        await _close(websocket, state, CLOSE_IDLE_TIMEOUT, "no hello in time")
                    continue
                if state.busy:
                    continue
                idle = now - state.last_request_at
                if config.idle_timeout_s > 0 and idle > config.idle_timeout_s:
                    await _close(websocket, state, CLOSE_IDLE_TIMEOUT, "idle timeout")
                elif config.ping_interval_s > 0 and min(idle, now - state.last_ping_at) >= config.ping_interval_s:
                    unanswered_for = now - state.first_unanswered_ping_at if state.unanswered_pings else 0.0
                    if config.ping_timeout_s > 0 and unanswered_for >= config.ping_timeout_s:
                        await _close(websocket, state, CLOSE_PING_TIMEOUT, "pings unanswered")
                        return
                    state.pinged(next(nonces), now)
                    await websocket.send(encode_frame({"type": "ping", "nonce": state.ping_nonce}))
        except (ConnectionClosed, asyncio.CancelledError):
            return


class _HelloGate:
    """What hello needs from the server around one connection: the token back-off of its peer, an authenticated
    slot, and the full message size limit once admitted (connection.py's HelloGate)."""

    def __init__(self, server: BridgeServer, websocket: ServerConnection) -> None:
        self._server = server
        self._websocket = websocket
        address = websocket.remote_address
        self._peer = peer_key(str(address[0])) if isinstance(address, tuple) and address else "unknown"
        self.admitted = False

    def token_wait_s(self) -> float:
        return self._server.token_backoff.wait_s(self._peer)

    def token_checked(self, correct: bool) -> None:
        if correct:
            self._server.token_backoff.succeeded(self._peer)
        else:
            self._server.token_backoff.failed(self._peer)

    def admit(self) -> bool:
        if not self._server.slots.authenticate(self._websocket):
            return False
        self.admitted = True
        self._websocket.protocol.max_message_size = self._server.config.max_message_bytes
        return True


class _ConnectionState:
    """The timing of one connection: when it opened, its last request, the keep-alive pings and whether it is
    carrying out a request or shutting down."""

    def __init__(self) -> None:
        self.opened_at = self.last_request_at = self.last_ping_at = time.monotonic()
        self.first_unanswered_nonce = 1
        self.first_unanswered_ping_at = self.opened_at
        self.busy = False
        self.sending = False
        self.stopping = False
        self.yielded_at = self.opened_at
        self.ping_nonce = 0
        self.unanswered_pings = 0

    def request_started(self) -> None:
        self.busy = True
        self.last_request_at = time.monotonic()
        self.unanswered_pings = 0

    def pinged(self, nonce: int, now: float) -> None:
        if not self.unanswered_pings:
            self.first_unanswered_nonce = nonce
            self.first_unanswered_ping_at = now
        self.ping_nonce = nonce
        self.last_ping_at = now
        self.unanswered_pings += 1

    def ponged(self, nonce: object) -> None:
        """A pong counts when it answers a ping not yet answered (and so the earlier ones too); any other pong is
        ignored. A pong is no request, so it never keeps a connection from being idle (PROTOCOL.md 4)."""
        if type(nonce) is float and nonce.is_integer():  # ints may travel as whole floats (PROTOCOL.md 3)
            nonce = int(nonce)
        if type(nonce) is int and self.unanswered_pings and self.first_unanswered_nonce <= nonce <= self.ping_nonce:
            self.unanswered_pings = 0


def _has_received(websocket: ServerConnection) -> bool:
    """Whether a message (or part of one) was received and not yet taken by recv()."""
    return len(websocket.recv_messages.frames) > 0


async def _close(websocket: ServerConnection, state: _ConnectionState, code: int, reason: str) -> None:
    """Closes the connection; nothing that arrives from now on is carried out (or kept)."""
    state.stopping = True
    if isinstance(websocket, _AdmittedConnection):
        websocket.discard_incoming()
    await websocket.close(code, reason)


async def _refuse_connection(websocket: ServerConnection, max_connections: int, metrics: ServerMetrics) -> None:
    """Answers an upgrade while max_connections are open: one LIMIT_EXCEEDED error frame with id null, then
    1013 (PROTOCOL.md 9)."""
    metrics.record_refusal("max_connections")
    error = VinegymError(
        ErrorCode.LIMIT_EXCEEDED,
        f"the server already has max_connections={max_connections} connections; try again later",
        {"limit": "max_connections"},
    )
    if isinstance(websocket, _AdmittedConnection):
        websocket.discard_incoming()
    try:
        await websocket.send(encode_frame({"id": None, "ok": False, "error": error.to_wire()}))
        await websocket.close(CLOSE_TRY_AGAIN_LATER, "too many connections")
    except ConnectionClosed:
        pass


class _HandOverReader(StreamReader):
    """websockets' stream reader, except that a read taking the whole buffer (the payload of a large message that
    arrived completely) hands the buffer over instead of copying it: one copy of a 64 MiB message less at the
    peak."""

    def read_exact(self, n: int) -> Generator[None, None, bytearray]:
        while len(self.buffer) < n and not self.eof:
            yield
        if len(self.buffer) == n:
            whole, self.buffer = self.buffer, bytearray()
            return whole
        return (yield from super().read_exact(n))  # a part of the buffer, or the end of the stream


class _AnswerFirstProtocol(ServerProtocol):
    """websockets' server protocol, except that a message over the size limit (close 1009) that arrives behind
    messages still to be answered closes the connection only once those are answered, as the protocol's in-order
    answers require; the oversized message itself is dropped as it arrives."""

    connection: _AdmittedConnection | None = None
    owner: _AdmittedConnection | None = None
    too_big: tuple[int, str] | None = None

    def fail(self, code: int, reason: str = "") -> None:
        connection = self.connection
        # Messages parsed from the same read are still in self.events, not yet delivered to the connection.
        pending = connection is not None and (connection.answering() or bool(self.events))
        if code == CLOSE_MESSAGE_TOO_BIG and self.state is State.OPEN and pending:
            self.too_big = (code, reason)
            self.parser = self._drop_input()  # nothing more from the peer is parsed...
            next(self.parser)
            connection.stop_reading()  # ...or read
            return
        super().fail(code, reason)
        if self.owner is not None:  # a failed connection is not read again: flooding it costs nothing
            self.owner.stop_reading()

    def _drop_input(self) -> Generator[None, None, None]:
        """Reads and drops everything until the peer's end of stream (then the connection is closed)."""
        while not (yield from self.reader.at_eof()):
            self.reader.discard()
        self.state = State.CLOSED
        yield


class _AdmittedConnection(ServerConnection):
    """A ServerConnection that holds a pending slot from the moment its TCP connection is accepted (a newer one may
    take it, and this one is then dropped without a close frame), and knows since when a message has been
    arriving incompletely."""

    slots: ConnectionSlots
    metrics: ServerMetrics
    message_timeout_s: float
    partial_since: float | None = None
    queued_frames: collections.deque[Frame]
    handling = False
    discarding = False
    _reading_stopped = False

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        super().connection_made(transport)
        self.queued_frames = collections.deque()
        if type(self.protocol) is ServerProtocol:
            self.protocol.__class__ = _AnswerFirstProtocol
            self.protocol.connection = self.protocol.owner = self
        if type(self.protocol.reader) is StreamReader:
            self.protocol.reader.__class__ = _HandOverReader
        if hasattr(transport, "max_size"):  # asyncio's selector transport: bytes read (and parsed) per loop turn
            transport.max_size = READ_CHUNK_BYTES
        evicted = self.slots.open_pending(self)
        if isinstance(evicted, ServerConnection):
            self.metrics.record_refusal("pending_pool_full")
            evicted.transport.abort()

    def connection_lost(self, exc: Exception | None) -> None:
        self.slots.release(self)
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        super().data_received(data)
        if self.protocol.reader.buffer or self.protocol.current_size is not None:
            if self.partial_since is None:
                self.partial_since = time.monotonic()
        else:
            self.partial_since = None

    def process_event(self, event: Any) -> None:
        if isinstance(event, Frame) and event.opcode in DATA_OPCODES:
            if self.discarding:
                return
            self.queued_frames.append(event)
        super().process_event(event)

    def answering(self) -> bool:
        """Whether a received message is being handled or waits to be."""
        return self.handling or len(self.recv_messages.frames) > 0

    def close_if_too_big(self) -> bool:
        """Closes with 1009 now if a message over the limit came behind the ones just answered."""
        protocol = self.protocol
        if not isinstance(protocol, _AnswerFirstProtocol) or protocol.too_big is None:
            return False
        code, reason = protocol.too_big
        protocol.too_big = protocol.connection = None
        protocol.fail(code, reason)
        self.send_data()
        return True

    def release_delivered_frames(self) -> None:
        """After recv() returned a message: its frames no longer hold its bytes. (websockets' parser keeps the last
        frame it parsed until the next one arrives, so a 64 MiB message would otherwise stay in memory beside the
        next one.)"""
        while self.queued_frames:
            frame = self.queued_frames.popleft()
            frame.data = b""
            if frame.fin:
                return

    def discard_incoming(self) -> None:
        """From now on data frames are dropped as they are parsed, and the socket is read again: the connection is
        closing, and the peer's close frame must get through even if reading was paused (queue full, shutdown)."""
        self.discarding = True
        messages = self.recv_messages
        messages.high = messages.low = None
        if messages.paused or self._reading_stopped:
            messages.paused = self._reading_stopped = False
            self.transport.resume_reading()

    def stop_reading(self) -> None:
        """Reads nothing more from the socket (messages already received stay queued)."""
        self._reading_stopped = True
        self.recv_messages.resume = lambda: None
        self.transport.pause_reading()

    def message_overdue(self, now: float) -> bool:
        if self.partial_since is None or self.message_timeout_s <= 0:
            return False
        if self.recv_messages.paused or self._reading_stopped:  # the rest of the message waits for us
            self.partial_since = now
            return False
        return now - self.partial_since > self.message_timeout_s


def _admitted_connection(
    slots: ConnectionSlots, metrics: ServerMetrics, message_timeout_s: float
) -> type[ServerConnection]:
    attributes = {"slots": slots, "metrics": metrics, "message_timeout_s": message_timeout_s}
    return type("AdmittedConnection", (_AdmittedConnection,), attributes)


def _timed_dispatch(protocol: ProtocolConnection, placement: DispatchPlacement, request: Request) -> Outcome:
    started = time.perf_counter()
    outcome = protocol.dispatch(request)
    placement.record(request, time.perf_counter() - started)
    return outcome


def _json_default(value: Any) -> Any:
    return repr(value)
