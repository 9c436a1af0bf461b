"""The two ways the portal runs, started for a benchmark, and the people it seeds.

``sqlite``: one worker, SQLite and in-memory state (the embedded default).
``scaled``: two Granian workers, a throwaway Postgres database, state in Redis.
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

from bench.reflex_client import PASSWORD, ROOT

REDIS_URL = "redis://127.0.0.1:6379"


@dataclasses.dataclass(frozen=True)
class Setup:
    """One configuration of the app."""

    key: str
    label: str
    workers: int
    scaled: bool


SETUPS = {s.key: s for s in (Setup("sqlite", "1 worker, SQLite", 1, False),
                             Setup("scaled", "2 workers, Postgres + Redis", 2, True))}


@dataclasses.dataclass(frozen=True)
class Person:
    """A seeded user who can log in with :data:`PASSWORD`."""

    id: int
    email: str
    name: str


@dataclasses.dataclass(frozen=True)
class Pair:
    """A client account with one portal user and the accountant assigned to it."""

    account_id: int
    contact: Person
    staff: Person


def redis_url(db_number: int) -> str:
    """The benchmark's own Redis database."""
    return f"{REDIS_URL}/{db_number}"


def flush_redis(db_number: int) -> None:
    """Empty the benchmark's own Redis database (never any other)."""
    import redis

    redis.Redis.from_url(redis_url(db_number)).flushdb()


@contextlib.contextmanager
def environment(setup: Setup, redis_db: int) -> Iterator[dict[str, str]]:
    """A fresh database (and Redis database) for ``setup``; this process's services use it too.

    Yields:
        The environment to start the app with.
    """
    sys.path.insert(0, str(ROOT))
    from portal.services import db
    from portal.settings import get_settings

    work = Path(tempfile.mkdtemp(prefix=f"portal-bench-{setup.key}-"))
    env = {"DATA_DIR": str(work / "data"), "DEMO_DATA": "0", "PORTAL_ENV": "test",
           "SECRET_KEY": "bench-secret-key-that-is-long-enough-0123456789", "GRANIAN_WORKERS": str(setup.workers)}
    with contextlib.ExitStack() as stack:
        if setup.scaled:
            from tests.pg import temporary_database

            env["DATABASE_URL"] = stack.enter_context(temporary_database())
            env["REFLEX_REDIS_URL"] = redis_url(redis_db)
            flush_redis(redis_db)
            stack.callback(flush_redis, redis_db)
        else:
            os.environ.pop("DATABASE_URL", None)
            os.environ.pop("REFLEX_REDIS_URL", None)
        os.environ.update(env)
        # The settings and the engine were read for the previous setup.
        get_settings.cache_clear()
        db.get_engine.cache_clear()
        stack.callback(lambda: db.get_engine().dispose())
        db.upgrade()
        yield env | {"LOG": str(work / "app.log")}


def seed_pairs(count: int) -> list[Pair]:
    """The firm and ``count`` client accounts, each with one portal user and one accountant."""
    from portal.domain.clock import utcnow
    from portal.domain.enums import AccountKind, Role
    from portal.models import (
        AccountContact,
        Assignment,
        ClientAccount,
        Contact,
        Firm,
        StaffUser,
    )
    from portal.services import auth, db

    password_hash = auth.hash_password(PASSWORD)  # once: argon2 is slow on purpose
    pairs = []
    with db.session() as s:
        s.add(Firm(name="Bench Kanzlei"))
        for i in range(count):
            account = ClientAccount(kind=AccountKind.COMPANY, name=f"Bench {i} GmbH", company_name=f"Bench {i} GmbH")
            person = Contact(first_name="Kim", last_name=f"Client {i}", email=f"client-{i}@bench.test",
                             password_hash=password_hash, activated_at=utcnow())
            staff = StaffUser(email=f"staff-{i}@bench.test", name=f"Sam Staff {i}", role=Role.ACCOUNTANT,
                              password_hash=password_hash, sender_name=f"Sam Staff {i}")
            s.add_all([account, person, staff])
            s.flush()
            s.add(AccountContact(account_id=account.id, contact_id=person.id, login=True, notify=False,
                                 full_access=True))
            s.add(Assignment(staff_id=staff.id, account_id=account.id))
            pairs.append(Pair(account.id, Person(person.id, person.email, f"Kim Client {i}"),
                              Person(staff.id, staff.email, staff.name)))
        s.commit()
    return pairs


def seed_conversation(pair: Pair, subject: str) -> int:
    """A conversation the pair's client user starts with the firm; returns its id."""
    from portal.domain.actor import Actor
    from portal.domain.enums import SubjectKind
    from portal.services import conversations

    actor = Actor(kind=SubjectKind.CONTACT, id=pair.contact.id, name=pair.contact.name, email=pair.contact.email)
    return conversations.start_conversation(actor=actor, account_id=pair.account_id, subject=subject,
                                            body="Guten Tag, eine Frage zur Buchhaltung.")
