"""First-page latency of the lists that grow with the firm, on a large Postgres data set.

Seeds a throwaway database (by default 10,000 clients with contacts and assignments,
about 1,000,000 messages over their threads, thousands of bookings on a few accounts)
with COPY, then times the service call each page load makes, as the user who opens
the page: the staff clients page, the staff inbox (open: the accountant's clients and
all clients), the client's conversation list, the first bookings page of a large
account and the client home's open items.

Usage: python -m bench.lists [--clients 10000] [--messages 1000000] [--runs 50] [--json]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import sys
import tempfile
import time
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

from bench.stats import percentiles

STAFF = 20  # accountants; one admin besides them
BIG_ACCOUNTS = 3  # the benchmark contact's accounts, each with many bookings and talks
BIG_BOOKINGS = 5_000
BIG_THREADS = 400
THREADS_PER_ACCOUNT = 5
SPAN = dt.timedelta(days=730)  # the messages spread over two years up to now
SURNAMES = ("Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Meyer", "Wagner", "Becker", "Schulz",
            "Hoffmann", "Koch", "Richter", "Klein", "Wolf", "Schröder", "Neumann", "Schwarz", "Braun",
            "Zimmermann", "Krüger", "Hofmann", "Hartmann", "Lange", "Werner", "Krause", "Lehmann")
FIRST_NAMES = ("Maria", "Thomas", "Sabine", "Michael", "Julia", "Andreas", "Petra", "Stefan", "Anna", "Jan")
SUFFIXES = ("GmbH", "KG", "GbR", "e.K.", "UG", "AG", "")
LEDGERS = ("suppliers", "customers", "bank", "other")


def _deleted(message_id: int) -> bool:
    """One message in a hundred was deleted by its author."""
    return message_id % 100 == 0


def _copy(cursor, table: str, columns: Sequence[str], rows: Iterable[Sequence]) -> int:
    """COPY ``rows`` into ``table``; returns how many were written."""
    n = 0
    with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)
            n += 1
    return n


def _seed(url: str, *, clients: int, messages: int, rng: random.Random) -> dict[str, int]:
    """Fill the database at ``url`` through a connection of its own; returns the row counts."""
    import psycopg
    from sqlalchemy.engine import make_url

    now = dt.datetime.now(dt.UTC)
    start = now - SPAN
    counts: dict[str, int] = {}
    raw = psycopg.connect(make_url(url).set(drivername="postgresql").render_as_string(hide_password=False))
    try:
        cur = raw.cursor()
        counts["staff_user"] = _copy(cur, "staff_user", (
            "id", "email", "name", "role", "sender_name", "locale", "timezone", "email_notices", "created_at"),
            [(1, "admin@bench.test", "Katrin Berger", "admin", "", "", "", True, start)]
            + [(i, f"staff{i}@bench.test", f"{rng.choice(FIRST_NAMES)} {rng.choice(SURNAMES)}", "accountant",
                "", "", "", True, start) for i in range(2, STAFF + 2)])
        cur.execute("INSERT INTO firm (name, read_marks, talk_password, mail_quiet_minutes, mail_include_text,"
                    " mail_include_amounts, self_signup, created_at) VALUES ('Kanzlei Bench', true, false, 10,"
                    " false, false, true, %s)", (start,))

        account_ids = range(1, clients + 1)
        statuses = rng.choices(("active", "onboarding", "invited"), weights=(90, 5, 5), k=clients)
        counts["client_account"] = _copy(cur, "client_account", (
            "id", "public_id", "kind", "name", "company_name", "address", "status", "tags", "custom_fields",
            "self_signup", "created_at"),
            ((a, f"bench{a:011d}", "company", name, name, "", statuses[a - 1], "[]", "{}", False, start)
             for a in account_ids
             for name in [f"{rng.choice(SURNAMES)} {rng.choice(SURNAMES)} {a} {rng.choice(SUFFIXES)}".strip()]))
        # Every account has its own contact (same id); the benchmark contact (1) also works accounts 2..BIG.
        counts["contact"] = _copy(cur, "contact", (
            "id", "first_name", "last_name", "email", "phone", "address", "tags", "custom_fields", "activated_at",
            "locale", "timezone", "email_notices", "created_at"),
            ((c, rng.choice(FIRST_NAMES), rng.choice(SURNAMES), f"contact{c}@bench.test", "", "", "[]", "{}",
              start, "", "", True, start) for c in account_ids))
        links = [(a, a) for a in account_ids] + [(a, 1) for a in range(2, BIG_ACCOUNTS + 1)]
        counts["account_contact"] = _copy(cur, "account_contact", (
            "account_id", "contact_id", "login", "notify", "sync", "full_access"),
            ((a, c, True, True, False, True) for a, c in links))
        # Round robin over the accountants; every fifth account has a second one.
        counts["assignment"] = _copy(cur, "assignment", ("staff_id", "account_id"),
                                     [(2 + a % STAFF, a) for a in account_ids]
                                     + [(2 + (a + 1) % STAFF, a) for a in account_ids if a % 5 == 0])

        # Threads: a few per account, many on the big ones; 60 % booking talks (each on a booking of
        # its own), 35 % conversations, 5 % internal notes.
        threads: list[list] = []  # [id, account, kind, booking id]
        bookings: list[tuple] = []
        for a in account_ids:
            n_threads = BIG_THREADS if a <= BIG_ACCOUNTS else THREADS_PER_ACCOUNT
            n_bookings = BIG_BOOKINGS if a <= BIG_ACCOUNTS else 0
            for i in range(max(n_threads, n_bookings)):
                kind = rng.choices(("booking_talk", "conversation", "internal"), weights=(60, 35, 5))[0] \
                    if i < n_threads else None
                booking_id = None
                if kind in ("booking_talk", "internal") or i < n_bookings:
                    booking_id = len(bookings) + 1
                    bookings.append((booking_id, a, rng.choice(LEDGERS),
                                     (start + dt.timedelta(days=rng.randrange(SPAN.days))).date(),
                                     rng.randrange(-500_000, 500_000), "EUR", f"{rng.choice(SURNAMES)} Handel",
                                     f"Rechnung {booking_id}", rng.random() < 0.15, start))
                if kind is not None:
                    threads.append([len(threads) + 1, a, kind, booking_id if kind != "conversation" else None])
        counts["booking"] = _copy(cur, "booking", (
            "id", "account_id", "ledger", "date", "amount_cents", "currency", "counterparty", "text",
            "receipt_missing", "created_at"), bookings)

        # Messages in time order (ids grow with time, as in the portal): every thread gets one, the
        # rest land on random threads; then each thread starts at its first message.
        slots = [t[0] for t in threads] + rng.choices([t[0] for t in threads], k=max(0, messages - len(threads)))
        rng.shuffle(slots)
        step = SPAN / max(1, len(slots))
        first_at: dict[int, dt.datetime] = {}
        last_at: dict[int, dt.datetime] = {}
        last_id: dict[int, int] = {}
        for i, thread_id in enumerate(slots, start=1):
            first_at.setdefault(thread_id, start + step * i)
            last_id[thread_id] = i
            if not _deleted(i):
                last_at[thread_id] = start + step * i
        status = {t[0]: "open" if rng.random() < 0.3 else "closed" for t in threads}
        counts["thread"] = _copy(cur, "thread", (
            "id", "account_id", "kind", "booking_id", "subject", "audience", "started_by_side", "status",
            "created_at", "last_message_at", "closed_at"),
            ((tid, a, kind, booking_id, "Frage zur Buchung" if booking_id else f"Thema {tid}", "all",
              "staff" if kind != "conversation" or tid % 2 else "contact", status[tid], first_at[tid],
              last_at.get(tid, first_at[tid]), None if status[tid] == "open" else now)
             for tid, a, kind, booking_id in threads))
        account_of = {t[0]: t[1] for t in threads}
        internal = {t[0] for t in threads if t[2] == "internal"}

        staff_side = [t in internal or rng.random() < 0.5 for t in slots]
        counts["message"] = _copy(cur, "message", (
            "id", "thread_id", "author_kind", "author_id", "sender_name", "body", "created_at", "deleted_at"),
            ((i, t, "staff" if staff else "contact", 2 + account_of[t] % STAFF if staff else account_of[t],
              "Anna" if staff else "Maria", f"Nachricht {i} zur Sache, bitte um kurze Rückmeldung.", start + step * i,
              start + step * i if _deleted(i) else None)
             for i, (t, staff) in enumerate(zip(slots, staff_side), start=1)))
        # One receipt per message outside internal notes (the client's for the firm's words, the firm's
        # for the client's), all read except each open thread's newest.
        unread = {last_id[t] for t, st in status.items() if st == "open"}
        counts["receipt"] = _copy(cur, "receipt", (
            "message_id", "recipient_kind", "recipient_id", "delivered_at", "read_at"),
            ((i, "contact" if staff else "staff", account_of[t] if staff else 0,
              None if i in unread else now, None if i in unread else now)
             for i, (t, staff) in enumerate(zip(slots, staff_side), start=1) if t not in internal))
        for table in ("staff_user", "client_account", "contact", "booking", "thread", "message"):
            cur.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))")
        raw.commit()
        raw.autocommit = True
        cur.execute("VACUUM ANALYZE")
        # Write the seed out now: the checkpointer flushing it during the timings stalls single runs.
        cur.execute("CHECKPOINT")
    finally:
        raw.close()
    return counts


def _lists(*, admin, accountant, contact, big_account: int) -> dict[str, Callable[[], object]]:
    """The first page of each list, as its page load asks for it (one more row than shown)."""
    from portal.services import bookings, clients, conversations, portal_home, talks

    first = talks.PAGE_SIZE + 1
    return {
        "clients page (accountant)": lambda: clients.list_clients(actor=accountant),
        "clients page (admin, all)": lambda: clients.list_clients(actor=admin),
        "inbox open, mine": lambda: conversations.inbox(actor=accountant, limit=first),
        "inbox open, all clients": lambda: conversations.inbox(actor=admin, mine=False, limit=first),
        "client conversations": lambda: conversations.list_for_client(actor=contact, limit=first),
        "bookings first page": lambda: bookings.list_bookings(actor=accountant, account_id=big_account),
        "client home open items": lambda: talks.open_items(actor=contact, limit=first),
        "client home accounts": lambda: portal_home.home(actor=contact),
    }


def main() -> int:
    """Seed, time and print the result."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--clients", type=int, default=10_000)
    parser.add_argument("--messages", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=50)
    parser.add_argument("--warmup", type=int, default=5)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()

    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from tests.pg import temporary_database

    with temporary_database() as url:
        os.environ.update({"DATABASE_URL": url, "DATA_DIR": tempfile.mkdtemp(prefix="portal-bench-lists-"),
                           "DEMO_DATA": "0"})
        from portal.domain.actor import Actor
        from portal.domain.enums import Role, SubjectKind
        from portal.services import db

        db.upgrade()
        began = time.perf_counter()
        counts = _seed(url, clients=args.clients, messages=args.messages, rng=random.Random(9))
        seconds = round(time.perf_counter() - began, 1)
        accountant_id = 2 + 1 % STAFF  # works account 1, the benchmark contact's first
        calls = _lists(
            admin=Actor(kind=SubjectKind.STAFF, id=1, name="Katrin Berger", email="admin@bench.test", role=Role.ADMIN),
            accountant=Actor(kind=SubjectKind.STAFF, id=accountant_id, name="Anna", email="a@bench.test",
                             role=Role.ACCOUNTANT),
            contact=Actor(kind=SubjectKind.CONTACT, id=1, name="Maria", email="contact1@bench.test"),
            big_account=1)
        timings = {}
        for name, call in calls.items():
            for _ in range(args.warmup):
                call()
            samples = []
            for _ in range(args.runs):
                began = time.perf_counter()
                call()
                samples.append(time.perf_counter() - began)
            timings[name] = percentiles(samples)
        engine = db.get_engine()
        with engine.connect() as conn:
            version = conn.exec_driver_sql("SHOW server_version").scalar()
        engine.dispose()

    result = {"database": f"PostgreSQL {version}", "rows": counts, "seed_seconds": seconds, "runs": args.runs,
              "lists": timings}
    if args.json:
        print(json.dumps(result))
    else:
        print(f"{result['database']}, seeded in {seconds} s: "
              + ", ".join(f"{n:,} {t}" for t, n in counts.items()))
        print(f"{'list (first page)':<28}{'p50 ms':>10}{'p90 ms':>10}{'p99 ms':>10}   (n={args.runs})")
        for name, row in timings.items():
            print(f"{name:<28}{row['p50_ms']:>10}{row['p90_ms']:>10}{row['p99_ms']:>10}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
