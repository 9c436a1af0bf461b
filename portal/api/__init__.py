"""HTTP endpoints outside Reflex's websocket, mounted with ``api_transformer``."""

from starlette.applications import Starlette
from starlette.middleware import Middleware

from portal.api import audit, auth, failures, files, magic, oidc, privacy, push, pwa, upload_links
from portal.api.hardening import SameOriginPosts, SecurityHeaders
from portal.api.served_by import ServedBy


def build_api() -> Starlette:
    """The Starlette app that Reflex mounts its own routes under.

    Its middleware wraps Reflex's app too, which is how every response gets the
    browser hardening headers and cross-site writes are refused
    (:mod:`portal.api.hardening`), request links answer 404/410
    before their page is served (:mod:`portal.api.upload_links`), every response names
    the worker that served it (:mod:`portal.api.served_by`) and a failed request gets a
    page in words, 503 while the database is unreachable (:mod:`portal.api.failures`).
    """
    return Starlette(routes=[*auth.ROUTES, *oidc.ROUTES, *files.ROUTES, *audit.ROUTES, *magic.ROUTES,
                             *privacy.ROUTES, *push.ROUTES, *pwa.ROUTES],
                     middleware=[Middleware(SecurityHeaders), Middleware(ServedBy), Middleware(SameOriginPosts),
                                 Middleware(upload_links.UploadLinkGate)],
                     exception_handlers={Exception: failures.on_error})
