"""The bridge's limits on what a client can make it hold or do, with their defaults (PROTOCOL.md 9; the same
values as the TypeScript server's, so that both servers give the same guarantees). ServerConfig carries the
configurable ones; the CLI exposes them as flags."""
from __future__ import annotations

from vinegym.protocol.decode_budget import DecodeBudget

# Before hello succeeds: small frames with little in them (a hello is ~100 bytes and ~20 elements).
PRE_HELLO_MAX_MESSAGE_BYTES = 16 * 1024
PRE_HELLO_BUDGET = DecodeBudget(max_elements=256, max_depth=4, max_str_bytes=4096)
# After hello: a step of 1024 envs with a Dict action space or a reset with 1024 seeds stays far below.
FRAME_BUDGET = DecodeBudget(max_elements=65_536, max_depth=32, max_str_bytes=1024 * 1024)

# Received messages a connection buffers before it stops reading its socket (websockets' max_queue: high water
# mark, low water mark), on top of the one it is handling.
MAX_QUEUED_MESSAGES = (4, 1)
