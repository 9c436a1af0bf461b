"""Web Push subscriptions: what a browser may register, and how its device is named.

Pure checks on what ``PushManager.subscribe()`` hands to the page. The endpoint is
the URL the server will later POST to, so it is treated like any user-supplied
outbound URL: HTTPS on the default port, a DNS name, no credentials.
"""

from __future__ import annotations

import base64
import binascii
import ipaddress
import re
from urllib.parse import urlsplit

from cryptography.hazmat.primitives.asymmetric import ec

MAX_ENDPOINT_CHARS = 2000  # PushSubscription.endpoint
MAX_DEVICE_CHARS = 200  # PushSubscription.device
P256DH_BYTES = 65  # an uncompressed P-256 point (RFC 8291)
AUTH_BYTES = 16  # the subscription's authentication secret (RFC 8291)
# Push services answer on their public names; these never belong to one.
_PRIVATE_SUFFIXES = (".local", ".localhost", ".internal", ".lan", ".home.arpa")
_LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1")
_B64URL = re.compile(r"^[A-Za-z0-9_-]+={0,2}$")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def b64url_decode(value: str) -> bytes | None:
    """Decode URL-safe base64 with or without padding; None when it is not that."""
    if not isinstance(value, str) or not _B64URL.match(value):
        return None
    bare = value.rstrip("=")
    try:
        return base64.urlsafe_b64decode(bare + "=" * (-len(bare) % 4))
    except (binascii.Error, ValueError):
        return None


def b64url_encode(raw: bytes) -> str:
    """URL-safe base64 without padding, as the Push API and VAPID use it."""
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def endpoint_problem(endpoint: str, *, allow_loopback_http: bool) -> str | None:
    """Why a push endpoint is refused, or None when it may be stored.

    Args:
        endpoint: The URL from the browser's subscription.
        allow_loopback_http: Accept ``http://`` on 127.0.0.1/localhost (development
            and tests, where a local server stands in for the push service).

    Returns:
        ``None``, or a short reason for the log.
    """
    if not isinstance(endpoint, str) or not endpoint or len(endpoint) > MAX_ENDPOINT_CHARS:
        return "endpoint length"
    if _CONTROL.search(endpoint) or " " in endpoint:
        return "endpoint characters"
    try:
        parts = urlsplit(endpoint)
        port = parts.port
    except ValueError:
        return "endpoint syntax"
    host = (parts.hostname or "").lower()
    if not host or parts.username or parts.password or parts.fragment:
        return "endpoint syntax"
    if allow_loopback_http and parts.scheme == "http" and host in _LOOPBACK_HOSTS:
        return None
    if parts.scheme != "https":
        return "endpoint scheme"
    if port not in (None, 443):
        return "endpoint port"
    if _is_ip(host) or host == "localhost" or "." not in host or host.endswith(_PRIVATE_SUFFIXES):
        return "endpoint host"
    return None


def key_problem(p256dh: str, auth: str) -> str | None:
    """Why a subscription's keys are refused, or None when they can encrypt a payload.

    Args:
        p256dh: The browser's public key, base64url (65 bytes decoded, a point on P-256).
        auth: The authentication secret, base64url (16 bytes decoded).
    """
    raw = b64url_decode(p256dh)
    if raw is None or len(raw) != P256DH_BYTES or raw[0] != 0x04:
        return "p256dh"
    try:
        ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), raw)
    except ValueError:
        return "p256dh"
    secret = b64url_decode(auth)
    if secret is None or len(secret) != AUTH_BYTES:
        return "auth"
    return None


def device_label(user_agent: str) -> str:
    """A short name for the device behind a User-Agent, e.g. ``Chrome · Android``.

    Only for the user to tell their devices apart; empty when nothing is recognised.
    """
    ua = user_agent or ""
    browser = next((name for marker, name in _BROWSERS if marker in ua), "")
    system = next((name for marker, name in _SYSTEMS if marker in ua), "")
    return " · ".join(part for part in (browser, system) if part)[:MAX_DEVICE_CHARS]


def clean_label(label: str) -> str:
    """A device label safe to store and show: one line, bounded."""
    return " ".join(_CONTROL.sub(" ", label or "").split())[:MAX_DEVICE_CHARS]


# Order matters: Edge, Opera and Samsung also say "Chrome", and Chrome also says "Safari".
_BROWSERS = (
    ("Edg", "Edge"), ("OPR/", "Opera"), ("SamsungBrowser", "Samsung Internet"), ("Firefox/", "Firefox"),
    ("FxiOS", "Firefox"), ("CriOS", "Chrome"), ("Chrome/", "Chrome"), ("Safari/", "Safari"),
)
# iPhones and iPads also say "Mac OS X", Android also says "Linux".
_SYSTEMS = (
    ("iPhone", "iPhone"), ("iPad", "iPad"), ("Android", "Android"), ("Windows", "Windows"),
    ("CrOS", "ChromeOS"), ("Mac OS X", "macOS"), ("Linux", "Linux"),
)


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return False
    return True
