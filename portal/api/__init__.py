"""HTTP endpoints outside Reflex's websocket, mounted with ``api_transformer``."""

from starlette.applications import Starlette
from starlette.middleware import Middleware

from portal.api import auth, failures, files, magic, privacy, push, pwa, upload_links
from portal.api.served_by import ServedBy


def build_api() -> Starlette:
    """The Starlette app that Reflex mounts its own routes under.

    Its middleware wraps Reflex's app too, which is how request links answer 404/410
    before their page is served (:mod:`portal.api.upload_links`), every response names
    the worker that served it (:mod:`portal.api.served_by`) and a failed request gets a
    page in words, 503 while the database is unreachable (:mod:`portal.api.failures`).
    """
    return Starlette(routes=[*auth.ROUTES, *files.ROUTES, *magic.ROUTES, *privacy.ROUTES, *push.ROUTES,
                             *pwa.ROUTES],
                     middleware=[Middleware(ServedBy), Middleware(upload_links.UploadLinkGate)],
                     exception_handlers={Exception: failures.on_error})
