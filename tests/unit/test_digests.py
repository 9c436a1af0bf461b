"""Staff email digests: the Monday-10:00 schedule, subscriptions, content, exactly-once sending."""

from __future__ import annotations

import asyncio
import datetime as dt
import threading
from concurrent.futures import ThreadPoolExecutor
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import select

from portal import realtime, routes
from portal.domain.enums import AccountKind, DigestFrequency, Ledger, Role, ThreadKind
from portal.domain.schedule import next_run
from portal.i18n import format as fmt
from portal.models import Booking, DigestSubscription, Message, Outbox, Thread
from portal.notify import emails
from portal.services import conversations, db, digests, talks
from portal.services.access import AccessDenied, NotFound
from tests import factories
from tests.pg import temporary_database

BERLIN = ZoneInfo("Europe/Berlin")
UTC = dt.UTC


def utc(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=UTC)


def berlin(value: dt.datetime) -> dt.datetime:
    return value.astimezone(BERLIN)


# Schedule


def test_weekly_goes_out_next_monday_at_ten_berlin_across_the_autumn_dst_change():
    # Thursday 22 Oct 2026 is summer time; Monday 26 Oct is winter time (the clocks went back on the 25th).
    first = next_run(DigestFrequency.WEEKLY, utc(2026, 10, 22, 12))
    assert first == utc(2026, 10, 26, 9)  # 10:00 CET = 09:00 UTC
    summer = next_run(DigestFrequency.WEEKLY, utc(2026, 10, 15, 12))
    assert summer == utc(2026, 10, 19, 8)  # 10:00 CEST = 08:00 UTC
    assert (berlin(first).weekday(), berlin(first).time()) == (0, dt.time(10))
    assert (berlin(summer).weekday(), berlin(summer).time()) == (0, dt.time(10))


def test_weekly_across_the_spring_dst_change():
    # Thursday 25 Mar 2027 is winter time; on Sunday the 28th the clocks go forward.
    assert next_run(DigestFrequency.WEEKLY, utc(2027, 3, 25, 12)) == utc(2027, 3, 29, 8)
    assert next_run(DigestFrequency.WEEKLY, utc(2027, 3, 18, 12)) == utc(2027, 3, 22, 9)


def test_monday_itself_before_ten_is_today_and_at_ten_is_next_week():
    assert next_run(DigestFrequency.WEEKLY, utc(2026, 10, 26, 8, 59)) == utc(2026, 10, 26, 9)
    assert next_run(DigestFrequency.WEEKLY, utc(2026, 10, 26, 9)) == utc(2026, 11, 2, 9)


def test_daily_is_ten_berlin_every_day():
    assert next_run(DigestFrequency.DAILY, utc(2026, 10, 24, 12)) == utc(2026, 10, 25, 9)  # DST ends that night
    assert next_run(DigestFrequency.DAILY, utc(2026, 10, 24, 7)) == utc(2026, 10, 24, 8)
    # 23:30 UTC on New Year's Eve is already 1 January in Berlin.
    assert next_run(DigestFrequency.DAILY, utc(2026, 12, 31, 23, 30)) == utc(2027, 1, 1, 9)


def test_monthly_is_the_first_monday_of_the_month():
    assert next_run(DigestFrequency.MONTHLY, utc(2026, 10, 22, 12)) == utc(2026, 11, 2, 9)
    assert next_run(DigestFrequency.MONTHLY, utc(2026, 11, 2, 9)) == utc(2026, 12, 7, 9)
    assert next_run(DigestFrequency.MONTHLY, utc(2026, 12, 20)) == utc(2027, 1, 4, 9)  # over the year end
    assert next_run(DigestFrequency.MONTHLY, utc(2027, 3, 2)) == utc(2027, 4, 5, 8)  # summer time by then


@pytest.mark.parametrize("frequency", list(DigestFrequency))
def test_every_run_is_the_earliest_ten_oclock_slot_after_the_given_time(frequency):
    period = {"daily": dt.timedelta(days=1), "weekly": dt.timedelta(days=7), "monthly": dt.timedelta(days=35)}
    after = utc(2026, 1, 1, 0, 17)
    while after < utc(2028, 1, 1):
        at = next_run(frequency, after)
        local = berlin(at)
        assert after < at <= after + period[frequency]
        assert local.time() == dt.time(10) and at.tzinfo is not None
        if frequency != DigestFrequency.DAILY:
            assert local.weekday() == 0
        if frequency == DigestFrequency.MONTHLY:
            assert local.day <= 7
        after += dt.timedelta(hours=7, minutes=13)


