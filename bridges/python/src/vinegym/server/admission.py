"""Who gets a connection slot, and how fast a peer may try tokens.

Three pools: sockets of any kind (TCP connections still in the HTTP/WebSocket handshake included), WebSocket
connections that have not said hello yet, and authenticated connections. Connections without hello have slots of
their own, fewer than the authenticated ones, so that sockets that never say hello cannot keep a client with the
token out: they fill only their own pool, and lose their slot at the hello deadline.

Failed tokens are counted per peer address: after the n-th failure in a row (n > `free`, so that a mistyped token
can be retried at once), the peer's next token is checked no earlier than `base * 2^(n-free-1)` seconds later (at
most `cap`); a hello that comes sooner is refused without looking at its token, so guessing runs at one try per
`cap` seconds instead of thousands per second. A correct token clears the peer's count.
"""
from __future__ import annotations

import time
from collections import OrderedDict
from dataclasses import dataclass
from typing import Callable, Hashable

# Peers remembered by the token back-off; the oldest is forgotten beyond this.
MAX_TRACKED_PEERS = 4096


@dataclass
class _Failures:
    count: int
    retry_at: float


class TokenBackoff:
    def __init__(
        self, free: int = 2, base_s: float = 0.1, cap_s: float = 10.0, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.free = free
        self.base_s = base_s
        self.cap_s = cap_s
        self._clock = clock
        self._peers: OrderedDict[str, _Failures] = OrderedDict()

    def wait_s(self, peer: str) -> float:
        """Seconds until `peer` may have a token checked again (0: now)."""
        failures = self._peers.get(peer)
        return 0.0 if failures is None else max(0.0, failures.retry_at - self._clock())

    def failed(self, peer: str) -> None:
        failures = self._peers.pop(peer, None) or _Failures(0, 0.0)
        failures.count += 1
        if failures.count > self.free:
            exponent = min(failures.count - self.free - 1, 64)
            failures.retry_at = self._clock() + min(self.cap_s, self.base_s * 2**exponent)
        self._peers[peer] = failures
        while len(self._peers) > MAX_TRACKED_PEERS:
            self._peers.popitem(last=False)

    def succeeded(self, peer: str) -> None:
        self._peers.pop(peer, None)


class ConnectionSlots:
    """Open sockets, connections without hello (oldest first) and authenticated connections, against their caps.

    When every slot without hello is taken, a new connection takes the slot of the oldest one, which is closed:
    a client that says hello as soon as it has connected (within a round trip) gets in unless sockets are
    opened faster than `max_unauthenticated` per round trip; the ones opened to hold slots are the ones dropped."""

    def __init__(self, max_connections: int, max_unauthenticated: int) -> None:
        self.max_connections = max_connections
        self.max_unauthenticated = max_unauthenticated
        # Handshakes in progress and plain HTTP requests hold sockets too; they end at the handshake timeout.
        self.max_sockets = max_connections + 2 * max_unauthenticated
        self.sockets = 0
        self.authenticated = 0
        self._unauthenticated: OrderedDict[Hashable, None] = OrderedDict()

    @property
    def unauthenticated(self) -> int:
        return len(self._unauthenticated)

    def open_socket(self) -> bool:
        if self.sockets >= self.max_sockets:
            return False
        self.sockets += 1
        return True

    def close_socket(self) -> None:
        self.sockets -= 1

    def open_unauthenticated(self, connection: Hashable) -> Hashable | None:
        """Gives `connection` a slot without hello; returns the connection it was taken from, if any (to close)."""
        evicted = None
        if len(self._unauthenticated) >= self.max_unauthenticated:
            evicted, _ = self._unauthenticated.popitem(last=False)
        self._unauthenticated[connection] = None
        return evicted

    def authenticate(self, connection: Hashable) -> bool:
        """Moves `connection` to the authenticated pool, if that has room."""
        if self.authenticated >= self.max_connections:
            return False
        self._unauthenticated.pop(connection, None)
        self.authenticated += 1
        return True

    def release(self, connection: Hashable, authenticated: bool) -> None:
        if authenticated:
            self.authenticated -= 1
        else:
            self._unauthenticated.pop(connection, None)
