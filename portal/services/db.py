"""Database engine, sessions and schema upgrades."""

from __future__ import annotations

import contextlib
import fcntl
import functools
from collections.abc import Iterator
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, event, text
from sqlmodel import Session, create_engine

from portal.settings import get_settings

ALEMBIC_INI = Path(__file__).resolve().parents[2] / "alembic.ini"
# Any 64-bit constant shared by all workers of one deployment.
_PG_MIGRATION_LOCK = 0x4B414E5A4C4549


def make_engine(url: str) -> Engine:
    """Create an engine with the settings the portal needs for ``url``.

    Args:
        url: SQLAlchemy database URL.

    Returns:
        The engine. SQLite files get WAL mode, a busy timeout and foreign keys.
    """
    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn, _record) -> None:
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.close()

        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=20)


@functools.cache
def get_engine() -> Engine:
    """Return the process-wide engine for the configured ``DATABASE_URL``."""
    return make_engine(get_settings().database_url)


@contextlib.contextmanager
def session() -> Iterator[Session]:
    """Open a session; roll back on error. Callers commit explicitly."""
    with Session(get_engine(), expire_on_commit=False) as db:
        try:
            yield db
        except BaseException:
            db.rollback()
            raise


def alembic_config(url: str) -> Config:
    """Alembic configuration pointed at ``url``."""
    cfg = Config(str(ALEMBIC_INI))
    cfg.set_main_option("script_location", str(ALEMBIC_INI.parent / "alembic"))
    cfg.attributes["database_url"] = url
    return cfg


@contextlib.contextmanager
def startup_lock(engine: Engine | None = None) -> Iterator[None]:
    """Serialise start-up work (schema upgrade, demo data) between workers starting at once.

    Not re-entrant: code inside must call :func:`upgrade` with ``lock=False``.

    Args:
        engine: The database to lock; defaults to the configured one.
    """
    engine = engine or get_engine()
    if engine.dialect.name == "postgresql":
        with engine.connect() as conn:
            conn.execute(text("SELECT pg_advisory_lock(:k)"), {"k": _PG_MIGRATION_LOCK})
            try:
                yield
            finally:
                conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": _PG_MIGRATION_LOCK})
                conn.commit()
        return
    lock_path = get_settings().data_dir / ".migrate.lock"
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    with open(lock_path, "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def migration_scripts() -> ScriptDirectory:
    """The Alembic revisions this version of the code knows."""
    return ScriptDirectory.from_config(alembic_config("sqlite://"))


def head_revision() -> str:
    """The newest Alembic revision this version of the code knows."""
    return migration_scripts().get_current_head()


def upgrade(url: str | None = None, *, lock: bool = True, revision: str = "head") -> None:
    """Run ``alembic upgrade <revision>`` on ``url`` (default: the configured database).

    Args:
        url: Database URL; defaults to ``DATABASE_URL``.
        lock: Take :func:`startup_lock` around the upgrade; False when the caller holds it.
        revision: Where to stop; restoring a backup stops at the backup's revision first.
    """
    engine = get_engine() if url is None else make_engine(url)
    target = url or engine.url.render_as_string(hide_password=False)
    try:
        with startup_lock(engine) if lock else contextlib.nullcontext():
            command.upgrade(alembic_config(target), revision)
    finally:
        if url is not None:
            engine.dispose()


def is_outage(error: BaseException) -> bool:
    """Whether ``error`` means the database (or Redis) cannot be reached right now.

    Such requests changed nothing (their transaction never committed) and succeed
    again once the server is back; anything else is a bug.
    """
    from redis.exceptions import ConnectionError as RedisConnectionError
    from redis.exceptions import TimeoutError as RedisTimeoutError
    from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError

    if isinstance(error, (OperationalError, InterfaceError, RedisConnectionError, RedisTimeoutError)):
        return True
    return isinstance(error, DBAPIError) and error.connection_invalidated