def test_next_send_time_is_shown_with_weekday_in_berlin_time():
    assert fmt.weekday_datetime(utc(2026, 10, 19, 8), "de") == "Mo., 19. Okt. 2026, 10:00"
    assert fmt.weekday_datetime(utc(2026, 10, 26, 9), "de") == "Mo., 26. Okt. 2026, 10:00"
    assert fmt.weekday_datetime(utc(2026, 10, 26, 9), "en") == "Mon, 26 Oct 2026, 10:00"
    assert fmt.weekday_datetime(utc(2026, 10, 26, 9), "fr") == "lun. 26 oct. 2026, 10:00"


def test_naive_times_are_refused():
    with pytest.raises(ValueError):
        next_run(DigestFrequency.DAILY, dt.datetime(2026, 10, 22, 12))


# Subscriptions


@pytest.fixture
def firm(fresh_db, monkeypatch):
    monkeypatch.setattr(realtime, "publish", lambda rooms, **_: None)
    factories.firm(name="Steuerkanzlei Berger")
    anna = factories.staff(name="Anna Schmidt")
    ben = factories.staff(name="Ben Braun")
    admin = factories.staff(name="Clara Admin", role=Role.ADMIN)
    mine = factories.client(name="Anna GmbH", accountants=(anna,))
    other = factories.client(name="Ben KG", accountants=(ben,))
    return {"anna": factories.actor(anna), "ben": factories.actor(ben), "admin": factories.actor(admin),
            "anna_user": anna, "mine": mine, "other": other}


def test_accountant_subscribes_only_to_assigned_clients(firm):
    now = utc(2026, 10, 22, 12)
    sub = digests.subscribe(actor=firm["anna"], account_id=firm["mine"].id, frequency="weekly", now=now)
    assert (sub.account_name, sub.public_id, sub.frequency) == ("Anna GmbH", firm["mine"].public_id, "weekly")
    assert sub.next_run_at == utc(2026, 10, 26, 9)
    with pytest.raises(NotFound):
        digests.subscribe(actor=firm["anna"], account_id=firm["other"].id, frequency="weekly")
    with pytest.raises(NotFound):
        digests.subscription(actor=firm["anna"], account_id=firm["other"].id)
    # Admins work every client.
    digests.subscribe(actor=firm["admin"], account_id=firm["other"].id, frequency="daily")
    contact = factories.actor(factories.contact(account=firm["mine"]))
    with pytest.raises(AccessDenied):
        digests.subscribe(actor=contact, account_id=None, frequency="weekly")
    with pytest.raises(ValueError):
        digests.subscribe(actor=firm["anna"], account_id=None, frequency="hourly")


def test_one_subscription_per_client_and_one_for_all(firm):
    anna, now = firm["anna"], utc(2026, 10, 22, 12)
    digests.subscribe(actor=anna, account_id=firm["mine"].id, frequency="weekly", now=now)
    again = digests.subscribe(actor=anna, account_id=firm["mine"].id, frequency="weekly", now=now + dt.timedelta(days=3))
    assert again.next_run_at == utc(2026, 10, 26, 9)  # same frequency: the schedule stands
    changed = digests.subscribe(actor=anna, account_id=firm["mine"].id, frequency="daily", now=now)
    assert (changed.frequency, changed.next_run_at) == ("daily", utc(2026, 10, 23, 8))
    digests.subscribe(actor=anna, account_id=None, frequency="monthly", now=now)
    digests.subscribe(actor=anna, account_id=None, frequency="weekly", now=now)
    with db.session() as s:
        rows = s.exec(select(DigestSubscription).where(DigestSubscription.staff_id == anna.id)).all()
    assert sorted((r.account_id or 0, r.frequency) for r in rows) == [(0, "weekly"), (firm["mine"].id, "daily")]
    listed = digests.list_subscriptions(actor=anna)
    assert [(s.account_id, s.frequency) for s in listed] == [(None, "weekly"), (firm["mine"].id, "daily")]
    assert digests.subscription(actor=anna, account_id=None).frequency == "weekly"


def test_twin_rows_from_racing_clicks_act_as_one(firm, busy_client):
    anna, now = firm["anna"], utc(2026, 10, 22, 12)
    with db.session() as s:  # what two first clicks racing past the existence check leave behind
        s.add_all(DigestSubscription(staff_id=anna.id, account_id=None, frequency="monthly",
                                     next_run_at=next_run("monthly", now)) for _ in range(2))
        s.commit()
    digests.subscribe(actor=anna, account_id=None, frequency="weekly", now=now)
    assert [(sub.account_id, sub.frequency) for sub in digests.list_subscriptions(actor=anna)] == [(None, "weekly")]
    assert digests.run_due(utc(2026, 10, 26, 9)) == 1
    assert len(digest_rows()) == 1
    assert digests.unsubscribe(actor=anna, account_id=None)
    with db.session() as s:
        assert s.exec(select(DigestSubscription)).all() == []


