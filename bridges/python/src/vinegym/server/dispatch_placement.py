"""Where a connection's requests run: on the event loop thread, or in the env worker thread.

Handing a request to the worker thread and its answer back costs two thread wake-ups: more than a whole CartPole
step batch takes on a busy machine, and 0.1-0.3 ms of a 16-env Hopper or Pong batch on a loaded 2-core machine.
So requests that have recently been quick (the last few of the same type on the same session took under
INLINE_BUDGET_S on average) run on the event loop thread itself; slow ones (make, restore with a long replay,
batches of hundreds of envs, ...) keep running in the worker so that the loop can answer other connections.

The budget is 20 ms, not less, because the worker thread keeps the loop free only in part: MuJoCo's and ale-py's
step hold the GIL, so while an env steps in the worker the loop thread gets the GIL back only at the interpreter's
switch interval (5 ms). Running a 2-5 ms batch inline delays other connections by little more than that, and
saves the wake-ups on every step (A/B on the live bridge, Hopper-v5 16 envs, under load average 5: inline faster
in 7 of 10 alternating rounds, medians 5,970 against 5,330 steps/s; in a second A/B in 5 of 8).
A request type and session seen for the first time goes to the worker, which measures it.
"""
from __future__ import annotations

from vinegym.server.connection import Request

INLINE_BUDGET_S = 0.02
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
