"""Runtime settings: the only module that reads the environment.

``get_settings()`` builds one frozen :class:`Settings` from ``os.environ`` the first
time it is called and validates it, so a misconfigured deployment fails at start
with a message that says what to change.
"""

from __future__ import annotations

import dataclasses
import functools
import os
import re
from pathlib import Path
from urllib.parse import urlparse

PLACEHOLDER_SECRET = "dev-only-insecure-secret-change-me"
ENVIRONMENTS = ("dev", "test", "production")
# AWS's rule for new buckets; S3-compatible services follow it too.
_BUCKET_RE = re.compile(r"[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]")


class SettingsError(RuntimeError):
    """The environment describes a configuration the portal refuses to run with."""


@dataclasses.dataclass(frozen=True)
class Settings:
    """Validated runtime configuration.

    Attributes:
        env: ``dev`` (demo data, placeholder secret allowed), ``test`` or ``production``.
        data_dir: Root for the embedded database and the local blob store.
        database_url: SQLAlchemy URL; defaults to a SQLite file under ``data_dir``.
        redis_url: Reflex's state manager and cross-worker push; empty = in-process.
        storage_url: ``file:///path`` or ``s3://bucket/prefix``.
        s3_endpoint_url: S3-compatible endpoint (MinIO, Ceph, a provider outside AWS),
            from ``S3_ENDPOINT_URL``, ``AWS_ENDPOINT_URL_S3`` or ``AWS_ENDPOINT_URL``;
            empty = AWS itself. S3 credentials are not read here: boto3 finds them
            itself (``AWS_ACCESS_KEY_ID``/``AWS_SECRET_ACCESS_KEY``, a profile, or the
            instance's role), so short-lived role credentials keep being refreshed.
        s3_region: ``AWS_REGION`` or ``AWS_DEFAULT_REGION``; requests are only valid
            when signed for the bucket's region.
        smtp_url: ``smtp://``, ``smtp+starttls://`` or ``smtps://user:pass@host:port``;
            empty = emails are only logged and stay in the outbox.
        mail_from: Sender address of outgoing email.
        secret_key: Signs session cookies; must be real outside dev.
        base_url: Public URL of the portal, used in emails and for cookie flags.
        max_upload_mb: Upload size cap.
        demo_data: Seed demo data into an empty database at start.
        session_days: Lifetime of a login session.
        oidc_issuer: Issuer URL of the OpenID Connect provider for staff single sign-on;
            empty = SSO off. SSO is on only with issuer, client id and secret together.
        oidc_client_id: The portal's client id at that provider.
        oidc_client_secret: Its client secret (sent to the token endpoint only).
        retention_receipt_years: Years booking receipts ("Buchungsbelege") are kept,
            counted from the end of the year they came in (``RETENTION_RECEIPT_YEARS``,
            8 as §147 AO / §257 HGB stand since 2025).
        retention_letter_years: Years business letters ("Geschäftsbriefe") are kept
            (``RETENTION_LETTER_YEARS``, 6).
        trash_days: Days a deleted document or folder stays in the trash before it is
            destroyed (``TRASH_DAYS``, 30); documents under retention stay longer.
    """

    env: str
    data_dir: Path
    database_url: str
    redis_url: str
    storage_url: str
    s3_endpoint_url: str
    s3_region: str
    smtp_url: str
    mail_from: str
    secret_key: str
    base_url: str
    # Where the built frontend reaches the backend (REFLEX_API_URL); '' = the page's own origin.
    backend_url: str
    max_upload_mb: int
    demo_data: bool
    session_days: int
    oidc_issuer: str
    oidc_client_id: str
    # Kept out of repr(): settings end up in logs and tracebacks.
    oidc_client_secret: str = dataclasses.field(repr=False)

    retention_receipt_years: int
    retention_letter_years: int
    trash_days: int

    @property
    def sso(self) -> bool:
        """Whether staff may log in through the OpenID Connect provider."""
        return bool(self.oidc_issuer and self.oidc_client_id and self.oidc_client_secret)

    @property
    def https(self) -> bool:
        """Whether the public URL is served over HTTPS (cookies get ``Secure``)."""
        return self.base_url.startswith("https://")

    @property
    def blob_root(self) -> Path:
        """Directory of the local blob store (``file://`` storage URLs)."""
        return Path(urlparse(self.storage_url).path)

    @property
    def s3_bucket(self) -> str:
        """Bucket of the S3 blob store (``s3://`` storage URLs)."""
        return urlparse(self.storage_url).netloc

    @property
    def s3_prefix(self) -> str:
        """Key prefix inside the bucket, without leading or trailing slashes; may be empty."""
        return urlparse(self.storage_url).path.strip("/")


