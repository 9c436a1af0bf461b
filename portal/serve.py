"""The production server: ``python -m portal.serve [--host H] [--port P] [--workers N]``.

Builds the frontend once, then serves it and the backend on one port with Granian.

``reflex run --env prod`` starts Granian without respawning failed workers, so one
worker that dies (out of memory, a crash in a native library, a kill) stops all of
them and every connected tab loses its server. Here Granian respawns a dead worker;
its tabs reconnect meanwhile to the workers still running, which share the listening
socket. Several workers need Redis (``REFLEX_REDIS_URL``): Reflex keeps each tab's
state there so any worker can serve it.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


class ServeError(RuntimeError):
    """The command line asks for a server that cannot work."""


def worker_count(requested: int | None, redis_url: str) -> int:
    """How many workers to start.

    Args:
        requested: ``--workers`` or ``GRANIAN_WORKERS``; None = 2 with Redis, else 1.
        redis_url: ``REFLEX_REDIS_URL``; empty = state in process memory.

    Raises:
        ServeError: Several workers are asked for without Redis; tabs would lose
            their state whenever a reconnect lands on another worker.
    """
    if requested is None:
        return 2 if redis_url else 1
    if requested < 1:
        raise ServeError("--workers must be at least 1")
    if requested > 1 and not redis_url:
        raise ServeError("Several workers need REFLEX_REDIS_URL: each tab's state must live in Redis.")
    return requested


def build_frontend(port: int) -> None:
    """Compile the app and build the static frontend under ``.web/build/client``.

    The build bakes the backend's address into the page; browsers replace a
    ``localhost`` host with the page's own, so only the port must be right.
    """
    env = {**os.environ, "REFLEX_API_URL": os.environ.get("REFLEX_API_URL", f"http://localhost:{port}")}
    subprocess.run([sys.executable, "-m", "reflex", "export", "--frontend-only", "--no-zip", "--env", "prod"],
                   cwd=ROOT, env=env, check=True)


def serve(host: str, port: int, workers: int) -> None:
    """Run Granian on the built frontend and the backend until it is stopped."""
    from granian.constants import Interfaces
    from granian.server import Server
    from reflex_base.constants import Env
    from reflex_base.environment import environment

    # Set in the environment, so every worker reads them: production mode, no compile
    # (the build is done), the built frontend served by the backend.
    environment.REFLEX_ENV_MODE.set(Env.PROD)
    environment.REFLEX_SKIP_COMPILE.set(True)
    environment.REFLEX_MOUNT_FRONTEND_COMPILED_APP.set(True)
    # The address the build baked in (build_frontend), for the Content-Security-Policy.
    os.environ.setdefault("REFLEX_API_URL", f"http://localhost:{port}")
    os.chdir(ROOT)
    sys.path.insert(0, str(ROOT))
    Server(target="portal.portal:app", factory=True, address=host, port=port, interface=Interfaces.ASGI,
           workers=workers, respawn_failed_workers=True, log_access=False).serve()


def main(argv: list[str] | None = None) -> int:
    """Parse the command line, build, serve."""
    parser = argparse.ArgumentParser(prog="python -m portal.serve", description=__doc__.split("\n\n")[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "3000")))
    parser.add_argument("--workers", type=int, default=None)
    parser.add_argument("--no-build", action="store_true", help="serve the frontend built before")
    args = parser.parse_args(argv)
    requested = args.workers if args.workers is not None else (
        int(os.environ["GRANIAN_WORKERS"]) if os.environ.get("GRANIAN_WORKERS") else None)
    try:
        workers = worker_count(requested, os.environ.get("REFLEX_REDIS_URL", ""))
    except ServeError as error:
        print(f"portal.serve: {error}", file=sys.stderr)
        return 2
    if not args.no_build:
        build_frontend(args.port)
    serve(args.host, args.port, workers)
    return 0


if __name__ == "__main__":
    sys.exit(main())
