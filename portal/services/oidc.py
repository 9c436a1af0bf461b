"""OpenID Connect for staff single sign-on: the provider's metadata and keys, the
authorization request, the code exchange and the ID token check.

The flow is the authorization code flow with PKCE (S256) and a nonce, for a confidential
client (the portal holds a client secret). What one login needs to remember between
leaving for the provider and coming back (state, nonce, PKCE verifier) travels in a
signed cookie set by ``portal.api.oidc``; :func:`consume_state` makes each state usable
once. Who the verified identity is in the portal is decided by ``auth.login_sso``.
"""

from __future__ import annotations

import logging
import secrets
import time
from dataclasses import dataclass
from datetime import datetime

import httpx
from authlib.oauth2.rfc6749.parameters import prepare_grant_uri
from authlib.oauth2.rfc7636 import create_s256_code_challenge
from joserfc import jwt
from joserfc.errors import InvalidKeyIdError, JoseError
from joserfc.jwk import KeySet
from sqlalchemy import delete
from sqlalchemy.exc import IntegrityError

from portal import routes
from portal.domain.clock import utcnow
from portal.domain.tokens import hash_token
from portal.models import OidcState
from portal.services import db
from portal.settings import get_settings

log = logging.getLogger("portal.sso")

DISCOVERY_PATH = "/.well-known/openid-configuration"
SCOPE = "openid email profile"
# Metadata and keys change rarely; an ID token signed with a key we do not know yet
# (rotation) refreshes the keys early, but at most once per JWKS_MIN_REFRESH seconds so
# forged tokens with random key ids cannot make us hammer the provider.
METADATA_TTL = 3600
JWKS_MIN_REFRESH = 60
HTTP_TIMEOUT = 10.0
# Clock skew allowed between us and the provider, in seconds.
LEEWAY = 60
# Asymmetric algorithms only: "none" and HS* (keyed with the client secret) are never accepted.
SAFE_ALGORITHMS = ("RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512")


class OidcError(Exception):
    """The provider could not be reached or answered something we do not accept.

    The message is for the log only; users see a general "SSO failed".
    """


@dataclass(frozen=True)
class Provider:
    """What the discovery document says about the provider."""

    issuer: str
    authorization_endpoint: str
    token_endpoint: str
    jwks_uri: str
    algorithms: tuple[str, ...]
    # "client_secret_basic" (the default of the spec) or "client_secret_post".
    auth_method: str


@dataclass(frozen=True)
class LoginRequest:
    """A started login: where to send the browser and what to keep for the way back."""

    url: str
    state: str
    nonce: str
    code_verifier: str


@dataclass(frozen=True)
class Identity:
    """The verified claims of an ID token that the portal uses."""

    issuer: str
    subject: str
    email: str
    email_verified: bool


@dataclass
class _Keys:
    keys: KeySet
    fetched: float


_providers: dict[str, tuple[float, Provider]] = {}
_keys: dict[str, _Keys] = {}


def enabled() -> bool:
    """Whether staff single sign-on is configured."""
    return get_settings().sso


def redirect_uri() -> str:
    """The callback the provider sends the browser back to.

    Built from BASE_URL, never from the request's Host header, which the client controls.
    """
    return get_settings().base_url + routes.API_SSO_CALLBACK


def clear_cache() -> None:
    """Forget fetched metadata and keys (the next login fetches them again)."""
    _providers.clear()
    _keys.clear()


async def _get_json(client: httpx.AsyncClient, url: str) -> dict:
    try:
        response = await client.get(url, headers={"Accept": "application/json"})
        response.raise_for_status()
        data = response.json()
    except (httpx.HTTPError, ValueError) as exc:
        raise OidcError(f"GET {url} failed: {exc}") from exc
    if not isinstance(data, dict):
        raise OidcError(f"GET {url} did not return a JSON object")
    return data


def _endpoint(data: dict, name: str, issuer: str) -> str:
    value = data.get(name)
    if not isinstance(value, str) or not value:
        raise OidcError(f"discovery document lacks {name}")
    # The issuer setting is checked at start (https, or http on loopback in dev/test);
    # endpoints may not downgrade from it.
    if not (value.startswith("https://") or (issuer.startswith("http://") and value.startswith("http://"))):
        raise OidcError(f"{name} {value!r} is not https")
    return value


