"""``X-Served-By``: which worker process answered an HTTP request.

With several workers behind a proxy, operators debugging a request need to know which
worker served it. A tab's live updates come from the worker holding its websocket,
whose handshake Granian sends without extra headers; the page shells name that one
in ``data-served-by`` (:attr:`portal.state.session.SessionState.served_by`).
"""

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from portal.realtime import worker_name

HEADER = b"x-served-by"


class ServedBy:
    """ASGI middleware adding ``X-Served-By`` to HTTP responses."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Pass the request through; stamp the response start."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        stamp = (HEADER, worker_name().encode())

        async def send_stamped(message: Message) -> None:
            if message["type"] == "http.response.start":
                message = {**message, "headers": [*message.get("headers", []), stamp]}
            await send(message)

        await self.app(scope, receive, send_stamped)
