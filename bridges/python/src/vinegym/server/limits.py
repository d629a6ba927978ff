"""The bridge's limits on what a client can make it hold or do, with their defaults (PROTOCOL.md 9; the same
values as the TypeScript server's defaults, so that both servers give the same guarantees). ServerConfig carries
the configurable ones; the CLI exposes them as flags."""
from __future__ import annotations

from vinegym.protocol.decode_budget import DecodeBudget

# Before hello succeeds: small frames with little in them (a hello is ~100 bytes and ~20 values).
PRE_HELLO_MAX_MESSAGE_BYTES = 8192
PRE_HELLO_BUDGET = DecodeBudget(
    max_values=256, max_containers=16, max_depth=8, max_string_bytes=4096, suffix="_before_hello"
)
# After hello: a step of 1024 envs with a Dict action space or a reset with 1024 seeds stays far below.
FRAME_BUDGET = DecodeBudget(max_values=65_536, max_containers=4096, max_depth=32, max_string_bytes=16 * 1024 * 1024)



def budget_limits(budget: DecodeBudget) -> dict[str, int]:
    """A decode budget as hello.limits entries (PROTOCOL.md 9)."""
    return {
        f"max_frame_values{budget.suffix}": budget.max_values,
        f"max_frame_containers{budget.suffix}": budget.max_containers,
        f"max_frame_depth{budget.suffix}": budget.max_depth,
        f"max_string_bytes{budget.suffix}": budget.max_string_bytes,
    }


# Received messages a connection buffers before it stops reading its socket (websockets' max_queue: high water
# mark, low water mark), on top of the one it is handling: one, so that the next pipelined request is ready.
MAX_QUEUED_MESSAGES = (1, 0)

# Unwritten answer bytes of a connection (its socket's write buffer) at which it stops handling requests until
# the buffer has drained to a quarter (websockets' write_limit): with one request handled at a time, a client that
# does not read makes the bridge hold at most this plus one answer (PROTOCOL.md 9, max_buffered_bytes).
WRITE_BUFFER_BYTES = 32 * 1024
