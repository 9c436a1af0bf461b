"""The Alembic history builds exactly the schema the models declare, on SQLite and Postgres."""

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
