"""Where a connection's requests run: on the event loop thread, or in the env worker thread.

Handing a request to the worker thread and its answer back costs two thread wake-ups, which is more than a whole
CartPole step batch takes on a busy machine. So requests that have recently been quick (the last few of the
same type on the same session took under INLINE_BUDGET_S on average) run on the event loop thread itself; slow
ones (MuJoCo and Atari batches, make, restore with a long replay, ...) keep running in the worker so the loop
stays free for other connections and keep-alive pings. A request type and session seen for the first time goes
to the worker, which measures it.
"""
from __future__ import annotations

from vinegym.server.connection import Request

INLINE_BUDGET_S = 0.001
# Weight of the newest duration in the moving average.
NEWEST_WEIGHT = 0.25
# Requests without env work.
ALWAYS_INLINE = frozenset(("hello", "list"))


class DispatchPlacement:
    def __init__(self, inline_budget_s: float = INLINE_BUDGET_S) -> None:
        self.inline_budget_s = inline_budget_s
        self._average_s: dict[tuple[str, object], float] = {}

    @staticmethod
    def _key(request: Request) -> tuple[str, object]:
        return request.type, request.body.get("session_id")

    def runs_inline(self, request: Request) -> bool:
        if request.type in ALWAYS_INLINE:
            return True
        average = self._average_s.get(self._key(request))
        return average is not None and average < self.inline_budget_s

    def record(self, request: Request, seconds: float) -> None:
        key = self._key(request)
        average = self._average_s.get(key)
        self._average_s[key] = seconds if average is None else average + NEWEST_WEIGHT * (seconds - average)
        if request.type == "close":
            session_id = request.body.get("session_id")
            for stale in [k for k in self._average_s if k[1] == session_id]:
                del self._average_s[stale]
