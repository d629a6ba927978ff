"""Resolves what `vinegym-bridge serve <env>` names (a registered Gymnasium id, `module:env-id`, or
`module:Class`) into a factory of single envs without Gymnasium's TimeLimit / order / checker wrappers: the
session applies the time limit itself (PROTOCOL.md 8.2)."""
from __future__ import annotations

import dataclasses
import importlib
import inspect
from dataclasses import dataclass, field
from typing import Any, Callable

import gymnasium as gym
from gymnasium.envs.registration import EnvSpec, load_env_creator

from vinegym.server.kwargs import KwargSpec, kwarg_specs_from_signature


def _register_optional_namespaces(env_id: str) -> None:
    """Imports the packages that register well-known namespaces (ALE) when the id needs them."""
    if env_id.startswith("ALE/"):
        import ale_py

        gym.register_envs(ale_py)


@dataclass
class EnvSource:
    """One servable env: its public id, how to build it, its kwargs and time limit."""

    env_id: str
    description: str
    create: Callable[[dict[str, Any], str | None], gym.Env[Any, Any]]
    kwarg_specs: dict[str, KwargSpec]
    max_episode_steps: int | None
    render_modes: tuple[str, ...]
    fixed_kwargs: dict[str, Any] = field(default_factory=dict)
    # Kwargs that choose wrappers rather than reach the constructor (see wrappers.py).
    wrapper_kwargs: frozenset[str] = frozenset()

    def make(self, kwargs: dict[str, Any], render_mode: str | None = None) -> gym.Env[Any, Any]:
        return self.create({**self.fixed_kwargs, **kwargs}, render_mode)

    def episode_limit(self, kwargs: dict[str, Any]) -> int | None:
        """The time limit of a session made with `kwargs`: the max_episode_steps wrapper kwarg, else the env's."""
        asked = kwargs.get("max_episode_steps") if "max_episode_steps" in self.wrapper_kwargs else None
        return self.max_episode_steps if asked is None else int(asked)

    def describe(self) -> dict[str, Any]:
        return {
            "id": self.env_id,
            "description": self.description,
            "kwargs": {name: spec.to_wire() for name, spec in self.kwarg_specs.items()},
            "max_episode_steps": self.max_episode_steps,
        }


def _split_server_kwargs(specs: dict[str, KwargSpec], server_kwargs: dict[str, Any]) -> dict[str, Any]:
    """--kwargs entries that are not simple typed defaults are passed to every env as they are."""
    return {name: value for name, value in server_kwargs.items() if name not in specs}


def _source_from_spec(spec: EnvSpec, server_kwargs: dict[str, Any]) -> EnvSource:
    unlimited = dataclasses.replace(spec, max_episode_steps=None, order_enforce=False, disable_env_checker=True)
    entry_point = spec.entry_point
    constructor = load_env_creator(entry_point) if isinstance(entry_point, str) else entry_point
    defaults = {**spec.kwargs, **server_kwargs}
    specs = kwarg_specs_from_signature(constructor, defaults) if constructor is not None else {}
    render_modes = tuple(getattr(constructor, "metadata", {}).get("render_modes", ()))
    doc = inspect.getdoc(constructor) if constructor is not None else None

    def create(kwargs: dict[str, Any], render_mode: str | None) -> gym.Env[Any, Any]:
        extra: dict[str, Any] = {"render_mode": render_mode} if render_mode is not None else {}
        return gym.make(unlimited, **kwargs, **extra)

    return EnvSource(
        env_id=spec.id,
        description=(doc or spec.id).strip().split("\n\n")[0].replace("\n", " ")[:300],
        create=create,
        kwarg_specs=specs,
        max_episode_steps=spec.max_episode_steps,
        render_modes=render_modes,
        fixed_kwargs={**_split_server_kwargs(specs, server_kwargs)},
    )


def _source_from_class(env_class: type[gym.Env[Any, Any]], server_kwargs: dict[str, Any]) -> EnvSource:
    specs = kwarg_specs_from_signature(env_class, server_kwargs)
    render_modes = tuple(getattr(env_class, "metadata", {}).get("render_modes", ()))

    def create(kwargs: dict[str, Any], render_mode: str | None) -> gym.Env[Any, Any]:
        extra: dict[str, Any] = {"render_mode": render_mode} if render_mode is not None else {}
        return env_class(**kwargs, **extra)

    doc = inspect.getdoc(env_class) or env_class.__name__
    return EnvSource(
        env_id=env_class.__name__,
        description=doc.split("\n\n")[0].replace("\n", " ")[:300],
        create=create,
        kwarg_specs=specs,
        max_episode_steps=None,
        render_modes=render_modes,
        fixed_kwargs=_split_server_kwargs(specs, server_kwargs),
    )


def resolve_env_source(name: str, server_kwargs: dict[str, Any] | None = None) -> EnvSource:
    """`CartPole-v1`, `ALE/Pong-v5`, `my.module:MyEnv-v0` (the module registers it) or `my.module:MyEnvClass`."""
    server_kwargs = dict(server_kwargs or {})
    if ":" in name:
        module_name, attribute = name.split(":", 1)
        module = importlib.import_module(module_name)
        target = getattr(module, attribute, None)
        if inspect.isclass(target) and issubclass(target, gym.Env):
            return _source_from_class(target, server_kwargs)
        name = attribute
    _register_optional_namespaces(name)
    return _source_from_spec(gym.spec(name), server_kwargs)