def test_off_removes_the_subscription(firm):
    anna = firm["anna"]
    digests.subscribe(actor=anna, account_id=firm["mine"].id, frequency="weekly")
    assert digests.unsubscribe(actor=anna, account_id=firm["mine"].id)
    assert not digests.unsubscribe(actor=anna, account_id=firm["mine"].id)
    assert digests.subscription(actor=anna, account_id=firm["mine"].id) is None
    assert digests.list_subscriptions(actor=anna) == []


def test_unassigned_clients_disappear_from_the_list_and_their_digest_is_dropped(firm):
    from portal.models import Assignment

    anna = firm["anna"]
    digests.subscribe(actor=anna, account_id=firm["mine"].id, frequency="daily", now=utc(2026, 10, 22, 12))
    with db.session() as s:
        s.delete(s.get(Assignment, (anna.id, firm["mine"].id)))
        s.commit()
    assert digests.list_subscriptions(actor=anna) == []
    assert digests.run_due(utc(2026, 10, 23, 9)) == 0
    with db.session() as s:
        assert s.exec(select(DigestSubscription)).all() == []


# Content


def digest_rows() -> list[Outbox]:
    with db.session() as s:
        return list(s.exec(select(Outbox).where(Outbox.template == digests.TEMPLATE).order_by(Outbox.id)).all())


def add_bookings(account_id: int, specs: list[tuple[str, bool, bool]]) -> dict[str, int]:
    """Bookings named by the test: (name, receipt_missing, exported)."""
    with db.session() as s:
        rows = {name: Booking(account_id=account_id, ledger=Ledger.SUPPLIERS, date=dt.date(2026, 10, 1),
                              amount_cents=-1000, counterparty=name, receipt_missing=missing,
                              exported_at=utc(2026, 10, 2) if exported else None)
                for name, missing, exported in specs}
        s.add_all(rows.values())
        s.commit()
        return {name: row.id for name, row in rows.items()}


@pytest.fixture
def busy_client(firm):
    """Anna's client with one booking of every kind the digest counts."""
    account = firm["mine"]
    maria = factories.contact(account=account)
    client = factories.actor(maria)
    ids = add_bookings(account.id, [
        ("missing", True, False), ("missing exported", True, True), ("ready", False, False),
        ("exported", False, True), ("asked", False, False), ("answered", True, False), ("settled", False, False),
        ("noted", False, False),
    ])

    def ask(name: str, **kw) -> int:
        return talks.start_talk(actor=firm["anna"], booking_id=ids[name], recipient_contact_id=None,
                                internal=kw.get("internal", False), sender_name="", body="Bitte Beleg")

    ask("asked")  # waiting for the client: an open question, not unanswered
    talks.post_message(actor=client, thread_id=ask("answered"), body="Kommt morgen")
    talks.close_talk(actor=firm["anna"], thread_id=ask("settled"))
    ask("noted", internal=True)  # still being clarified in the firm
    conversations.start_conversation(actor=client, account_id=account.id, subject="Frage", body="Wie geht das?")
    conversations.start_conversation(actor=firm["anna"], account_id=account.id, subject="Info", body="Zur Info")
    return account


def test_digest_numbers_per_client(firm, busy_client):
    digests.subscribe(actor=firm["anna"], account_id=None, frequency="weekly", now=utc(2026, 10, 22, 12))
    assert digests.run_due(utc(2026, 10, 26, 9)) == 1
    (row,) = digest_rows()
    assert row.to == firm["anna_user"].email
    (item,) = row.context["items"]  # Ben's client is not Anna's; nothing else to report
    assert item == {
        "client": "Anna GmbH", "link": "http://127.0.0.1:3000" + routes.staff_client(busy_client.public_id),
        "open_questions": 2,  # "asked" and "answered"; not the closed one, not the internal note
        "missing_receipts": 2,  # "missing" and "answered"; exported ones are done
        "export_ready": 2,  # "ready" and "settled" (talk closed); "asked" and "noted" are still open
        "unanswered": 2,  # the answered talk and the client's conversation
    }
    email = emails.render(row.template, row.to, row.context)
    assert email.subject == "Ihre Mandanten-Zusammenfassung vom 26.10.2026"
    assert "Offene Rückfragen: 2 · Fehlende Belege: 2 · Exportbereit: 2 · Unbeantwortet: 2" in email.text
    assert item["link"] in email.text and item["link"] in email.html
    assert "http://127.0.0.1:3000/staff/profile" in email.text and "/staff/profile" in email.html


