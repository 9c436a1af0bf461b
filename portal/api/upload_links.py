"""``/u/<token>``: a request link answers 404 or 410 before its upload page loads.

Reflex serves every page from one prebuilt app, so the page itself could only ever
answer 200. This ASGI middleware sits in front of it (see :func:`portal.api.build_api`)
and checks the token first: unknown tokens (and addresses that guessed too often) get
a plain 404 page, revoked or expired links a 410 page that says so, and valid ones go
through to the Reflex page with headers that keep the token out of caches, referrers
and search engines. The page checks the token again when it loads (client-side
navigation and the dev server bypass this gate), and every upload re-checks it on the
server.
"""

import asyncio

from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from portal import routes
from portal.api.client_ip import client_ip
from portal.api.pages import message_page
from portal.i18n import negotiate, translate
from portal.services import upload_requests
from portal.services.upload_requests import RequestProblem

MAX_TOKEN_CHARS = 200
# The token is in the URL: no cache may keep the page, no other site may see it as referrer.
PRIVATE_HEADERS = ((b"cache-control", b"no-store"), (b"referrer-policy", b"no-referrer"),
                   (b"x-robots-tag", b"noindex"))


class UploadLinkGate:
    """ASGI middleware answering bad request links before the Reflex page is served."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Check ``GET /u/<token>``; pass everything else through untouched."""
        token = None
        if scope["type"] == "http" and scope["method"] in ("GET", "HEAD"):
            token = routes.upload_link_token(scope["path"])
        if token is None:
            await self.app(scope, receive, send)
            return
        request = Request(scope)
        client = client_ip(request)
        result = await asyncio.to_thread(upload_requests.open_request, token=token[:MAX_TOKEN_CHARS], client=client)
        if result.problem is not None:
            await _problem_page(request, result.problem)(scope, receive, send)
            return

        async def send_private(message: Message) -> None:
            if message["type"] == "http.response.start":
                kept = [(k, v) for k, v in message.get("headers", []) if k.lower() != b"cache-control"]
                message = {**message, "headers": [*kept, *PRIVATE_HEADERS]}
            await send(message)

        await self.app(scope, receive, send_private)


def _problem_page(request: Request, problem: RequestProblem):
    locale = negotiate(request.headers.get("accept-language"))
    # Unknown and rate-limited look the same: nothing tells a guesser how close they came.
    key = "unknown" if problem in (RequestProblem.UNKNOWN, RequestProblem.LIMITED) else problem.value
    return message_page(locale=locale, title=translate(locale, f"request.problem.{key}.title"),
                        text=translate(locale, f"request.problem.{key}.text"),
                        status_code=404 if key == "unknown" else 410,
                        headers={"Referrer-Policy": "no-referrer", "X-Robots-Tag": "noindex"})
