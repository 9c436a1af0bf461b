"""Demo data: a small firm with staff, clients, contacts and bookings to try the portal.

Only seeded into an empty database, and only when DEMO_DATA is on (the default in
development). The passwords are public, so a demo database must never face the
internet.
"""

import datetime as dt
import random
from dataclasses import dataclass

from sqlalchemy import delete, func
from sqlmodel import SQLModel, select

from portal.domain.clock import utcnow
from portal.domain.enums import AccountKind, AccountStatus, Ledger, Role
from portal.models import (
    AccountContact,
    Assignment,
    Booking,
    ClientAccount,
    Contact,
    Firm,
    StaffUser,
)
from portal.services import db
from portal.services.auth import hash_password
from portal.services.clients import refresh_status

DEMO_PASSWORD = "demo-portal-2026"
FIRM_NAME = "Steuerkanzlei Berger & Partner"


@dataclass(frozen=True)
class DemoLogin:
    """A login printed at start so people can try the portal."""

    role: str
    name: str
    email: str
    password: str = DEMO_PASSWORD


_STAFF = [
    ("admin@kanzlei-berger.demo", "Katrin Berger", Role.ADMIN),
    ("anna.schmidt@kanzlei-berger.demo", "Anna Schmidt", Role.ACCOUNTANT),
    ("jonas.weber@kanzlei-berger.demo", "Jonas Weber", Role.ACCOUNTANT),
]

# name, kind, company, self sign-up, accountants (indexes into _STAFF), contacts
# contact: first, last, email, portal state, full_access. Portal state: "active" (can log in),
# "invited" (invitation out, not activated), "new" (LOGIN on, not invited yet), "none" (no LOGIN).
# The account's status follows from its contacts, as it does for real accounts.
_CLIENTS = [
    ("Bäckerei Hofmann GmbH", AccountKind.COMPANY, "Bäckerei Hofmann GmbH", False, [1],
     [("Maria", "Hofmann", "maria@baeckerei-hofmann.demo", "active", True),
      ("Thomas", "Hofmann", "thomas@baeckerei-hofmann.demo", "active", False)]),
    ("Müller Elektrotechnik KG", AccountKind.COMPANY, "Müller Elektrotechnik KG", False, [1],
     [("Stefan", "Müller", "stefan@mueller-elektro.demo", "active", True)]),
    ("Dr. Julia Keller", AccountKind.INDIVIDUAL, "", False, [1, 2],
     [("Julia", "Keller", "julia.keller@praxis-keller.demo", "active", True)]),
    ("Café Sonnenschein UG", AccountKind.COMPANY, "Café Sonnenschein UG (haftungsbeschränkt)", False, [2],
     [("Leyla", "Yilmaz", "leyla@cafe-sonnenschein.demo", "new", True)]),
    ("Peter Schneider", AccountKind.INDIVIDUAL, "", False, [2],
     [("Peter", "Schneider", "peter.schneider@mail.demo", "invited", True)]),
    ("Weingut Brandl", AccountKind.COMPANY, "Weingut Brandl GbR", True, [],
     [("Sophie", "Brandl", "sophie@weingut-brandl.demo", "new", True)]),
]

_SUPPLIERS = [("Metro Großhandel", "Wareneinkauf"), ("Telekom Deutschland GmbH", "Mobilfunk Rechnung"),
              ("Stadtwerke München", "Strom Abschlag"), ("Amazon Business EU", "Büromaterial"),
              ("Bauhaus", "Werkzeug"), ("Lufthansa", "Flug Messe Frankfurt"),
              ("Hotel Adler", "Übernachtung Kundentermin"), ("Adobe Ireland", "Software-Abo")]
_CUSTOMERS = [("Gasthaus zur Post", "Ausgangsrechnung"), ("Schulze Immobilien", "Ausgangsrechnung"),
              ("Privatpatient", "Honorar")]
