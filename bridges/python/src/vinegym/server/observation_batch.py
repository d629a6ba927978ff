"""Collects the observations of one reset or step, one per env, into the batch that goes on the wire.

Box and Discrete observation spaces (all of Gymnasium's classic control, MuJoCo and Atari envs) are written row by
row into one array allocated per batch: one copy per observation, no per-env wire conversion. Other spaces (Dict,
Tuple, MultiDiscrete, ...) go through `single_to_wire` and `stack_to_wire`.
"""
from __future__ import annotations

from typing import Any

import numpy as np
from gymnasium import spaces

from vinegym.protocol.values import single_to_wire, stack_to_wire


class ObservationBatch:
    def __init__(self, space: spaces.Space[Any], size: int) -> None:
        self.space = space
        self.size = size
        self._array: np.ndarray[Any, Any] | None = None
        self._rows: list[Any] | None = None
        if isinstance(space, spaces.Box):
            self._array = np.empty((size, *space.shape), dtype=space.dtype)
        elif isinstance(space, spaces.Discrete):
            self._array = np.empty((size,), dtype=np.int64)
        else:
            self._rows = []

    def put(self, position: int, observation: Any) -> None:
        """Sets row `position` (rows are put in order 0, 1, ... for non-array spaces)."""
        if self._array is None:
            self._rows.append(single_to_wire(self.space, observation))  # type: ignore[union-attr]
            return
        try:
            self._array[position] = observation
        except (ValueError, TypeError):  # e.g. an observation of shape (4, 1) for a Box of shape (4,)
            self._array[position] = single_to_wire(self.space, observation)

    def wire(self) -> Any:
        if self._array is not None:
            return self._array
        return stack_to_wire(self.space, self._rows)  # type: ignore[arg-type]
