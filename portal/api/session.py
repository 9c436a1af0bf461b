"""The actor behind a request's session cookie."""

import asyncio

from starlette.requests import Request
from starlette.responses import Response

from portal.domain.actor import Actor
from portal.services import auth
from portal.settings import get_settings


def cookie_token(request: Request) -> str | None:
    """The verified session token of the request, if any."""
    raw = request.cookies.get(auth.SESSION_COOKIE, "")
    return auth.unsign_session_token(raw) if raw else None


async def request_actor(request: Request) -> Actor | None:
    """The logged-in actor (the services decide what a link-opened session may reach)."""
    token = cookie_token(request)
    return await asyncio.to_thread(auth.resolve_session, token) if token else None


async def end_previous_session(request: Request) -> None:
    """Rotate: a session the browser still held (e.g. a client's, when staff log in on the
    same device) ends now instead of lingering until it expires."""
    previous = cookie_token(request)
    if previous:
        await asyncio.to_thread(auth.logout, token=previous)


def set_session_cookie(response: Response, token: str) -> None:
    """Attach the signed, HttpOnly session cookie for ``token``."""
    settings = get_settings()
    response.set_cookie(auth.SESSION_COOKIE, auth.sign_session_token(token), max_age=settings.session_days * 86400,
                        path="/", httponly=True, samesite="lax", secure=settings.https)
