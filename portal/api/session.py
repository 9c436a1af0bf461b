"""The actor behind a request's session cookie."""

import asyncio

from starlette.requests import Request

from portal.domain.actor import Actor
from portal.domain.enums import SessionScope
from portal.services import auth


def cookie_token(request: Request) -> str | None:
    """The verified session token of the request, if any."""
    raw = request.cookies.get(auth.SESSION_COOKIE, "")
    return auth.unsign_session_token(raw) if raw else None


async def request_actor(request: Request) -> Actor | None:
    """The logged-in actor with a full session, or None."""
    token = cookie_token(request)
    actor = await asyncio.to_thread(auth.resolve_session, token) if token else None
    return actor if actor is not None and actor.scope == SessionScope.FULL else None
