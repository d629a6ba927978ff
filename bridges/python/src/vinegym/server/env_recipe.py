"""What `vinegym-bridge serve` was asked to serve, as plain picklable data: the recipe a worker process
(`--workers`) follows to build the same `EnvSource` the server built, since a source's factory is a closure."""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any

from vinegym.server.atari_preprocessing import AtariPreprocessSettings, with_atari_preprocessing
from vinegym.server.env_source import EnvSource, resolve_env_source
from vinegym.server.wrappers import with_wrapper_kwargs


@dataclass(frozen=True)
class EnvRecipe:
    env_name: str
    server_kwargs: dict[str, Any] = field(default_factory=dict)
    max_episode_steps: int | None = None
    atari_preprocess: AtariPreprocessSettings | None = None

    def build(self) -> EnvSource:
        """`max_episode_steps` overrides the time limit of the env's registration; `atari_preprocess` serves an
        ALE env's frames downsampled and stacked (atari_preprocessing.py). Every source accepts the wrapper kwargs
        (wrappers.py)."""
        source = resolve_env_source(self.env_name, self.server_kwargs)
        if self.atari_preprocess is not None:
            source = with_atari_preprocessing(source, self.atari_preprocess)
        if self.max_episode_steps is not None:
            source = dataclasses.replace(source, max_episode_steps=self.max_episode_steps)
        return with_wrapper_kwargs(source)