def _flag(value: str) -> bool:
    return value.strip().lower() in ("1", "true", "yes", "on")


def _int(environ: dict[str, str], name: str, default: int) -> int:
    raw = environ.get(name, "").strip()
    if not raw:
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise SettingsError(f"{name} must be a whole number, got {raw!r}.") from exc


def _check_s3_url(storage_url: str) -> None:
    parsed = urlparse(storage_url)
    if not _BUCKET_RE.fullmatch(parsed.netloc):
        raise SettingsError(
            f"STORAGE_URL={storage_url!r} does not name a valid bucket; use s3://bucket-name/optional/prefix "
            "(3 to 63 lower-case letters, digits, dots and hyphens)."
        )
    prefix = parsed.path.strip("/")
    # Some S3-compatible servers map keys onto directories, where "." and ".." would climb.
    if parsed.query or parsed.fragment or (prefix and any(part in ("", ".", "..") for part in prefix.split("/"))):
        raise SettingsError(f"STORAGE_URL={storage_url!r} has an unusable prefix; use s3://bucket/some/prefix.")


_LOOPBACK = ("127.0.0.1", "localhost", "::1")


def _oidc(env_map: dict[str, str], env: str) -> tuple[str, str, str]:
    """Issuer, client id and secret of the SSO provider: all three or none."""
    issuer = env_map.get("OIDC_ISSUER", "").strip()
    client_id = env_map.get("OIDC_CLIENT_ID", "").strip()
    secret = env_map.get("OIDC_CLIENT_SECRET", "").strip()
    given = {"OIDC_ISSUER": issuer, "OIDC_CLIENT_ID": client_id, "OIDC_CLIENT_SECRET": secret}
    if not any(given.values()):
        return "", "", ""
    missing = [name for name, value in given.items() if not value]
    if missing:
        # Half a configuration is a typo, not a wish to run without SSO.
        raise SettingsError(f"Single sign-on needs OIDC_ISSUER, OIDC_CLIENT_ID and OIDC_CLIENT_SECRET; "
                            f"{', '.join(missing)} is not set.")
    parsed = urlparse(issuer)
    # Tokens and the discovery document are trusted because of TLS; plain HTTP only for a
    # provider on this machine while developing or testing.
    local_http = parsed.scheme == "http" and parsed.hostname in _LOOPBACK and env in ("dev", "test")
    if not parsed.hostname or parsed.query or parsed.fragment or not (parsed.scheme == "https" or local_http):
        raise SettingsError(f"OIDC_ISSUER must be an https:// URL without query, e.g. https://login.example/realms/firm, "
                            f"got {issuer!r} (http:// only for 127.0.0.1/localhost in dev and test).")
    return issuer, client_id, secret