_BANK = [("Sparkasse", "Kontoführungsgebühr"), ("Finanzamt München", "Umsatzsteuer-Vorauszahlung"),
         ("AOK Bayern", "Sozialversicherung"), ("PayPal Europe", "Zahlungseingang")]


def demo_logins() -> list[DemoLogin]:
    """The demo users that can log in (staff and contacts with portal login)."""
    logins = [DemoLogin(role=role.value, name=name, email=email) for email, name, role in _STAFF]
    for account_name, *_, contacts in _CLIENTS:
        for first, last, email, state, _full in contacts:
            if state == "active":
                logins.append(DemoLogin(role=f"client ({account_name})", name=f"{first} {last}", email=email))
    return logins


def is_empty() -> bool:
    """Whether the database holds no firm and no staff yet."""
    with db.session() as s:
        return not s.exec(select(func.count()).select_from(StaffUser)).one() and s.exec(select(Firm)).first() is None


def has_demo_data() -> bool:
    """Whether the demo admin exists (so the printed logins work)."""
    with db.session() as s:
        return s.exec(select(StaffUser).where(StaffUser.email == _STAFF[0][0])).first() is not None


def _bookings(rng: random.Random, account_id: int, today: dt.date) -> list[Booking]:
    rows = []
    for _ in range(rng.randint(7, 11)):
        ledger = rng.choice([Ledger.SUPPLIERS, Ledger.SUPPLIERS, Ledger.CUSTOMERS, Ledger.BANK])
        pool = {Ledger.SUPPLIERS: _SUPPLIERS, Ledger.CUSTOMERS: _CUSTOMERS, Ledger.BANK: _BANK}[ledger]
        counterparty, text = rng.choice(pool)
        cents = rng.randint(1_500, 480_000)
        amount = cents if ledger == Ledger.CUSTOMERS or counterparty == "PayPal Europe" else -cents
        rows.append(Booking(
            account_id=account_id, ledger=ledger, date=today - dt.timedelta(days=rng.randint(1, 75)),
            amount_cents=amount, counterparty=counterparty,
            text=f"{text} {rng.randint(1000, 9999)}",
            receipt_missing=ledger != Ledger.CUSTOMERS and rng.random() < 0.4))
    return rows


def seed() -> list[DemoLogin]:
    """Write the demo firm into the database.

    Returns:
        The logins to print.
    """
    rng = random.Random(2026)
    today = utcnow().date()
    password_hash = hash_password(DEMO_PASSWORD)
    with db.session() as s:
        s.add(Firm(name=FIRM_NAME, datev_consultant_number=29098))
        staff = [StaffUser(email=email, name=name, role=role, password_hash=password_hash,
                           sender_name=name) for email, name, role in _STAFF]
        s.add_all(staff)
        s.flush()
        for number, (name, kind, company, signup, accountants, contacts) in enumerate(_CLIENTS, start=10001):
            account = ClientAccount(kind=kind, name=name, company_name=company, status=AccountStatus.ONBOARDING,
                                    self_signup=signup, tags=["Demo"], datev_client_number=number)
            s.add(account)
            s.flush()
            s.add_all(Assignment(staff_id=staff[i].id, account_id=account.id) for i in accountants)
            for first, last, email, state, full in contacts:
                active = state == "active"
                contact = Contact(first_name=first, last_name=last, email=email,
                                  password_hash=password_hash if active else None,
                                  activated_at=utcnow() if active else None,
                                  invited_at=utcnow() - dt.timedelta(days=3) if state == "invited" else None)
                s.add(contact)
                s.flush()
                s.add(AccountContact(account_id=account.id, contact_id=contact.id, login=state != "none",
                                     notify=True, full_access=full))
            s.flush()
            refresh_status(s, account)
            s.add_all(_bookings(rng, account.id, today))
        s.commit()
    return demo_logins()


def wipe() -> None:
    """Delete every row of every table (children first). Development only."""
    with db.session() as s:
        for table in reversed(SQLModel.metadata.sorted_tables):
            s.exec(delete(table))
        s.commit()
