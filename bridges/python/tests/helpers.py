"""Assertions shared by the server tests."""
from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import pytest

from vinegym import VinegymClient, VinegymError


def expect_error(code: str, call: Callable[[], Any]) -> VinegymError:
    with pytest.raises(VinegymError) as caught:
        call()
    assert caught.value.code == code, caught.value
    return caught.value


def wait_for(condition: Callable[[], bool], timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        time.sleep(0.01)


def raw_error(client: VinegymClient, data: bytes | str) -> dict[str, Any]:
    """Sends raw bytes and returns the answer the client could not match to a request (id null)."""
    count = len(client.unmatched_responses)
    client.send_raw(data)
    wait_for(lambda: len(client.unmatched_responses) > count)
    return client.unmatched_responses[-1]


def step_pickled_env(env: Any, actions: list[Any]) -> list[Any]:
    """Runs in a child process: steps an env that reached it pickled, returns the observations, closes it."""
    observations = [env.step(action)[0] for action in actions]
    env.close()
    return observations
