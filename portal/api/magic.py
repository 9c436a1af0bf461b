"""``/t/<token>``: the email link into the talk area."""

import asyncio
import html

from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Route

from portal import routes
from portal.api.session import set_session_cookie
from portal.i18n import negotiate, translate
from portal.services import magic_links
from portal.services.magic_links import LinkProblem

MAX_TOKEN_CHARS = 200


def _not_found(request: Request) -> Response:
    # Unknown tokens get a plain 404: nothing tells a guesser how close they came.
    locale = negotiate(request.headers.get("accept-language"))
    title, text, action = (html.escape(translate(locale, key)) for key in
                           ("link.unknown.title", "link.unknown.text", "login.submit"))
    page = (f"<!doctype html><html lang='{locale}'><head><meta charset='utf-8'><meta name='viewport' "
            f"content='width=device-width,initial-scale=1'><title>{title}</title></head>"
            f"<body style='font-family:system-ui,sans-serif;max-width:28rem;margin:4rem auto;padding:0 1rem'>"
            f"<h1>{title}</h1><p>{text}</p><p><a href='{routes.LOGIN}'>{action}</a></p></body></html>")
    return HTMLResponse(page, status_code=404, headers={"Cache-Control": "no-store"})


async def open_link(request: Request) -> Response:
    """Log the contact into the talk area, or explain why the link does not work."""
    token = request.path_params["token"][:MAX_TOKEN_CHARS]
    client = request.client.host if request.client else "unknown"
    result = await asyncio.to_thread(magic_links.open_talk_link, token=token, client=client)
    if result.session_token:
        response = RedirectResponse(routes.PORTAL, status_code=303)
        set_session_cookie(response, result.session_token)
        return response
    if result.problem == LinkProblem.PASSWORD:
        return RedirectResponse(routes.login(next_path=routes.PORTAL, notice="talk_password"), status_code=303)
    if result.problem in (LinkProblem.UNKNOWN, LinkProblem.LIMITED):
        return _not_found(request)
    return RedirectResponse(routes.login(error=f"link_{result.problem.value}"), status_code=303)


ROUTES = [Route(routes.API_TALK_LINK, open_link, methods=["GET"])]