def test_admins_all_clients_digest_covers_every_client_with_news(firm, busy_client):
    add_bookings(firm["other"].id, [("ben's", True, False)])
    factories.client(name="Quiet AG")  # nothing to report: left out
    digests.subscribe(actor=firm["admin"], account_id=None, frequency="daily", now=utc(2026, 10, 22, 12))
    assert digests.run_due(utc(2026, 10, 23, 8)) == 1
    (row,) = digest_rows()
    assert [(i["client"], i["missing_receipts"]) for i in row.context["items"]] == [("Anna GmbH", 2), ("Ben KG", 1)]


def test_guest_arrivals_count_as_unanswered_and_any_accountant_may_follow_the_guest_account(firm):
    guest = factories.client(name="Gastkonto", kind=AccountKind.GUEST)  # assigned to nobody
    with db.session() as s:  # files that came in through a request link, not looked at yet
        thread = Thread(account_id=guest.id, kind=ThreadKind.UPLOADS, subject="Belege", started_by_side="guest")
        s.add(thread)
        s.flush()
        s.add(Message(thread_id=thread.id, author_kind="guest", author_id=0, sender_name="Herr Gast", body="2 Dateien"))
        s.commit()
    now = utc(2026, 10, 22, 12)
    digests.subscribe(actor=firm["anna"], account_id=guest.id, frequency="weekly", now=now)
    digests.subscribe(actor=firm["anna"], account_id=None, frequency="weekly", now=now)  # not assigned: not in here
    assert digests.run_due(utc(2026, 10, 26, 9)) == 1
    (row,) = digest_rows()
    assert [(i["client"], i["unanswered"], i["open_questions"]) for i in row.context["items"]] == [("Gastkonto", 1, 0)]
    assert [sub.account_name for sub in digests.list_subscriptions(actor=firm["anna"])] == ["", "Gastkonto"]


def test_a_digest_with_nothing_to_report_is_not_sent_but_the_schedule_moves_on(firm):
    digests.subscribe(actor=firm["anna"], account_id=firm["mine"].id, frequency="weekly", now=utc(2026, 10, 22, 12))
    assert digests.run_due(utc(2026, 10, 26, 9)) == 0
    assert digest_rows() == []
    with db.session() as s:
        row = s.exec(select(DigestSubscription)).one()
    assert row.next_run_at == utc(2026, 11, 2, 9) and row.last_sent_at is None


def test_digests_due_together_for_one_user_become_one_email(firm, busy_client):
    now = utc(2026, 10, 22, 12)
    digests.subscribe(actor=firm["anna"], account_id=None, frequency="weekly", now=now)
    digests.subscribe(actor=firm["anna"], account_id=busy_client.id, frequency="weekly", now=now)
    assert digests.run_due(utc(2026, 10, 26, 9)) == 1
    (row,) = digest_rows()
    assert [i["client"] for i in row.context["items"]] == ["Anna GmbH"]
    with db.session() as s:
        assert {r.last_sent_at for r in s.exec(select(DigestSubscription)).all()} == {utc(2026, 10, 26, 9)}


def test_the_email_in_english_and_french_escapes_client_names(firm):
    context = {"name": "Anna", "firm_name": "Kanzlei", "date": "26 Oct 2026", "more": 3, "link": "https://p/c",
               "settings_link": "https://p/staff/profile",
               "items": [{"client": "<b>Evil</b> GmbH", "link": "https://p/staff/clients/x", "open_questions": 1,
                          "missing_receipts": 0, "export_ready": 4, "unanswered": 0}]}
    english = emails.render("digest", "a@example.test", {**context, "locale": "en"})
    assert english.subject == "Your client digest for 26 Oct 2026"
    assert "Open questions: 1 · Missing receipts: 0 · Ready to export: 4 · Awaiting your reply: 0" in english.text
    assert "More clients with open points: 3." in english.text
    assert "&lt;b&gt;Evil&lt;/b&gt; GmbH" in english.html and "<b>Evil</b>" not in english.html
    french = emails.render("digest", "a@example.test", {**context, "locale": "fr"})
    assert "Questions en suspens : 1" in french.text and "Prêtes à exporter : 4" in french.text


# Sending exactly once


