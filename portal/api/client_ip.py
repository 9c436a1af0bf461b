"""The visitor's IP address for rate limits, also behind reverse proxies."""

from reflex.config import get_config
from starlette.requests import Request


def client_ip(request: Request) -> str:
    """The address of whoever sent ``request``.

    Behind ``REFLEX_TRUSTED_PROXY_HOPS`` reverse proxies it is read from
    X-Forwarded-For, counted from the right (the entries the proxies added), the
    same rule Reflex applies to websockets; otherwise X-Forwarded-For is ignored,
    because anybody can send it.
    """
    address = request.client.host if request.client else "unknown"
    hops = get_config().trusted_proxy_hops
    if hops:
        forwarded = [ip.strip() for ip in request.headers.get("x-forwarded-for", "").split(",") if ip.strip()]
        if len(forwarded) >= hops:
            address = forwarded[-hops]
    return address
