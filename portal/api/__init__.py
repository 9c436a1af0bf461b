"""HTTP endpoints outside Reflex's websocket, mounted with ``api_transformer``."""

from starlette.applications import Starlette

from portal.api import auth, files, magic, push


def build_api() -> Starlette:
    """The Starlette app that Reflex mounts its own routes under."""
    return Starlette(routes=[*auth.ROUTES, *files.ROUTES, *magic.ROUTES, *push.ROUTES])
