"""Login, logout, password-reset, password-change and invitation-activation form endpoints.

Plain HTML form posts answered with 303 redirects: the browser does a full page
load afterwards, so Reflex's websocket reconnects carrying the new cookie.
"""

import asyncio

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from portal import routes
from portal.api.client_ip import client_ip
from portal.api.limits import bounded_form
from portal.api.session import cookie_token, end_previous_session, set_session_cookie
from portal.i18n import negotiate
from portal.services import auth, notifications, onboarding
from portal.settings import get_settings

MAX_FIELD = 500


def _see_other(path: str) -> RedirectResponse:
    return RedirectResponse(path, status_code=303)


async def _form(request: Request) -> dict[str, str]:
    # Bounded: a body past 16 KB is answered 413 before it is read (portal.api.limits).
    form = await bounded_form(request)
    return {k: str(v)[:MAX_FIELD] for k, v in form.items() if isinstance(v, str)}


async def login(request: Request) -> Response:
    """Check the credentials; set the session cookie and go to the user's area."""
    form = await _form(request)
    next_path = routes.safe_next(form.get("next"))
    # argon2 is CPU-bound; keep the event loop free for other users' websockets.
    result = await asyncio.to_thread(auth.login, email=form.get("email", ""),
                                     password=form.get("password", ""), client=client_ip(request))
    if result.actor is None:
        return _see_other(routes.login(next_path=next_path, error=result.error or "invalid",
                                       minutes=result.retry_minutes))
    await end_previous_session(request)
    kind = result.actor.kind.value
    target = next_path if next_path and routes.may_open(kind, next_path) else routes.home_for(kind)
    response = _see_other(target)
    set_session_cookie(response, result.token)
    return response


async def logout(request: Request) -> Response:
    """Revoke the session server-side and clear the cookie."""
    token = cookie_token(request)
    if token:
        actor = await asyncio.to_thread(auth.resolve_session, token)
        await asyncio.to_thread(auth.logout, token=token, client=client_ip(request))
        if actor is not None and actor.is_staff:
            # The working session ended: the client emails it collected may go now.
            await asyncio.to_thread(notifications.end_session, staff_id=actor.id)
    response = _see_other(routes.login(notice="logged_out"))
    response.delete_cookie(auth.SESSION_COOKIE, path="/", httponly=True, samesite="lax",
                           secure=get_settings().https)
    return response


async def forgot(request: Request) -> Response:
    """Send a reset link if the address is known; the answer is the same either way."""
    form = await _form(request)
    locale = negotiate(request.headers.get("accept-language"))
    await asyncio.to_thread(auth.request_password_reset, email=form.get("email", ""), locale=locale)
    return _see_other(routes.login(notice="reset_sent"))


async def reset(request: Request) -> Response:
    """Set the new password from a reset link."""
    form = await _form(request)
    token = form.get("token", "")
    try:
        await asyncio.to_thread(auth.reset_password, token=token, password=form.get("password", ""),
                                repeat=form.get("repeat", ""), client=client_ip(request))
    except auth.AuthError as err:
        return _see_other(f"{routes.reset_password(token)}?error={err.key}")
    return _see_other(routes.login(notice="password_changed"))


async def activate(request: Request) -> Response:
    """Set the invited contact's password, log them in and open the portal."""
    form = await _form(request)
    token = form.get("token", "")
    try:
        session_token = await asyncio.to_thread(onboarding.activate, token=token, password=form.get("password", ""),
                                                repeat=form.get("repeat", ""), client=client_ip(request))
    except onboarding.OnboardingError as err:
        # The page checks the link again and explains a used or expired one itself.
        return _see_other(f"{routes.activate(token)}?error={err.key}")
    await end_previous_session(request)
    response = _see_other(routes.PORTAL)
    set_session_cookie(response, session_token)
    return response


async def change_password(request: Request) -> Response:
    """Change the logged-in user's password; every other session ends, this browser gets a new one."""
    form = await _form(request)
    token = cookie_token(request)
    actor = await asyncio.to_thread(auth.resolve_session, token) if token else None
    if actor is None:
        return _see_other(routes.login())
    profile = routes.profile_for(actor.kind.value)
    try:
        new_token = await asyncio.to_thread(auth.change_password, token=token, current=form.get("current", ""),
                                            password=form.get("password", ""), repeat=form.get("repeat", ""),
                                            client=client_ip(request))
    except auth.AuthError as err:
        return _see_other(f"{profile}?{routes.PASSWORD_PARAM}={err.key}")
    response = _see_other(f"{profile}?{routes.PASSWORD_PARAM}=password.changed")
    set_session_cookie(response, new_token)
    return response


ROUTES = [
    Route(routes.API_LOGIN, login, methods=["POST"]),
    Route(routes.API_LOGOUT, logout, methods=["POST"]),
    Route(routes.API_FORGOT, forgot, methods=["POST"]),
    Route(routes.API_RESET, reset, methods=["POST"]),
    Route(routes.API_ACTIVATE, activate, methods=["POST"]),
    Route(routes.API_PASSWORD, change_password, methods=["POST"]),
]
