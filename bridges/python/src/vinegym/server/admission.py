"""Who gets a connection slot, and how fast a peer may try tokens.

Three pools: sockets of any kind (TCP connections still in the HTTP/WebSocket handshake included), WebSocket
connections that have not said hello yet, and authenticated connections. Connections without hello have slots of
their own, fewer than the authenticated ones, so that sockets that never say hello cannot keep a client with the
token out: they fill only their own pool, and lose their slot at the hello deadline.

Failed tokens are counted per peer (an IPv4 address, an IPv6 /64), as PROTOCOL.md 6 describes for the reference
server: the first `free` failures in a row cost nothing (a mistyped token can be retried at once); after each
further one the peer's next token is checked no earlier than `base * 2^(n-free-1)` seconds later (at most `cap`),
and a hello that comes sooner is refused without looking at its token, so guessing runs at one try per `cap`
seconds instead of thousands per second. A correct token clears the peer's count; so do `forget_s` seconds
without a failure.
"""
from __future__ import annotations

import ipaddress
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
    last_at: float


def peer_key(address: str) -> str:
    """The unit the token back-off counts: an IPv4 address, or the /64 of an IPv6 one (a host usually has a whole
    /64 to pick addresses from)."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        return str(ipaddress.IPv6Network((int(ip) >> 64 << 64, 64)))
    return str(ip)


class TokenBackoff:
    def __init__(
        self,
        free: int = 3,
        base_s: float = 1.0,
        cap_s: float = 60.0,
        forget_s: float = 600.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.free = free
        self.base_s = base_s
        self.cap_s = cap_s
        self.forget_s = forget_s
        self._clock = clock
        self._peers: OrderedDict[str, _Failures] = OrderedDict()

    def _current(self, peer: str) -> _Failures | None:
        failures = self._peers.get(peer)
        if failures is not None and self._clock() - failures.last_at > self.forget_s:
            del self._peers[peer]
            return None
        return failures

    def wait_s(self, peer: str) -> float:
        """Seconds until `peer` may have a token checked again (0: now)."""
        failures = self._current(peer)
        return 0.0 if failures is None else max(0.0, failures.retry_at - self._clock())

    def failed(self, peer: str) -> None:
        failures = self._current(peer) or _Failures(0, 0.0, 0.0)
        self._peers.pop(peer, None)
        failures.count += 1
        failures.last_at = self._clock()
        if failures.count > self.free:
            exponent = min(failures.count - self.free - 1, 64)
            failures.retry_at = self._clock() + min(self.cap_s, self.base_s * 2**exponent)
        self._peers[peer] = failures
        while len(self._peers) > MAX_TRACKED_PEERS:
            self._peers.popitem(last=False)

    def succeeded(self, peer: str) -> None:
        self._peers.pop(peer, None)


class ConnectionSlots:
    """Connections that have not completed hello (HTTP requests and handshakes included: "pending", oldest first)
    and authenticated ones, against their caps (PROTOCOL.md 9, `max_pending_connections`, `max_connections`).

    When the pending pool is full, a new connection takes the slot of the oldest pending one, which is dropped: a
    client that says hello as soon as it has connected gets in unless sockets are opened faster than
    `max_pending_connections` per round trip, and the sockets opened to hold slots are the ones dropped. Open
    sockets are thereby bounded by the sum of the two caps."""

    def __init__(self, max_connections: int, max_pending: int) -> None:
        self.max_connections = max_connections
        self.max_pending = max_pending
        self._pending: OrderedDict[Hashable, None] = OrderedDict()
        self._authenticated: set[Hashable] = set()

    @property
    def pending(self) -> int:
        return len(self._pending)

    @property
    def authenticated(self) -> int:
        return len(self._authenticated)

    def full(self) -> bool:
        return len(self._authenticated) >= self.max_connections

    def open_pending(self, connection: Hashable) -> Hashable | None:
        """Gives `connection` a pending slot; returns the connection it was taken from, if any (to drop)."""
        evicted = None
        if len(self._pending) >= self.max_pending:
            evicted, _ = self._pending.popitem(last=False)
        self._pending[connection] = None
        return evicted

    def authenticate(self, connection: Hashable) -> bool:
        """Moves `connection` to the authenticated pool, if that has room."""
        if self.full():
            return False
        self._pending.pop(connection, None)
        self._authenticated.add(connection)
        return True

    def release(self, connection: Hashable) -> None:
        self._pending.pop(connection, None)
        self._authenticated.discard(connection)