def _parse_discovery(data: dict, configured_issuer: str) -> Provider:
    issuer = data.get("issuer")
    # OIDC Discovery 4.3: the document must name the issuer we asked; tolerate only a
    # trailing slash, which admins copy either way. ID tokens must then carry this value.
    if not isinstance(issuer, str) or issuer.rstrip("/") != configured_issuer.rstrip("/"):
        raise OidcError(f"discovery names issuer {issuer!r}, expected {configured_issuer!r}")
    offered = data.get("id_token_signing_alg_values_supported") or ["RS256"]
    algorithms = tuple(alg for alg in SAFE_ALGORITHMS if alg in offered)
    if not algorithms:
        raise OidcError(f"provider signs ID tokens only with {offered!r}")
    methods = data.get("token_endpoint_auth_methods_supported") or ["client_secret_basic"]
    if "client_secret_basic" in methods:
        auth_method = "client_secret_basic"
    elif "client_secret_post" in methods:
        auth_method = "client_secret_post"
    else:
        raise OidcError(f"token endpoint accepts no client secret ({methods!r})")
    return Provider(issuer=issuer, authorization_endpoint=_endpoint(data, "authorization_endpoint", issuer),
                    token_endpoint=_endpoint(data, "token_endpoint", issuer),
                    jwks_uri=_endpoint(data, "jwks_uri", issuer), algorithms=algorithms, auth_method=auth_method)


async def provider(client: httpx.AsyncClient) -> Provider:
    """The provider's metadata from its discovery document, cached for METADATA_TTL.

    Raises:
        OidcError: If the document cannot be fetched or is unusable.
    """
    configured = get_settings().oidc_issuer
    cached = _providers.get(configured)
    if cached and time.monotonic() - cached[0] < METADATA_TTL:
        return cached[1]
    data = await _get_json(client, configured.rstrip("/") + DISCOVERY_PATH)
    found = _parse_discovery(data, configured)
    _providers[configured] = (time.monotonic(), found)
    return found


async def _key_set(client: httpx.AsyncClient, meta: Provider, *, refresh: bool = False) -> KeySet:
    cached = _keys.get(meta.jwks_uri)
    now = time.monotonic()
    if cached and not refresh and now - cached.fetched < METADATA_TTL:
        return cached.keys
    if cached and refresh and now - cached.fetched < JWKS_MIN_REFRESH:
        return cached.keys
    data = await _get_json(client, meta.jwks_uri)
    try:
        # Only public signing keys count: a private or symmetric key in the set would be
        # a provider mistake, and an "oct" key would let HS* tokens through.
        public = [k for k in data.get("keys", []) if isinstance(k, dict) and k.get("kty") in ("RSA", "EC")
                  and k.get("use", "sig") == "sig"]
        keys = KeySet.import_key_set({"keys": public})
    except (JoseError, ValueError, TypeError) as exc:
        raise OidcError(f"JWKS at {meta.jwks_uri} is unusable: {exc}") from exc
    _keys[meta.jwks_uri] = _Keys(keys=keys, fetched=now)
    return keys


def _http() -> httpx.AsyncClient:
    # No redirects: the endpoints come from the discovery document and must answer themselves.
    return httpx.AsyncClient(timeout=HTTP_TIMEOUT, follow_redirects=False)


async def start() -> LoginRequest:
    """Prepare the provider's authorization URL with a fresh state, nonce and PKCE challenge.

    Raises:
        OidcError: If the provider's metadata cannot be fetched.
    """
    async with _http() as client:
        meta = await provider(client)
    state, nonce, verifier = secrets.token_urlsafe(32), secrets.token_urlsafe(32), secrets.token_urlsafe(48)
    url = prepare_grant_uri(meta.authorization_endpoint, client_id=get_settings().oidc_client_id,
                            response_type="code", redirect_uri=redirect_uri(), scope=SCOPE, state=state,
                            nonce=nonce, code_challenge=create_s256_code_challenge(verifier),
                            code_challenge_method="S256")
    return LoginRequest(url=url, state=state, nonce=nonce, code_verifier=verifier)


