"""Throwaway PostgreSQL databases for tests (the server on the machine may hold other data)."""

import contextlib
import os
import secrets
from collections.abc import Iterator

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

ADMIN_URL = os.environ.get("TEST_PG_ADMIN_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")


@contextlib.contextmanager
def temporary_database() -> Iterator[str]:
    """Create a database with a random name, yield its URL, drop it afterwards.

    Skips the test only when TEST_PG_OPTIONAL=1 and no server answers; CI requires it.
    """
    admin = create_engine(ADMIN_URL, isolation_level="AUTOCOMMIT")
    name = f"portal_test_{secrets.token_hex(6)}"
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception:
        admin.dispose()
        if os.environ.get("TEST_PG_OPTIONAL") == "1":
            pytest.skip("PostgreSQL not reachable")
        raise
    try:
        yield make_url(ADMIN_URL).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
