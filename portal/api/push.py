"""Web Push endpoints: the VAPID public key, and the user's device subscriptions.

The page's script (``assets/push.js``) calls them with ``fetch``. Writes need the
session cookie, an ``Origin`` of the portal itself and (to subscribe) a JSON body.
Reflex answers CORS preflights for any origin, so the CORS rules protect nothing
here: other sites' requests carry no cookie (SameSite=Lax), and the Origin check
also refuses sibling subdomains, which count as the same site for the cookie. An
HTML form can post neither JSON nor DELETE.
"""

import asyncio
import json
import time
from collections import deque
from urllib.parse import urlsplit

from starlette.requests import ClientDisconnect, Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from portal import routes
from portal.api.limits import bounded_body
from portal.api.session import request_actor
from portal.domain.actor import Actor
from portal.domain.push import device_label
from portal.services import webpush
from portal.services.access import AccessDenied, NotFound
from portal.settings import get_settings

# A subscription is ~600 bytes of JSON; anything far beyond is not one.
MAX_BODY_BYTES = 4096
# Per user and worker: a browser subscribes once; a loop calling this is not a browser.
RATE_LIMIT = 10
RATE_WINDOW_SECONDS = 60.0


class _RateLimit:
    """A sliding window of recent writes per user, in this worker's memory."""

    def __init__(self, limit: int, window: float):
        self.limit, self.window = limit, window
        self._hits: dict[str, deque[float]] = {}

    def allow(self, key: str) -> bool:
        now = time.monotonic()
        # Forget users whose window has passed, so the table stays as small as the traffic.
        for stale in [k for k, hits in self._hits.items() if hits[-1] <= now - self.window]:
            del self._hits[stale]
        hits = self._hits.setdefault(key, deque())
        while hits and hits[0] <= now - self.window:
            hits.popleft()
        if len(hits) >= self.limit:
            return False
        hits.append(now)
        return True


_limit = _RateLimit(RATE_LIMIT, RATE_WINDOW_SECONDS)


def _error(status: int, key: str) -> JSONResponse:
    return JSONResponse({"error": key}, status_code=status)


def _same_origin(request: Request) -> bool:
    """The request came from a page of this portal (browsers send Origin on POST and DELETE)."""
    base = urlsplit(get_settings().base_url)
    own = {f"{base.scheme}://{base.netloc}"}
    host = request.headers.get("host")
    if host:
        # Also the origin the request was addressed to, for installations reached
        # under a second name; behind a proxy that rewrites Host this fails closed.
        own.add(f"{request.url.scheme}://{host}")
    return request.headers.get("origin", "") in own


async def _actor_for_write(request: Request) -> tuple[Actor | None, Response | None]:
    if not _same_origin(request):
        return None, _error(403, "origin")
    actor = await request_actor(request)
    if actor is None:
        return None, _error(401, "session")
    if not _limit.allow(f"{actor.kind.value}-{actor.id}"):
        return None, _error(429, "rate")
    return actor, None


def _json_object(body: bytes) -> dict | None:
    try:
        data = json.loads(body)
    except ValueError:  # also UnicodeDecodeError
        return None
    return data if isinstance(data, dict) else None


async def vapid_key(request: Request) -> Response:
    """The public key the browser subscribes with (public by nature)."""
    key = await asyncio.to_thread(webpush.public_key)
    # Revalidated each time: a replaced key must reach browsers at once.
    return JSONResponse({"publicKey": key}, headers={"Cache-Control": "no-cache"})


async def subscribe(request: Request) -> Response:
    """Store the browser's subscription (``PushSubscription.toJSON()``) for the logged-in user.

    Answers 201 with the id; 400 for a refused subscription; 401 without a session;
    403 for a foreign Origin or an email-link session; 413 for a body over 4 KB;
    415 unless the body is JSON; 429 when one user subscribes too often.
    """
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type != "application/json":
        return _error(415, "json")
    actor, refusal = await _actor_for_write(request)
    if refusal is not None:
        return refusal
    try:
        body = await bounded_body(request, MAX_BODY_BYTES)
    except ClientDisconnect:
        return Response(status_code=400)
    if body is None:
        return _error(413, "size")
    data = _json_object(body)
    if data is None:
        return _error(400, "json")
    keys = data.get("keys") if isinstance(data.get("keys"), dict) else {}
    fields = (data.get("endpoint"), keys.get("p256dh"), keys.get("auth"))
    if not all(isinstance(f, str) for f in fields):
        return _error(400, "push.error.subscription")
    endpoint, p256dh, auth = fields
    try:
        subscription_id = await asyncio.to_thread(
            webpush.subscribe, actor=actor, endpoint=endpoint, p256dh=p256dh, auth=auth,
            device=device_label(request.headers.get("user-agent", "")))
    except webpush.PushError as err:
        return _error(400, err.key)
    except AccessDenied:
        return _error(403, "access")
    return JSONResponse({"id": subscription_id}, status_code=201)


async def unsubscribe(request: Request) -> Response:
    """Remove one of the logged-in user's devices: 204, or 404 when it is not theirs."""
    actor, refusal = await _actor_for_write(request)
    if refusal is not None:
        return refusal
    try:
        await asyncio.to_thread(webpush.unsubscribe, actor=actor,
                                subscription_id=request.path_params["subscription_id"])
    except NotFound:
        return _error(404, "not_found")
    except AccessDenied:
        return _error(403, "access")
    return Response(status_code=204)


ROUTES = [
    Route(routes.API_PUSH_KEY, vapid_key, methods=["GET"]),
    Route(routes.API_PUSH_SUBSCRIPTIONS, subscribe, methods=["POST"]),
    Route(routes.API_PUSH_SUBSCRIPTION, unsubscribe, methods=["DELETE"]),
]
