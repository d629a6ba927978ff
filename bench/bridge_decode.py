"""What the bridge's decode budget costs per frame: `decode_frame` with the server's budget (limits.py) against the
same decode without a budget, in the same run, for step requests of several sizes and for frames the budget
rejects. Best of 7 rounds of 20,000 decodes (2,000 for large frames), alternating; prints µs per frame and ratios.

    .venv/bin/python bench/bridge_decode.py
"""
from __future__ import annotations

import os
import time
from collections.abc import Callable

import numpy as np

from vinegym.protocol.codec import UNBOUNDED, decode_frame, encode_frame
from vinegym.protocol.decode_budget import DecodeBudgetExceeded
from vinegym.server.limits import FRAME_BUDGET, PRE_HELLO_BUDGET


def _step(num_envs: int, shape: tuple[int, ...], dtype: str) -> bytes:
    actions = np.zeros((num_envs, *shape), dtype=dtype)
    return encode_frame({"id": 12345, "type": "step", "body": {"session_id": "py-1", "actions": actions}})


def _best_us(call: Callable[[], object], repeats: int, rounds: int = 7) -> float:
    best = float("inf")
    for _ in range(rounds):
        started = time.perf_counter()
        for _ in range(repeats):
            call()
        best = min(best, (time.perf_counter() - started) / repeats)
    return best * 1e6


def _rejected(data: bytes, budget: object) -> Callable[[], None]:
    def call() -> None:
        try:
            decode_frame(data, budget)  # type: ignore[arg-type]
        except DecodeBudgetExceeded:
            return
        raise AssertionError("not rejected")

    return call


def main() -> None:
    print(f"bridge decode budget — load average {os.getloadavg()[0]:.2f} / {os.getloadavg()[1]:.2f}")
    print("| frame | bytes | no budget µs | with budget µs | ratio |")
    print("|---|---:|---:|---:|---:|")
    cases = [
        ("step, CartPole 1 env", _step(1, (), "int64")),
        ("step, Hopper 16 envs", _step(16, (3,), "float32")),
        ("step, Pong 1024 envs", _step(1024, (), "int64")),
        ("step, Humanoid 1024 envs (scanned)", _step(1024, (17,), "float32")),
        ("restore, 1 MiB snapshot (scanned)", encode_frame(
            {"id": 1, "type": "restore", "body": {"session_id": "py-1", "env_index": 0, "snapshot": bytes(2**20)}})),
    ]
    for name, data in cases:
        repeats = 20_000 if len(data) < 10_000 else 2_000
        plain = _best_us(lambda: decode_frame(data, UNBOUNDED), repeats)
        budgeted = _best_us(lambda: decode_frame(data, FRAME_BUDGET), repeats)
        print(f"| {name} | {len(data):,} | {plain:.2f} | {budgeted:.2f} | {budgeted / plain:.2f} |")
    bomb = b"\xdd" + (64 * 2**20).to_bytes(4, "big") + b"\x80" * (64 * 2**20)
    flat = b"\xdc\xff\xff" + b"\x80" * 0xFFFF + b"\x90" * 4000  # 65,535 empty maps: the containers budget
    print("\n| rejected frame | bytes | µs to reject |")
    print("|---|---:|---:|")
    bomb_us = _best_us(_rejected(bomb, FRAME_BUDGET), 20)
    print(f"| 64 MiB array of empty maps, after hello | {len(bomb):,} | {bomb_us:.1f} |")
    print(f"| 64 KiB of empty maps, after hello | {len(flat):,} | {_best_us(_rejected(flat, FRAME_BUDGET), 200):.1f} |")
    hello_bomb = b"\xdc\x01\x00" + b"\x80" * 256
    print(f"| 259 bytes of empty maps, before hello | {len(hello_bomb)} | "
          f"{_best_us(_rejected(hello_bomb, PRE_HELLO_BUDGET), 20_000):.1f} |")


if __name__ == "__main__":
    main()