def test_run_due_twice_sends_once(firm, busy_client):
    digests.subscribe(actor=firm["anna"], account_id=busy_client.id, frequency="weekly", now=utc(2026, 10, 22, 12))
    assert digests.run_due(utc(2026, 10, 26, 9)) == 1
    assert digests.run_due(utc(2026, 10, 26, 9)) == 0
    assert digests.run_due(utc(2026, 10, 26, 9, 5)) == 0
    assert digests.run_due(utc(2026, 11, 2, 9)) == 1  # the next Monday
    assert len(digest_rows()) == 2


def test_missed_runs_produce_one_digest_not_a_backlog(firm, busy_client):
    digests.subscribe(actor=firm["anna"], account_id=busy_client.id, frequency="daily", now=utc(2026, 10, 22, 12))
    back = utc(2026, 10, 28, 14)  # the server was down from Friday to Wednesday afternoon
    assert digests.run_due(back) == 1
    assert digests.run_due(back) == 0
    with db.session() as s:
        row = s.exec(select(DigestSubscription)).one()
    assert row.next_run_at == utc(2026, 10, 29, 9) and row.last_sent_at == back
    assert len(digest_rows()) == 1


def _race(engines: list, monkeypatch, now: dt.datetime) -> list[int]:
    """Two workers, each with its own engine, run the due digests at the same moment.

    Both read the due subscriptions before either claims one (a barrier in front of each
    claim), so without the compare-and-set both would send.
    """
    local = threading.local()
    setup_engine = db.get_engine()
    monkeypatch.setattr(db, "get_engine", lambda: getattr(local, "engine", setup_engine))
    barrier = threading.Barrier(len(engines), timeout=30)
    send = digests._send

    def in_step(*args):
        barrier.wait()
        return send(*args)

    monkeypatch.setattr(digests, "_send", in_step)

    def worker(engine) -> int:
        local.engine = engine
        return digests.run_due(now)

    with ThreadPoolExecutor(max_workers=len(engines)) as pool:
        return list(pool.map(worker, engines))


def _subscribe_several(firm) -> list:
    """Three staff users due on the same Monday, each with news."""
    users = [firm["anna"], firm["admin"], factories.actor(factories.staff(name="Dora", role=Role.ADMIN))]
    for user in users:
        digests.subscribe(actor=user, account_id=firm["mine"].id, frequency="weekly", now=utc(2026, 10, 22, 12))
    add_bookings(firm["mine"].id, [("missing", True, False)])
    return users


def test_concurrent_workers_on_sqlite_send_each_digest_once(firm, fresh_db, monkeypatch):
    users = _subscribe_several(firm)
    engines = [db.make_engine(fresh_db.url.render_as_string()) for _ in range(2)]
    try:
        counts = _race(engines, monkeypatch, utc(2026, 10, 26, 9))
    finally:
        for engine in engines:
            engine.dispose()
    assert sum(counts) == len(users)
    assert sorted(row.to for row in digest_rows()) == sorted(u.email for u in users)


def test_concurrent_workers_on_postgres_send_each_digest_once(monkeypatch):
    monkeypatch.setattr(realtime, "publish", lambda rooms, **_: None)
    with temporary_database() as url:
        db.upgrade(url)
        engines = [db.make_engine(url) for _ in range(3)]
        monkeypatch.setattr(db, "get_engine", lambda: engines[0])
        try:
            factories.firm()
            anna = factories.staff(name="Anna Schmidt")
            admin = factories.staff(name="Clara Admin", role=Role.ADMIN)
            mine = factories.client(name="Anna GmbH", accountants=(anna,))
            users = _subscribe_several({"anna": factories.actor(anna), "admin": factories.actor(admin),
                                        "mine": mine})
            counts = _race(engines[1:], monkeypatch, utc(2026, 10, 26, 9))
            assert sum(counts) == len(users)
            assert sorted(row.to for row in digest_rows()) == sorted(u.email for u in users)
        finally:
            for engine in engines:
                engine.dispose()


def test_the_loop_keeps_running_after_a_failed_round(monkeypatch):
    calls = []

    def flaky(now=None):
        calls.append(now)
        if len(calls) == 1:
            raise RuntimeError("database away")
        return 0

    monkeypatch.setattr(digests, "run_due", flaky)

    async def run():
        task = asyncio.create_task(digests.run_digest_loop(interval=0.01))
        while len(calls) < 3:
            await asyncio.sleep(0.01)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task

    asyncio.run(asyncio.wait_for(run(), timeout=5))
    assert len(calls) >= 3
