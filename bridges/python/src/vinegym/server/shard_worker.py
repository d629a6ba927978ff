"""The worker process side of `--workers`: one shard of a session (a contiguous range of its envs) as an ordinary
`Session`, driven over a pipe by the `ShardedSession` in the server process.

Messages from the server: `(method, args)` with a `Session` method name, or `("close", ())`. Replies (`call_shard`,
which the server process also uses for the shard it steps itself): `("ok", result, statuses)` with the shard's env
statuses after the call, or `("error", code, message, details, broken_reason)`. The first reply, once the envs are
made, is `("ok", None, statuses)`. A worker ends on close, or when the server's end of the pipe goes away (the
server exited).
"""
from __future__ import annotations

import signal
import sys
import traceback
from multiprocessing.connection import Connection
from typing import Any

from vinegym.protocol.errors import ErrorCode, VinegymError
from vinegym.server.capabilities import EnvCapabilities
from vinegym.server.env_recipe import EnvRecipe
from vinegym.server.session import Session

# The methods a ShardedSession calls; nothing else is run from a message.
SHARD_METHODS = frozenset(("reset", "step_checked", "snapshot", "restore", "render"))


def _error_reply(error: BaseException, session: Session | None) -> tuple[Any, ...]:
    if not isinstance(error, VinegymError):
        traceback.print_exception(error, file=sys.stderr)
        error = VinegymError(ErrorCode.INTERNAL, "internal server error")
    return ("error", error.code, error.message, error.details, session.broken_reason if session else None)


def call_shard(session: Session, method: str, args: tuple[Any, ...]) -> tuple[Any, ...]:
    """Runs one of SHARD_METHODS on a shard's session; the reply."""
    try:
        if method not in SHARD_METHODS:
            raise VinegymError(ErrorCode.INTERNAL, f"shard method {method!r} does not exist")
        return ("ok", getattr(session, method)(*args), session.statuses())
    except Exception as error:
        return _error_reply(error, session)


def serve_shard(
    pipe: Connection,
    recipe: EnvRecipe,
    capabilities: EnvCapabilities,
    snapshot_key: bytes,
    session_args: dict[str, Any],
) -> None:
    """The worker process's main: makes the shard's Session (`session_args` are Session's arguments besides the
    source, capabilities and key), says so, then serves calls until closed."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C reaches the whole process group; the server closes us
    session: Session | None = None
    try:
        session = Session(source=recipe.build(), capabilities=capabilities, snapshot_key=snapshot_key, **session_args)
        pipe.send(("ok", None, session.statuses()))
        while True:
            try:
                method, args = pipe.recv()
            except (EOFError, OSError):
                return
            if method == "close":
                return
            pipe.send(call_shard(session, method, args))
    except (BrokenPipeError, EOFError):
        return
    except Exception as error:  # making the envs failed
        pipe.send(_error_reply(error, session))
    finally:
        if session is not None:
            session.close()
        pipe.close()
