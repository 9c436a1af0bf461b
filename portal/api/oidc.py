"""Staff single sign-on: ``/auth/sso`` leaves for the OpenID Connect provider, and
``/auth/sso/callback`` comes back, verifies and opens a normal session.

Between the two, the browser holds a signed, HttpOnly cookie with the login's state,
nonce and PKCE verifier, sent only to the callback and valid for ten minutes; the
callback accepts each state once. Every failure ends on the login page with a message.
Without SSO configured both routes answer 404.
"""

import asyncio
import hmac
import logging
from datetime import timedelta

from itsdangerous import BadData, URLSafeTimedSerializer
from starlette.requests import Request
from starlette.responses import PlainTextResponse, RedirectResponse, Response
from starlette.routing import Route

from portal import routes
from portal.api.client_ip import client_ip
from portal.api.session import end_previous_session, set_session_cookie
from portal.domain.clock import utcnow
from portal.services import auth, oidc
from portal.settings import get_settings

log = logging.getLogger("portal.sso")

FLOW_COOKIE = "portal_sso"
FLOW_MAX_AGE = 600
MAX_PARAM = 2000


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(get_settings().secret_key, salt="portal.sso-flow")


def _not_found() -> Response:
    return PlainTextResponse("Not Found", status_code=404)


def _to_login(error: str) -> Response:
    """Back to the login page with a message; the flow cookie is spent either way."""
    response = RedirectResponse(routes.login(error=error), status_code=303)
    _drop_flow_cookie(response)
    return response


def _drop_flow_cookie(response: Response) -> None:
    response.delete_cookie(FLOW_COOKIE, path=routes.API_SSO_CALLBACK, httponly=True, samesite="lax",
                           secure=get_settings().https)


def _load_flow(request: Request) -> dict[str, str] | None:
    raw = request.cookies.get(FLOW_COOKIE, "")
    if not raw:
        return None
    try:
        flow = _serializer().loads(raw, max_age=FLOW_MAX_AGE)
    except BadData:
        return None
    if not isinstance(flow, dict) or not all(isinstance(flow.get(k), str) for k in ("state", "nonce", "verifier", "next")):
        return None
    return flow


async def start(request: Request) -> Response:
    """Send the browser to the provider; ``next`` (a staff page) is where it ends up after."""
    if not oidc.enabled():
        return _not_found()
    next_path = routes.safe_next(request.query_params.get("next", "")[:MAX_PARAM])
    if next_path and not routes.may_open("staff", next_path):
        next_path = ""
    try:
        login = await oidc.start()
    except oidc.OidcError as exc:
        log.warning("SSO start failed: %s", exc)
        return _to_login("sso_failed")
    response = RedirectResponse(login.url, status_code=303)
    flow = {"state": login.state, "nonce": login.nonce, "verifier": login.code_verifier, "next": next_path}
    settings = get_settings()
    # SameSite=Lax still travels with the provider's top-level GET redirect back to us;
    # the path keeps it out of every other request.
    response.set_cookie(FLOW_COOKIE, _serializer().dumps(flow), max_age=FLOW_MAX_AGE, path=routes.API_SSO_CALLBACK,
                        httponly=True, samesite="lax", secure=settings.https)
    response.headers["Cache-Control"] = "no-store"
    return response


async def callback(request: Request) -> Response:
    """Check the state, exchange the code, verify the ID token and log the staff user in."""
    if not oidc.enabled():
        return _not_found()
    params = request.query_params
    error = params.get("error", "")
    if error:
        # The provider's description is not shown: anyone can put text into this URL.
        log.info("SSO provider answered %r: %s", error[:100], params.get("error_description", "")[:300])
        return _to_login("sso_denied" if error == "access_denied" else "sso_failed")
    flow = _load_flow(request)
    state = params.get("state", "")[:MAX_PARAM]
    if flow is None or not hmac.compare_digest(state.encode(), flow["state"].encode()):
        return _to_login("sso_expired")
    expires_at = utcnow() + timedelta(seconds=FLOW_MAX_AGE)
    if not await asyncio.to_thread(oidc.consume_state, state=flow["state"], expires_at=expires_at):
        return _to_login("sso_expired")
    code = params.get("code", "")[:MAX_PARAM]
    if not code:
        return _to_login("sso_failed")
    try:
        identity = await oidc.finish(code=code, nonce=flow["nonce"], code_verifier=flow["verifier"])
    except oidc.OidcError as exc:
        log.warning("SSO login refused: %s", exc)
        return _to_login("sso_failed")
    result = await asyncio.to_thread(auth.login_sso, issuer=identity.issuer, subject=identity.subject,
                                     email=identity.email, email_verified=identity.email_verified,
                                     client=client_ip(request))
    if result.actor is None:
        log.info("SSO account %r of %s not let in: %s", identity.subject, identity.issuer, result.error)
        return _to_login(result.error or "sso_failed")
    await end_previous_session(request)
    next_path = routes.safe_next(flow["next"])
    target = next_path if next_path and routes.may_open("staff", next_path) else routes.home_for("staff")
    response = RedirectResponse(target, status_code=303)
    set_session_cookie(response, result.token)
    _drop_flow_cookie(response)
    return response


ROUTES = [
    Route(routes.API_SSO, start, methods=["GET"]),
    Route(routes.API_SSO_CALLBACK, callback, methods=["GET"]),
]
