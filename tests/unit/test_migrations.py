"""The Alembic history builds exactly the schema the models declare, on SQLite and Postgres."""

import contextlib
import datetime as dt
from collections.abc import Iterator

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect
from sqlmodel import SQLModel

import portal.models  # noqa: F401
from portal.services import db
from tests.pg import temporary_database


def _drift(url: str) -> list:
    engine = db.make_engine(url)
    try:
        with engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"compare_type": True})
            return compare_metadata(context, SQLModel.metadata)
    finally:
        engine.dispose()


def _assert_upgraded_without_drift(url: str) -> None:
    db.upgrade(url)
    engine = db.make_engine(url)
    try:
        tables = set(inspect(engine).get_table_names())
    finally:
        engine.dispose()
    assert set(SQLModel.metadata.tables) <= tables
    assert _drift(url) == []
    db.upgrade(url)  # running it again at the next start is a no-op


def test_sqlite_upgrade_matches_models(tmp_path):
    _assert_upgraded_without_drift(f"sqlite:///{tmp_path / 'portal.db'}")


def test_postgres_upgrade_matches_models():
    with temporary_database() as url:
        _assert_upgraded_without_drift(url)


def test_single_head():
    script = ScriptDirectory.from_config(db.alembic_config("sqlite://"))
    assert len(script.get_heads()) == 1


def test_drift_is_detected(tmp_path):
    """The check itself works: a column the migrations lack is reported."""
    from sqlalchemy import Column, Integer

    url = f"sqlite:///{tmp_path / 'portal.db'}"
    db.upgrade(url)
    table = SQLModel.metadata.tables["firm"]
    extra = Column("not_migrated", Integer)
    table.append_column(extra)
    try:
        assert any(diff[0] == "add_column" for diff in _drift(url))
    finally:
        table._columns.remove(extra)


@pytest.mark.parametrize("table", sorted(SQLModel.metadata.tables))
def test_every_table_has_a_primary_key(table):
    assert SQLModel.metadata.tables[table].primary_key.columns


def test_0002_backfills_public_ids_of_existing_clients(tmp_path):
    from alembic import command
    from sqlalchemy import text

    url = f"sqlite:///{tmp_path / 'portal.db'}"
    command.upgrade(db.alembic_config(url), "0001")
    engine = db.make_engine(url)
    with engine.begin() as conn:
        for name in ("A GmbH", "B KG"):
            conn.execute(text("INSERT INTO client_account (kind, name, company_name, status, tags, custom_fields,"
                              " created_at) VALUES ('company', :n, '', 'active', '[]', '{}', '2026-01-01')"),
                         {"n": name})
    db.upgrade(url)
    with engine.connect() as conn:
        ids = [row[0] for row in conn.execute(text("SELECT public_id FROM client_account"))]
    engine.dispose()
    assert len(ids) == 2 and all(len(i) >= 16 for i in ids) and ids[0] != ids[1]
    assert _drift(url) == []


@contextlib.contextmanager
def _database(backend: str, tmp_path) -> Iterator[str]:
    if backend == "postgres":
        with temporary_database() as url:
            yield url
    else:
        yield f"sqlite:///{tmp_path / 'portal.db'}"


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
def test_0012_backfills_last_message_at_from_undeleted_messages(backend, tmp_path):
    from alembic import command
    from sqlalchemy import column, insert, select, table
    from sqlmodel.sql.sqltypes import UTCDateTime

    t0 = dt.datetime(2026, 11, 1, 9, 0, tzinfo=dt.UTC)
    at = lambda minutes: t0 + dt.timedelta(minutes=minutes)  # noqa: E731
    account = table("client_account", *(column(c) for c in ("id", "public_id", "kind", "name", "company_name",
                                                             "address", "status", "tags", "custom_fields",
                                                             "self_signup")), column("created_at", UTCDateTime()))
    thread = table("thread", *(column(c) for c in ("id", "account_id", "kind", "subject", "audience",
                                                   "started_by_side", "status")), column("created_at", UTCDateTime()))
    message = table("message", *(column(c) for c in ("id", "thread_id", "author_kind", "author_id", "sender_name",
                                                     "body")),
                    column("created_at", UTCDateTime()), column("deleted_at", UTCDateTime()))
    with _database(backend, tmp_path) as url:
        command.upgrade(db.alembic_config(url), "0011")
        engine = db.make_engine(url)
        try:
            with engine.begin() as conn:
                conn.execute(insert(account).values(id=1, public_id="p1", kind="company", name="A GmbH",
                                                    company_name="", address="", status="active", tags="[]",
                                                    custom_fields="{}", self_signup=False, created_at=t0))
                # 1: two messages; 2: its newest message deleted; 3: no message; 4: only a deleted one.
                conn.execute(insert(thread), [dict(id=i, account_id=1, kind="conversation", subject="s",
                                                   audience="all", started_by_side="staff", status="open",
                                                   created_at=t0) for i in (1, 2, 3, 4)])
                conn.execute(insert(message), [
                    dict(id=i, thread_id=thread_id, author_kind="staff", author_id=1, sender_name="", body="b",
                         created_at=at(minutes), deleted_at=at(99) if deleted else None)
                    for i, (thread_id, minutes, deleted) in enumerate(
                        [(1, 5, False), (1, 10, False), (2, 20, False), (2, 30, True), (4, 40, True)], start=1)])
            db.upgrade(url)
            from portal.models import Thread

            with engine.connect() as conn:
                stored = dict(conn.execute(select(Thread.id, Thread.last_message_at)).all())
        finally:
            engine.dispose()
        assert stored == {1: at(10), 2: at(20), 3: t0, 4: t0}
        assert _drift(url) == []
