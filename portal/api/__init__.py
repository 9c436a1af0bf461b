"""HTTP endpoints outside Reflex's websocket, mounted with ``api_transformer``."""

from starlette.applications import Starlette
from starlette.middleware import Middleware

from portal.api import auth, files, magic, push, pwa, upload_links
from portal.api.served_by import ServedBy


def build_api() -> Starlette:
    """The Starlette app that Reflex mounts its own routes under.

    Its middleware wraps Reflex's app too, which is how request links answer 404/410
    before their page is served (:mod:`portal.api.upload_links`) and every response,
    websocket included, names the worker that served it (:mod:`portal.api.served_by`).
    """
    return Starlette(routes=[*auth.ROUTES, *files.ROUTES, *magic.ROUTES, *push.ROUTES, *pwa.ROUTES],
                     middleware=[Middleware(ServedBy), Middleware(upload_links.UploadLinkGate)])
