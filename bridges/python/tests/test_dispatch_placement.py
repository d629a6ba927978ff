"""Requests that have been quick lately run on the event loop; new or slow ones in the worker thread."""
from __future__ import annotations

from vinegym.server.connection import Request
from vinegym.server.dispatch_placement import INLINE_BUDGET_S, DispatchPlacement


def _step(session: str = "py-1") -> Request:
    return Request(1, "step", {"session_id": session, "actions": None})


def test_new_requests_go_to_the_worker_and_quick_ones_come_back_inline() -> None:
    placement = DispatchPlacement()
    assert placement.runs_inline(Request(0, "hello", {}))
    assert not placement.runs_inline(_step())
    placement.record(_step(), INLINE_BUDGET_S / 10)
    assert placement.runs_inline(_step())
    assert not placement.runs_inline(_step("py-2"))  # measured per session


def test_slow_requests_move_to_the_worker_and_close_forgets_the_session() -> None:
    placement = DispatchPlacement()
    placement.record(_step(), INLINE_BUDGET_S / 10)
    for _ in range(10):
        placement.record(_step(), INLINE_BUDGET_S * 10)
    assert not placement.runs_inline(_step())
    placement.record(_step(), INLINE_BUDGET_S / 10)
    placement.record(Request(2, "close", {"session_id": "py-1"}), INLINE_BUDGET_S / 10)
    assert not placement.runs_inline(_step())
