"""The state of an env's `np_random` as JSON text (bit generator states hold 128-bit integers)."""
from __future__ import annotations

import json
from typing import Any

import numpy as np


def capture_np_random(env: Any) -> str | None:
    generator = getattr(env, "_np_random", None)
    if generator is None:
        return None
    return json.dumps({"state": generator.bit_generator.state, "seed": _seed_of(env)})


def _seed_of(env: Any) -> Any:
    seed = getattr(env, "_np_random_seed", None)
    return int(seed) if seed is not None else None


def apply_np_random(env: Any, text: str | None) -> None:
    if text is None:
        env._np_random = None
        return
    saved = json.loads(text)
    state = saved["state"]
    bit_generator_class = getattr(np.random, state["bit_generator"])
    bit_generator = bit_generator_class()
    bit_generator.state = state
    env._np_random = np.random.Generator(bit_generator)
    if hasattr(env, "_np_random_seed"):
        env._np_random_seed = saved["seed"]
