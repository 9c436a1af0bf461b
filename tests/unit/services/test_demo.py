"""Demo data: seeded once into an empty database, with working printed logins."""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlmodel import func, select

from portal.cli import main as cli
from portal.models import Booking, ClientAccount, StaffUser
from portal.services import auth, db, demo, startup
from portal.settings import load_settings
from tests.pg import temporary_database


def _count(model) -> int:
    with db.session() as s:
        return s.exec(select(func.count()).select_from(model)).one()


def test_start_seeds_an_empty_database_once(fresh_db, tmp_path):
    settings = load_settings({"DATA_DIR": str(tmp_path)})  # dev: demo data on
    assert demo.is_empty()
    logins = startup.prepare_database(settings)
    assert _count(StaffUser) == 3 and _count(ClientAccount) == len(demo._CLIENTS) == 6
    assert 24 <= _count(Booking) <= 60
    with db.session() as s:
        assert s.exec(select(func.count()).select_from(Booking).where(Booking.receipt_missing == True)).one() > 0  # noqa: E712
    assert {"admin", "accountant"} <= {login.role for login in logins}
    for login in logins:
        assert auth.login(email=login.email, password=demo.DEMO_PASSWORD).token, login.email
    assert startup.prepare_database(settings) == logins  # second start: nothing added
    assert _count(ClientAccount) == len(demo._CLIENTS) == 6


def test_no_demo_data_when_switched_off(fresh_db, tmp_path):
    settings = load_settings({"DATA_DIR": str(tmp_path), "DEMO_DATA": "0"})
    assert startup.prepare_database(settings) == []
    assert demo.is_empty()


def test_banner_lists_every_login():
    logins = demo.demo_logins()
    text = startup.banner(logins, "http://localhost:3000")
    assert demo.DEMO_PASSWORD in text and "http://localhost:3000" in text
    assert all(login.email in text for login in logins)


def test_reseed_wipes_and_seeds_again(fresh_db, capsys):
    demo.seed()
    extra = ClientAccount(kind="company", name="Wird gelöscht GmbH")
    with db.session() as s:
        s.add(extra)
        s.commit()
    assert cli(["reseed"]) == 2  # needs --yes
    assert cli(["reseed", "--yes"]) == 0
    assert _count(ClientAccount) == len(demo._CLIENTS) == 6
    assert demo.DEMO_PASSWORD in capsys.readouterr().out


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_db(request, tmp_path, monkeypatch):
    """An empty, unmigrated database of each engine the portal runs on."""
    if request.param == "sqlite":
        engine = db.make_engine(f"sqlite:///{tmp_path / 'start.db'}")
        monkeypatch.setattr(db, "get_engine", lambda: engine)
        yield engine
        engine.dispose()
        return
    with temporary_database() as url:
        engine = db.make_engine(url)
        monkeypatch.setattr(db, "get_engine", lambda: engine)
        yield engine
        engine.dispose()


def test_workers_starting_at_once_migrate_and_seed_once(empty_db, tmp_path):
    # A server with several workers runs the start-up in each of them at the same moment.
    settings = load_settings({"DATA_DIR": str(tmp_path)})
    barrier = threading.Barrier(3)

    def start():
        barrier.wait()
        return startup.prepare_database(settings)

    with ThreadPoolExecutor(3) as pool:
        results = [f.result() for f in [pool.submit(start) for _ in range(3)]]
    assert results[0] and results[0] == results[1] == results[2]
    assert _count(StaffUser) == 3 and _count(ClientAccount) == len(demo._CLIENTS)
