"""The bytes of a snapshot: a magic prefix, then a MessagePack map naming the env id, its effective kwargs, the
strategy, the session bookkeeping of the env, and the strategy's payload, with a SHA-256 digest against
corruption. `open_envelope` raises ValueError for anything that is not an intact snapshot."""
from __future__ import annotations

import hashlib
from dataclasses import dataclass

from typing import Any

from vinegym.protocol.codec import FrameDecodeError, decode_frame, encode_frame
from vinegym.protocol.decode_budget import DecodeBudget

MAGIC = b"VGPYSNAP"
FORMAT_VERSION = 1
# The bytes a client sends to restore may be forged (the digest is no signature): their MessagePack is decoded
# within a budget like a frame's (a bin is opaque to the frame's own budget).
SNAPSHOT_BUDGET = DecodeBudget(max_values=65_536, max_containers=4096, max_depth=8, max_string_bytes=64 * 1024)


def decode_snapshot_part(data: bytes) -> Any:
    """Decodes MessagePack of a snapshot (envelope or payload); FrameDecodeError (a ValueError) when invalid."""
    return decode_frame(data, SNAPSHOT_BUDGET)


@dataclass(frozen=True)
class Envelope:
    env_id: str
    kwargs: str  # canonical JSON of the effective kwargs
    strategy: str
    status: str  # session bookkeeping: "never_reset" | "running" | "ended"
    elapsed_steps: int
    payload: bytes


def seal_envelope(envelope: Envelope) -> bytes:
    body = encode_frame({
        "version": FORMAT_VERSION,
        "env_id": envelope.env_id,
        "kwargs": envelope.kwargs,
        "strategy": envelope.strategy,
        "status": envelope.status,
        "elapsed_steps": envelope.elapsed_steps,
        "payload": envelope.payload,
    })
    return MAGIC + hashlib.sha256(body).digest() + body


def open_envelope(data: bytes) -> Envelope:
    if not data.startswith(MAGIC) or len(data) < len(MAGIC) + 32:
        raise ValueError("bytes are not a vinegym Python bridge snapshot")
    digest, body = data[len(MAGIC) : len(MAGIC) + 32], data[len(MAGIC) + 32 :]
    if hashlib.sha256(body).digest() != digest:
        raise ValueError("snapshot is corrupt (digest mismatch)")
    try:
        fields = decode_snapshot_part(body)
    except FrameDecodeError as error:
        raise ValueError(f"snapshot is corrupt ({error})") from None
    if not isinstance(fields, dict) or fields.get("version") != FORMAT_VERSION:
        raise ValueError("snapshot has an unknown format version")
    try:
        envelope = Envelope(
            env_id=fields["env_id"],
            kwargs=fields["kwargs"],
            strategy=fields["strategy"],
            status=fields["status"],
            elapsed_steps=fields["elapsed_steps"],
            payload=fields["payload"],
        )
    except KeyError as error:
        raise ValueError(f"snapshot lacks {error}") from None
    if not (isinstance(envelope.payload, bytes) and isinstance(envelope.elapsed_steps, int)):
        raise ValueError("snapshot fields have wrong types")
    return envelope
