"""Random tokens for URLs, cookies and emails. Only their hashes are stored."""

import hashlib
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
