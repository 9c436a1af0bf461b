"""Random tokens for URLs, cookies and emails. Only their hashes are stored."""

import base64
import hashlib
import hmac
import secrets

TOKEN_BYTES = 32


def new_token() -> str:
    """Return a fresh unguessable, URL-safe token."""
    return secrets.token_urlsafe(TOKEN_BYTES)


def new_public_id() -> str:
    """A short random identifier for records that appear in URLs (never the integer id)."""
    return secrets.token_urlsafe(12)


def hash_token(token: str) -> str:
    """Return the SHA-256 hex digest under which ``token`` is stored.

    A fast hash is right here: tokens carry 256 random bits, so there is nothing
    to brute-force, unlike passwords.
    """
    return hashlib.sha256(token.encode()).hexdigest()


def derive_token(secret: str, purpose: str, salt: str) -> str:
    """A URL-safe token computed from a stored salt and the server secret.

    For links that staff must be able to show again later: the database keeps only the
    salt and the token's hash, so a dump of it alone opens nothing, yet the server can
    rebuild the link. Changing the secret turns every such link off.

    Args:
        secret: The server's SECRET_KEY.
        purpose: What the token is for (e.g. ``"upload-request:"``), so tokens of
            different kinds never coincide.
        salt: The random value stored with the record.
    """
    digest = hmac.new(secret.encode(), (purpose + salt).encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()