def load_settings(environ: dict[str, str] | None = None) -> Settings:
    """Build and validate settings from an environment mapping.

    Args:
        environ: The environment to read; defaults to ``os.environ``.

    Returns:
        The validated settings.

    Raises:
        SettingsError: If a value is invalid or unsafe for the chosen environment.
    """
    env_map = dict(os.environ if environ is None else environ)
    env = env_map.get("PORTAL_ENV", "dev").strip().lower() or "dev"
    if env not in ENVIRONMENTS:
        raise SettingsError(f"PORTAL_ENV must be one of {', '.join(ENVIRONMENTS)}, got {env!r}.")

    data_dir = Path(env_map.get("DATA_DIR", "") or "data").resolve()
    database_url = env_map.get("DATABASE_URL", "") or f"sqlite:///{data_dir / 'portal.db'}"
    storage_url = env_map.get("STORAGE_URL", "") or f"file://{data_dir / 'blobs'}"
    secret_key = env_map.get("SECRET_KEY", "") or PLACEHOLDER_SECRET
    base_url = (env_map.get("BASE_URL", "") or "http://localhost:3000").rstrip("/")

    if env != "dev" and secret_key == PLACEHOLDER_SECRET:
        raise SettingsError(
            "SECRET_KEY is not set. Outside development the portal refuses to sign "
            "sessions with the built-in placeholder. Set SECRET_KEY to a long random "
            "value, e.g. the output of: python -c 'import secrets; print(secrets.token_urlsafe(48))'"
        )
    if env != "dev" and len(secret_key) < 32:
        raise SettingsError("SECRET_KEY must be at least 32 characters long.")
    if urlparse(base_url).scheme not in ("http", "https"):
        raise SettingsError(f"BASE_URL must start with http:// or https://, got {base_url!r}.")

    storage_scheme = urlparse(storage_url).scheme
    if storage_scheme not in ("file", "s3"):
        raise SettingsError(f"STORAGE_URL must be file://... or s3://..., got {storage_url!r}.")
    if storage_scheme == "file":
        blob_root = Path(urlparse(storage_url).path).resolve()
        # Reflex serves its upload folder publicly; client files must never land there.
        public_uploads = Path(env_map.get("REFLEX_UPLOADED_FILES_DIR", "") or "uploaded_files").resolve()
        if blob_root == public_uploads or public_uploads in blob_root.parents:
            raise SettingsError(
                f"STORAGE_URL points into Reflex's public upload folder ({public_uploads}); "
                "choose a directory that is not served to the web."
            )
    if storage_scheme == "s3":
        _check_s3_url(storage_url)
    s3_endpoint_url = (env_map.get("S3_ENDPOINT_URL", "") or env_map.get("AWS_ENDPOINT_URL_S3", "")
                       or env_map.get("AWS_ENDPOINT_URL", "")).strip().rstrip("/")
    if s3_endpoint_url and urlparse(s3_endpoint_url).scheme not in ("http", "https"):
        raise SettingsError(f"S3_ENDPOINT_URL must start with http:// or https://, got {s3_endpoint_url!r}.")

    smtp_url = env_map.get("SMTP_URL", "").strip()
    if smtp_url and urlparse(smtp_url).scheme not in ("smtp", "smtp+starttls", "smtps"):
        raise SettingsError("SMTP_URL must start with smtp://, smtp+starttls:// or smtps://.")

    oidc_issuer, oidc_client_id, oidc_client_secret = _oidc(env_map, env)
    retention = {name: _int(env_map, name, default) for name, default in
                 (("RETENTION_RECEIPT_YEARS", 8), ("RETENTION_LETTER_YEARS", 6))}
    for name, years in retention.items():
        if not 1 <= years <= 100:
            raise SettingsError(f"{name} must be between 1 and 100 years, got {years}.")
    trash_days = _int(env_map, "TRASH_DAYS", 30)
    if not 1 <= trash_days <= 3650:
        raise SettingsError(f"TRASH_DAYS must be between 1 and 3650, got {trash_days}.")

    demo_default = "1" if env == "dev" else "0"
    return Settings(
        env=env,
        data_dir=data_dir,
        database_url=database_url,
        redis_url=env_map.get("REFLEX_REDIS_URL", "").strip(),
        storage_url=storage_url,
        s3_endpoint_url=s3_endpoint_url,
        s3_region=(env_map.get("AWS_REGION", "") or env_map.get("AWS_DEFAULT_REGION", "")).strip(),
        smtp_url=smtp_url,
        mail_from=env_map.get("MAIL_FROM", "") or f"portal@{urlparse(base_url).hostname}",
        secret_key=secret_key,
        base_url=base_url,
        backend_url=env_map.get("REFLEX_API_URL", "").rstrip("/"),
        max_upload_mb=_int(env_map, "MAX_UPLOAD_MB", 25),
        demo_data=_flag(env_map.get("DEMO_DATA", demo_default)),
        session_days=_int(env_map, "SESSION_DAYS", 14),
        oidc_issuer=oidc_issuer,
        oidc_client_id=oidc_client_id,
        oidc_client_secret=oidc_client_secret,
        retention_receipt_years=retention["RETENTION_RECEIPT_YEARS"],
        retention_letter_years=retention["RETENTION_LETTER_YEARS"],
        trash_days=trash_days,
    )


@functools.cache
def get_settings() -> Settings:
    """Return the process-wide settings, loading them on first use."""
    return load_settings()