async def _exchange(client: httpx.AsyncClient, meta: Provider, *, code: str, code_verifier: str) -> str:
    settings = get_settings()
    form = {"grant_type": "authorization_code", "code": code, "redirect_uri": redirect_uri(),
            "code_verifier": code_verifier}
    auth = None
    if meta.auth_method == "client_secret_basic":
        auth = httpx.BasicAuth(settings.oidc_client_id, settings.oidc_client_secret)
    else:
        form |= {"client_id": settings.oidc_client_id, "client_secret": settings.oidc_client_secret}
    try:
        response = await client.post(meta.token_endpoint, data=form, auth=auth,
                                     headers={"Accept": "application/json"})
        body = response.json()
    except (httpx.HTTPError, ValueError) as exc:
        raise OidcError(f"token request failed: {exc}") from exc
    if response.status_code != 200 or not isinstance(body, dict):
        error = body.get("error") if isinstance(body, dict) else None
        raise OidcError(f"token endpoint answered {response.status_code} ({error!r})")
    id_token = body.get("id_token")
    if not isinstance(id_token, str) or not id_token:
        raise OidcError("token response carries no id_token")
    return id_token


def verify_id_token(id_token: str, *, meta: Provider, keys: KeySet, nonce: str) -> Identity:
    """Check an ID token's signature and claims (OIDC Core 3.1.3.7) and return who it names.

    Args:
        id_token: The compact JWS from the token response.
        meta: The provider that must have issued it.
        keys: The provider's public keys.
        nonce: The nonce sent with this login's authorization request.

    Raises:
        InvalidKeyIdError: If the token names a key that is not in ``keys``.
        OidcError: For any other bad signature or claim.
    """
    client_id = get_settings().oidc_client_id
    try:
        token = jwt.decode(id_token, keys, algorithms=list(meta.algorithms))
    except InvalidKeyIdError:
        raise
    except (JoseError, ValueError) as exc:
        raise OidcError(f"ID token signature refused: {exc!r}") from exc
    claims = token.claims
    registry = jwt.JWTClaimsRegistry(
        leeway=LEEWAY,
        iss={"essential": True, "value": meta.issuer},
        sub={"essential": True},
        aud={"essential": True, "value": client_id},
        exp={"essential": True},
        iat={"essential": True},
        nonce={"essential": True, "value": nonce},
    )
    try:
        registry.validate(claims)
    except JoseError as exc:
        raise OidcError(f"ID token claims refused: {exc!r}") from exc
    if len(claims["sub"]) > 255:  # OIDC Core 2: at most 255 ASCII characters
        raise OidcError("ID token subject is too long")
    audiences = claims["aud"] if isinstance(claims["aud"], list) else [claims["aud"]]
    azp = claims.get("azp")
    # With several audiences the token must say it was issued to us (authorized party).
    if (len(audiences) > 1 or azp is not None) and azp != client_id:
        raise OidcError(f"ID token issued to {azp!r}")
    email = claims.get("email")
    return Identity(issuer=meta.issuer, subject=claims["sub"], email=email if isinstance(email, str) else "",
                    # Only a real JSON true counts; "false" or a missing claim do not.
                    email_verified=claims.get("email_verified") is True)


async def finish(*, code: str, nonce: str, code_verifier: str) -> Identity:
    """Exchange the authorization code and verify the ID token that comes back.

    Args:
        code: The ``code`` parameter of the callback.
        nonce: The nonce of this login (from the state cookie).
        code_verifier: The PKCE verifier of this login (from the state cookie).

    Returns:
        The verified identity.

    Raises:
        OidcError: If the exchange fails or the token is not acceptable.
    """
    async with _http() as client:
        meta = await provider(client)
        id_token = await _exchange(client, meta, code=code, code_verifier=code_verifier)
        keys = await _key_set(client, meta)
        try:
            return verify_id_token(id_token, meta=meta, keys=keys, nonce=nonce)
        except InvalidKeyIdError:
            # The provider may have rotated its keys since we fetched them.
            keys = await _key_set(client, meta, refresh=True)
            try:
                return verify_id_token(id_token, meta=meta, keys=keys, nonce=nonce)
            except InvalidKeyIdError as exc:
                raise OidcError(f"ID token signed with an unknown key: {exc}") from exc


def consume_state(*, state: str, expires_at: datetime) -> bool:
    """Record that a login's state came back; False if it had come back before.

    Args:
        state: The state value of the login.
        expires_at: When its cookie stops being accepted anyway; the record may go then.
    """
    with db.session() as s:
        s.exec(delete(OidcState).where(OidcState.expires_at < utcnow()))
        s.add(OidcState(state_hash=hash_token(state), expires_at=expires_at))
        try:
            # The primary key decides: of two returns with one state (two workers too) one wins.
            s.commit()
        except IntegrityError:
            s.rollback()
            return False
    return True
