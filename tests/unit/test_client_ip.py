"""Rate limits see the visitor's address, and X-Forwarded-For only from trusted proxies."""

import pytest
from reflex.config import get_config
from starlette.requests import Request

from portal.api.client_ip import client_ip


def _request(forwarded: str | None) -> Request:
    headers = [(b"x-forwarded-for", forwarded.encode())] if forwarded else []
    return Request({"type": "http", "method": "GET", "path": "/", "headers": headers, "client": ("10.0.0.2", 5555)})


@pytest.mark.parametrize("hops, forwarded, expected", [
    (0, "203.0.113.9", "10.0.0.2"),  # no proxy configured: the header is the visitor's to forge
    (1, "198.51.100.1, 203.0.113.9", "203.0.113.9"),  # one proxy: the entry it added
    (2, "198.51.100.1, 203.0.113.9", "198.51.100.1"),
    (2, "203.0.113.9", "10.0.0.2"),  # fewer entries than proxies: not from the chain
    (1, None, "10.0.0.2"),
])
def test_client_ip(monkeypatch, hops, forwarded, expected):
    monkeypatch.setattr(get_config(), "trusted_proxy_hops", hops)
    assert client_ip(_request(forwarded)) == expected
