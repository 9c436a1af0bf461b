"""Test-wide setup: an isolated environment before any portal module is imported."""

import contextlib
import os
import shutil
import tempfile
from pathlib import Path

import pytest

from tests import stack

_TEST_ROOT = Path(tempfile.mkdtemp(prefix="portal-tests-"))
os.environ.update(
    {
        "PORTAL_ENV": "test",
        "DATA_DIR": str(_TEST_ROOT / "data"),
        "SECRET_KEY": "test-secret-key-that-is-long-enough-0123456789",
        "BASE_URL": "http://127.0.0.1:3000",
        "DEMO_DATA": "0",
    }
)
for _name in ("DATABASE_URL", "STORAGE_URL", "SMTP_URL", "REFLEX_REDIS_URL"):
    os.environ.pop(_name, None)
_SERVICES = contextlib.ExitStack()
if stack.SCALED:
    os.environ.update(_SERVICES.enter_context(stack.scaled_services()))


def pytest_collection_modifyitems(config, items):
    """Run browser tests last: Playwright's sync API keeps an event loop running in the
    main thread for the rest of the session, which breaks ``asyncio.run`` in unit tests."""
    items.sort(key=lambda item: "/tests/e2e/" in str(item.path))


def pytest_sessionfinish(session, exitstatus):
    _SERVICES.close()
    shutil.rmtree(_TEST_ROOT, ignore_errors=True)


@pytest.fixture(scope="session")
def migrated_template() -> Path:
    """A SQLite file upgraded to head once per test session."""
    from portal.services import db

    path = _TEST_ROOT / "template.db"
    db.upgrade(f"sqlite:///{path}")
    return path


@pytest.fixture
def fresh_db(migrated_template, tmp_path, monkeypatch):
    """Point the services at a private, migrated SQLite database for one test.

    Returns:
        The engine of that database.
    """
    from portal.services import db

    path = tmp_path / "portal.db"
    shutil.copy(migrated_template, path)
    engine = db.make_engine(f"sqlite:///{path}")
    monkeypatch.setattr(db, "get_engine", lambda: engine)
    yield engine
    engine.dispose()
