"""Browser hardening for every HTTP response, and cross-site form posts refused.

Both are ASGI middleware around the whole app (Reflex's pages, its upload endpoint and
ours), so a new route is covered without remembering to.
"""

from __future__ import annotations

import functools
from urllib.parse import urlsplit

from starlette.responses import PlainTextResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from portal.settings import get_settings

# What the compiled Reflex frontend needs and nothing more: its bundles and the
# websocket come from this origin; React Router's boot script and Radix's styles are
# inline, and Reflex's client runs ``rx.call_script`` code and event callbacks through
# ``eval`` (reflex_base/.templates/web/utils/state.js), so scripts need 'unsafe-inline'
# and 'unsafe-eval'. What the policy still stops: scripts, images and connections of
# other origins (no exfiltration to a foreign host), framing, plugins, a foreign
# <base>, and forms posting elsewhere.
CONTENT_SECURITY_POLICY = "; ".join([
    "default-src 'self'",
    "script-src 'self' 'unsafe-inline' 'unsafe-eval'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self' data:",
    "connect-src 'self'",
    "worker-src 'self'",
    "manifest-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
])
HSTS = "max-age=31536000; includeSubDomains"
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


# Hosts the compiled frontend swaps for the page's own (reflex_base/.templates/web/utils/state.js
# getBackendURL), keeping the port.
_PAGE_HOSTS = {"localhost", "127.0.0.1", "0.0.0.0"}


def content_security_policy(backend_url: str) -> str:
    """The policy, allowing connections to the backend where the frontend reaches it.

    Args:
        backend_url: ``REFLEX_API_URL`` of the build; empty when it is the page's origin.
    """
    if not backend_url:
        return CONTENT_SECURITY_POLICY
    parts = urlsplit(backend_url)
    if parts.hostname in _PAGE_HOSTS:
        # Any host the page is opened under (a proxy, a LAN address), on the backend's port.
        port = parts.port or (443 if parts.scheme == "https" else 80)
        sources = f"http://*:{port} ws://*:{port} https://*:{port} wss://*:{port}"
    else:
        origin = f"{parts.scheme}://{parts.netloc}"
        socket = origin.replace("https://", "wss://", 1).replace("http://", "ws://", 1)
        sources = f"{origin} {socket}"
    return CONTENT_SECURITY_POLICY.replace("connect-src 'self'", f"connect-src 'self' {sources}")


@functools.cache
def security_headers(https: bool, backend_url: str = "") -> tuple[tuple[bytes, bytes], ...]:
    """The headers every response carries (HSTS only when the portal is served over https).

    Cached: the settings do not change while the process runs, and this runs per response.
    """
    headers = [
        (b"content-security-policy", content_security_policy(backend_url).encode()),
        (b"x-frame-options", b"DENY"),
        (b"x-content-type-options", b"nosniff"),
        (b"referrer-policy", b"same-origin"),
        (b"cross-origin-opener-policy", b"same-origin"),
        (b"permissions-policy", b"geolocation=(), microphone=(), payment=(), usb=()"),
    ]
    if https:
        headers.append((b"strict-transport-security", HSTS.encode()))
    return tuple(headers)


class SecurityHeaders:
    """ASGI middleware adding :func:`security_headers` to HTTP responses.

    A header the route set itself (an upload link's ``no-referrer``) is kept.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Pass the request through; add the headers to the response start."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        settings = get_settings()
        extra = security_headers(settings.https, settings.backend_url)

        async def send_hardened(message: Message) -> None:
            if message["type"] == "http.response.start":
                present = {name.lower() for name, _ in message.get("headers", [])}
                added = [(name, value) for name, value in extra if name not in present]
                message = {**message, "headers": [*message.get("headers", []), *added]}
            await send(message)

        await self.app(scope, receive, send_hardened)


def _netloc(url: str) -> str:
    return urlsplit(url).netloc.lower()


def is_cross_site(headers: dict[str, str], host: str, base_url: str) -> bool:
    """Whether a state-changing request comes from another site's page.

    Browsers mark every request with ``Sec-Fetch-Site`` and a POST with ``Origin``;
    requests without either come from programs, not from a page another site controls.

    Args:
        headers: The request headers, lower-case names.
        host: The ``Host`` header.
        base_url: The portal's public address (behind a proxy the host may differ).
    """
    if headers.get("sec-fetch-site") == "cross-site":
        return True
    source = headers.get("origin") or headers.get("referer") or ""
    if not source:
        return False
    if source == "null":  # sandboxed frames, file: pages, redirects across origins
        return True
    return _netloc(source) not in {host.lower(), _netloc(base_url)}


class SameOriginPosts:
    """ASGI middleware refusing cross-site POST/PUT/PATCH/DELETE with 403.

    The session cookie is ``SameSite=Lax``, so a foreign page cannot post with it; this
    also stops what Lax allows: a foreign page logging the browser into another account,
    or posting to the forms that need no session (password reset, activation).
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Refuse the request before it reaches a route if it is a cross-site write."""
        if scope["type"] == "http" and scope["method"] in UNSAFE_METHODS:
            headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
            if is_cross_site(headers, headers.get("host", ""), get_settings().base_url):
                await PlainTextResponse("Cross-site request refused.", status_code=403)(scope, receive, send)
                return
        await self.app(scope, receive, send)
