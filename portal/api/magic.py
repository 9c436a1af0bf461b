"""``/t/<token>``: the email link into the talk area."""

import asyncio

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from portal import routes
from portal.api.client_ip import client_ip
from portal.api.pages import message_page
from portal.api.session import set_session_cookie
from portal.i18n import negotiate, translate
from portal.services import magic_links
from portal.services.magic_links import LinkProblem

MAX_TOKEN_CHARS = 200


def _not_found(request: Request) -> Response:
    # Unknown tokens get a plain 404: nothing tells a guesser how close they came.
    locale = negotiate(request.headers.get("accept-language"))
    return message_page(locale=locale, title=translate(locale, "link.unknown.title"),
                        text=translate(locale, "link.unknown.text"), status_code=404,
                        link=(routes.LOGIN, translate(locale, "login.submit")))


async def open_link(request: Request) -> Response:
    """Log the contact into the talk area, or explain why the link does not work."""
    token = request.path_params["token"][:MAX_TOKEN_CHARS]
    client = client_ip(request)
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
