"""Runtime settings: the only module that reads the environment.

``get_settings()`` builds one frozen :class:`Settings` from ``os.environ`` the first
time it is called and validates it, so a misconfigured deployment fails at start
with a message that says what to change.
"""

from __future__ import annotations

import dataclasses
import functools
import os
from pathlib import Path
from urllib.parse import urlparse

PLACEHOLDER_SECRET = "dev-only-insecure-secret-change-me"
ENVIRONMENTS = ("dev", "test", "production")


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
        smtp_url: ``smtp://``, ``smtp+starttls://`` or ``smtps://user:pass@host:port``;
            empty = emails are only logged and stay in the outbox.
        mail_from: Sender address of outgoing email.
        secret_key: Signs session cookies; must be real outside dev.
        base_url: Public URL of the portal, used in emails and for cookie flags.
        max_upload_mb: Upload size cap.
        demo_data: Seed demo data into an empty database at start.
        session_days: Lifetime of a login session.
    """

    env: str
    data_dir: Path
    database_url: str
    redis_url: str
    storage_url: str
    smtp_url: str
    mail_from: str
    secret_key: str
    base_url: str
    max_upload_mb: int
    demo_data: bool
    session_days: int

    @property
    def https(self) -> bool:
        """Whether the public URL is served over HTTPS (cookies get ``Secure``)."""
        return self.base_url.startswith("https://")

    @property
    def blob_root(self) -> Path:
        """Directory of the local blob store (``file://`` storage URLs)."""
        return Path(urlparse(self.storage_url).path)


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

    smtp_url = env_map.get("SMTP_URL", "").strip()
    if smtp_url and urlparse(smtp_url).scheme not in ("smtp", "smtp+starttls", "smtps"):
        raise SettingsError("SMTP_URL must start with smtp://, smtp+starttls:// or smtps://.")

    demo_default = "1" if env == "dev" else "0"
    return Settings(
        env=env,
        data_dir=data_dir,
        database_url=database_url,
        redis_url=env_map.get("REFLEX_REDIS_URL", "").strip(),
        storage_url=storage_url,
        smtp_url=smtp_url,
        mail_from=env_map.get("MAIL_FROM", "") or f"portal@{urlparse(base_url).hostname}",
        secret_key=secret_key,
        base_url=base_url,
        max_upload_mb=_int(env_map, "MAX_UPLOAD_MB", 25),
        demo_data=_flag(env_map.get("DEMO_DATA", demo_default)),
        session_days=_int(env_map, "SESSION_DAYS", 14),
    )


@functools.cache
def get_settings() -> Settings:
    """Return the process-wide settings, loading them on first use."""
    return load_settings()
