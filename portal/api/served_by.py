"""``X-Served-By``: which worker process answered, on every response and websocket.

With several workers behind a proxy, a tab's live updates come from the worker that
holds its websocket. Operators debugging "my colleague's message did not show up"
need to know which one that is; the header names it on the websocket handshake (the
browser's network panel shows it) and on every HTTP response.
"""

import os
import socket

from starlette.types import ASGIApp, Message, Receive, Scope, Send

HEADER = b"x-served-by"


def worker_name() -> str:
    """This process as ``host/pid``; computed per call, as workers are forked after import."""
    return f"{socket.gethostname()}/{os.getpid()}"


class ServedBy:
    """ASGI middleware adding ``X-Served-By`` to HTTP responses and websocket accepts."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Pass the request through; stamp the response start or the websocket accept."""
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        stamp = (HEADER, worker_name().encode())

        async def send_stamped(message: Message) -> None:
            if message["type"] in ("http.response.start", "websocket.accept"):
                message = {**message, "headers": [*message.get("headers", []), stamp]}
            await send(message)

        await self.app(scope, receive, send_stamped)
