"""`vinegym-bridge serve <env id> ...` and `python -m vinegym serve ...`; `ray-serve` starts servers on a Ray cluster."""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import shlex
import signal
import sys
import threading
from typing import Any

from vinegym.server.config import ServerConfig


def _positive_int(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be >= 1, got {value}")
    return value


def _seconds(text: str) -> float:
    value = float(text)
    if not value >= 0:
        raise argparse.ArgumentTypeError(f"must be >= 0 seconds, got {text}")
    return value


def _screen_size(text: str) -> tuple[int, int]:
    try:
        height, width = (int(part) for part in text.lower().split("x"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected HEIGHTxWIDTH, e.g. 52x40, got {text!r}") from None
    if height < 1 or width < 1:
        raise argparse.ArgumentTypeError(f"screen sizes must be >= 1, got {text!r}")
    return height, width


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="vinegym-bridge", description="vinegym Python bridge")
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser(
        "serve",
        help="serve a Gymnasium env over vinegym protocol v1",
        description="Serves a Gymnasium env at ws://HOST:PORT/v1/ws and prints that URL as the first stdout line.",
    )
    serve.add_argument("env", help="registered id (CartPole-v1, Hopper-v5, ALE/Pong-v5), module:env-id or module:Class")
    serve.add_argument("--kwargs", default="{}", help="JSON object of env constructor kwargs (defaults for clients)")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=0, help="TCP port; 0 (the default) picks a free one")
    serve.add_argument("--token", default=os.environ.get("VINEGYM_TOKEN"), help="shared secret for hello")
    serve.add_argument("--max-envs", type=_positive_int, default=1024, help="largest num_envs of a session")
    serve.add_argument("--max-sessions", type=_positive_int, default=16, help="sessions per connection")
    serve.add_argument(
        "--max-total-sessions", type=_positive_int, default=4096, help="sessions of all connections together"
    )
    serve.add_argument("--max-message-bytes", type=_positive_int, default=64 * 1024 * 1024)
    serve.add_argument(
        "--max-episode-steps", type=_positive_int, default=None, help="time limit (default: the env registration's)"
    )
    serve.add_argument(
        "--workers",
        type=_positive_int,
        default=1,
        help="processes a session's envs are split across: the server's and N - 1 workers (default 1: no workers)",
    )
    serve.add_argument("--ping-interval", type=float, default=30.0, help="idle seconds before a ping; 0 disables")
    serve.add_argument(
        "--ping-timeout",
        type=_seconds,
        default=300.0,
        help="seconds a ping may go unanswered with no request either before closing (300; 0: none)",
    )
    serve.add_argument(
        "--max-connections", type=_positive_int, default=256, help="authenticated connections at once (256)"
    )
    serve.add_argument(
        "--max-pending-connections",
        type=_positive_int,
        default=128,
        help="connections that have not completed hello, HTTP ones included (128); a new one takes the oldest's slot",
    )
    serve.add_argument(
        "--hello-timeout", type=_seconds, default=10.0, help="seconds from connecting to hello (10; 0: none)"
    )
    serve.add_argument(
        "--idle-timeout", type=_seconds, default=900.0, help="seconds without a request before closing (900; 0: none)"
    )
    serve.add_argument(
        "--message-timeout",
        type=_seconds,
        default=30.0,
        help="seconds for a message to arrive completely (30; 0: none)",
    )
    serve.add_argument(
        "--max-snapshot-bytes", type=_positive_int, default=16 * 1024 * 1024, help="largest snapshot to restore"
    )
    serve.add_argument(
        "--atari-preprocess",
        action="store_true",
        help="ALE envs: grayscale frames downsampled to --atari-screen and the last --atari-frames stacked, "
        "observations [height, width, frames] uint8",
    )
    serve.add_argument("--atari-screen", type=_screen_size, default=(52, 40), help="HEIGHTxWIDTH (default 52x40)")
    serve.add_argument("--atari-frames", type=_positive_int, default=4, help="frames stacked (default 4)")
    _add_ray_serve(commands)
    return parser


def _add_ray_serve(commands: Any) -> None:
    ray_serve = commands.add_parser(
        "ray-serve",
        help="start N env servers as Ray actors across a Ray cluster (needs vinegym[ray])",
        description="Starts N env servers as Ray actors, prints their ws:// URLs (one per line, stdout), serves until "
        "SIGINT or SIGTERM, then stops them. Arguments after -- go to every server.",
    )
    ray_serve.add_argument("env", help="env id (the Node server's built-in ids, or any Gymnasium env for the bridge)")
    ray_serve.add_argument("--servers", type=_positive_int, default=1, help="number of servers (default 1)")
    ray_serve.add_argument(
        "--backend",
        choices=("auto", "node", "python"),
        default="auto",
        help="node: vinegym-server; python: the bridge; auto (default): Node where installed and serving the env",
    )
    ray_serve.add_argument("--address", default=None, help="Ray cluster to join (default: RAY_ADDRESS, else a local one)")
    ray_serve.add_argument(
        "--host", default="0.0.0.0", help="interface the servers listen on (default 0.0.0.0: reachable from other nodes)"
    )
    ray_serve.add_argument("--port", type=int, default=0, help="TCP port of every server; 0 (the default): a free one each")
    ray_serve.add_argument("--token", default=os.environ.get("VINEGYM_TOKEN"), help="shared secret of the servers")
    ray_serve.add_argument("--kwargs", default="{}", help="JSON object of env kwargs (Python bridge only)")
    ray_serve.add_argument("--num-cpus", type=float, default=1.0, help="CPUs each actor reserves (default 1)")
    ray_serve.add_argument(
        "--node-command", default=None, help='how to run the Node server, e.g. "node /app/env-server/dist/cli.js"'
    )


def _ray_serve(args: argparse.Namespace, server_args: list[str]) -> int:
    try:
        import ray
    except ImportError:
        print("vinegym: ray-serve needs Ray: pip install 'vinegym[ray]'", file=sys.stderr)
        return 2
    from vinegym.ray_servers import serve_on_ray

    kwargs = json.loads(args.kwargs)
    ray.init(address=args.address, include_dashboard=False)
    try:
        servers = serve_on_ray(
            args.env,
            args.servers,
            backend=args.backend,
            host=args.host,
            port=args.port,
            kwargs=kwargs,
            token=args.token,
            num_cpus=args.num_cpus,
            server_args=server_args,
            node_command=shlex.split(args.node_command) if args.node_command else None,
        )
    except Exception as error:
        print(f"vinegym: ray-serve: {type(error).__name__}: {error}", file=sys.stderr)
        ray.shutdown()
        return 2
    for url in servers.urls:
        print(url, flush=True)
    flags = " ".join(f"--server {url}" for url in servers.urls)
    print(
        f"vinegym: ray-serve: {len(servers.urls)} servers of {args.env} ({', '.join(sorted(set(servers.backends)))}); "
        f"train with: vinegym train --env {args.env} {flags}",
        file=sys.stderr,
        flush=True,
    )
    stop = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stop.set())
    while not stop.wait(1.0):
        pass
    codes = servers.stop()
    print(f"vinegym: ray-serve: stopped {len(codes)} servers (exit codes {codes})", file=sys.stderr, flush=True)
    ray.shutdown()
    return 0


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    server_args: list[str] = []
    if argv[:1] == ["ray-serve"] and "--" in argv:
        split = argv.index("--")
        argv, server_args = argv[:split], argv[split + 1 :]
    args = _parser().parse_args(argv)
    if args.command == "ray-serve":
        return _ray_serve(args, server_args)
    try:
        server_kwargs = json.loads(args.kwargs)
    except json.JSONDecodeError as error:
        print(f"vinegym-bridge: --kwargs is not JSON: {error}", file=sys.stderr)
        return 2
    if not isinstance(server_kwargs, dict):
        print("vinegym-bridge: --kwargs must be a JSON object", file=sys.stderr)
        return 2
    config = ServerConfig(
        host=args.host,
        port=args.port,
        token=args.token,
        max_sessions=args.max_sessions,
        max_total_sessions=args.max_total_sessions,
        max_envs_per_session=args.max_envs,
        max_message_bytes=args.max_message_bytes,
        ping_interval_s=args.ping_interval,
        ping_timeout_s=args.ping_timeout,
        max_connections=args.max_connections,
        max_pending_connections=args.max_pending_connections,
        message_timeout_s=args.message_timeout,
        hello_timeout_s=args.hello_timeout,
        idle_timeout_s=args.idle_timeout,
        max_snapshot_bytes=args.max_snapshot_bytes,
        workers=args.workers,
    )
    from vinegym.server.atari_preprocessing import AtariPreprocessSettings
    from vinegym.server.serve import build_server, run_until_signalled

    preprocess = None
    if args.atari_preprocess:
        height, width = args.atari_screen
        preprocess = AtariPreprocessSettings(height=height, width=width, frames=args.atari_frames)
    try:
        server = build_server(args.env, config, server_kwargs, args.max_episode_steps, preprocess)
    except Exception as error:
        print(f"vinegym-bridge: cannot serve {args.env}: {type(error).__name__}: {error}", file=sys.stderr)
        return 2
    asyncio.run(run_until_signalled(server))
    return 0


if __name__ == "__main__":
    sys.exit(main())
