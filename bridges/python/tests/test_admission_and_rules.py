"""Units of the bridge's hardening: connection slots and the token back-off (admission.py), quotes of client text,
and when INVALID_ACTION names an env (PROTOCOL.md 4, 6, 7.5, 9)."""
from __future__ import annotations

import numpy as np
import pytest
from gymnasium import spaces

from vinegym.protocol.errors import quote, shortened
from vinegym.protocol.values import InvalidValueError, split_wire_batch
from vinegym.server.admission import ConnectionSlots, TokenBackoff, peer_key


def test_a_full_pending_pool_gives_the_oldest_slot_to_the_newest_connection() -> None:
    slots = ConnectionSlots(max_connections=1, max_pending=2)
    assert slots.open_pending("a") is None and slots.open_pending("b") is None
    assert slots.open_pending("c") == "a"  # "a" is dropped
    assert slots.authenticate("c") and slots.pending == 1 and slots.authenticated == 1
    assert slots.full() and not slots.authenticate("b")
    slots.release("c")
    assert not slots.full() and slots.authenticate("b")
    slots.release("a")  # already dropped: no effect
    assert (slots.pending, slots.authenticated) == (0, 1)


def test_token_backoff_frees_three_failures_then_doubles_up_to_a_minute_and_forgets() -> None:
    now = [0.0]
    backoff = TokenBackoff(clock=lambda: now[0])
    waits = []
    for _ in range(10):
        backoff.failed("peer")
        waits.append(backoff.wait_s("peer"))
    assert waits == [0, 0, 0, 1, 2, 4, 8, 16, 32, 60]
    assert backoff.wait_s("other") == 0
    now[0] += 30
    assert backoff.wait_s("peer") == 30
    backoff.succeeded("peer")
    assert backoff.wait_s("peer") == 0
    for _ in range(5):
        backoff.failed("peer")
    now[0] += 601  # ten minutes without a failure
    backoff.failed("peer")
    assert backoff.wait_s("peer") == 0


def test_peers_are_ipv4_addresses_or_ipv6_64s() -> None:
    assert peer_key("127.0.0.1") == "127.0.0.1"
    assert peer_key("2001:db8:1:2:aaaa::1") == peer_key("2001:db8:1:2:bbbb::9") == "2001:db8:1:2::/64"
    assert peer_key("::ffff:10.1.2.3") == "10.1.2.3"


def test_client_text_is_quoted_to_64_characters() -> None:
    long = "k" * 8_000_000
    assert quote(long) == f"'{'k' * 64}'... (8000000 characters)"
    assert shortened(long) == f"{'k' * 64}... (8000000 characters)"
    assert quote("short") == "'short'" and shortened("short") == "short"
    assert quote(list(range(10**6))) == "list of length 1000000"
    assert len(quote({"a": "b" * 10**6})) < 100


def _error(space: spaces.Space, batch: object, num_envs: int = 3) -> InvalidValueError:
    with pytest.raises(InvalidValueError) as caught:
        split_wire_batch(space, batch, num_envs)
    return caught.value


def test_invalid_action_names_an_env_exactly_when_the_batch_is_well_formed() -> None:
    box = spaces.Box(-1, 1, (2,), np.float32)
    composite = spaces.Dict({"move": box, "press": spaces.Discrete(2)})
    good_move = np.zeros((3, 2), np.float32)
    bad_move = good_move.copy()
    bad_move[2, 1] = bad_move[1, 0] = 5
    assert _error(composite, {"move": bad_move, "press": np.array([0, 1, 2])}).env_index == 1
    assert _error(composite, {"move": good_move, "press": np.array([0, 3, 7])}).env_index == 1
    # out of bounds in the first leaf but a malformed second leaf: malformed, no env named
    assert _error(composite, {"move": bad_move, "press": np.array([0.0, 1.0, 0.0])}).env_index is None
    assert _error(composite, {"move": bad_move}).env_index is None
    assert _error(box, good_move.astype(np.float64)).env_index is None
    multi = spaces.MultiDiscrete([3, 3])
    huge = np.array([[0, 0], [0, 2**63 + 5], [0, 0]], np.uint64)
    assert _error(multi, huge).env_index == 1
