"""Moving a firm's client list in: accounts and contacts from CSV, all or nothing.

Every line goes through the same rules as the "+ Neu" dialog (names, forbidden characters,
tags, custom fields, known addresses). Any problem anywhere writes nothing and reports
each line. Addresses already known link the existing contact (one person on several
accounts); an account name that exists already is refused, so importing the same file
twice does not double the clients. Invitations, if asked for, are queued in the same
transaction: a server that dies during an import leaves either no client of the file,
or every client with its invitation on its way, never a part.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from sqlalchemy import func
from sqlmodel import Session, select

from portal import realtime
from portal.domain import clients as rules
from portal.domain.actor import Actor
from portal.domain.audit import Action
from portal.domain.client_import import ClientRow, parse_clients
from portal.domain.csv_text import MAX_PROBLEMS
from portal.domain.enums import CustomFieldTarget
from portal.domain.errors import UserError
from portal.i18n import translate
from portal.models import ClientAccount, Contact, StaffUser
from portal.services import audit, db, onboarding
from portal.services.access import require_staff
from portal.services.clients import (
    AccountDraft,
    ContactDraft,
    add_account,
    draft_flags,
    field_specs,
    finish_account,
    link_contact,
)

Progress = Callable[[str, int, int], None]
"""Called as ``progress(stage, done, total)``; stages ``check``, ``write``, ``invite``."""

# Which column a refusal of the account and contact rules points at.
_KEY_COLUMNS = {
    "clients.error.name_char": "account_name", "clients.error.name_missing": "account_name",
    "clients.error.too_long": "", "clients.error.tags": "tags", "clients.error.contact_name": "last_name",
    "clients.error.email_invalid": "email", "clients.error.email_staff": "email",
    "clients.error.already_linked": "email", "clients.error.login_needs_email": "login",
}


@dataclass(frozen=True)
class ImportProblem:
    """A refused line: the message key and its parameters (``line``, ``column`` and ``value``
    for the file's structure, the rule's own for account and contact rules)."""

    line: int
    column: str
    key: str
    params: dict = field(default_factory=dict)
    names_line: bool = False
    """The message names line and column itself (the file's structure); rule refusals do not."""

    @classmethod
    def of_file(cls, line: int, column: str, key: str, value: str = "") -> ImportProblem:
        """A problem of the file's structure or cells, as the CSV reader reports them."""
        return cls(line, column, key, {"line": line, "column": column, "value": value}, names_line=True)


@dataclass(frozen=True)
class ClientImportReport:
    """What the import wrote (or, with problems, why it wrote nothing)."""

    accounts: int = 0
    contacts: int = 0
    linked: int = 0
    invited: int = 0
    problems: tuple[ImportProblem, ...] = ()


@dataclass
class _Group:
    """The lines of one account."""

    key: str
    rows: list[ClientRow]


def import_clients(*, actor: Actor, data: bytes, invite: bool = False,
                   progress: Progress | None = None) -> ClientImportReport:
    """Read a client list and create all its accounts and contacts, or nothing.

    Args:
        actor: Staff; accountants get the imported clients assigned, admins name the
            accountants in a "Buchhalter" column (emails or names).
        data: The whole file.
        invite: Email portal invitations to the imported contacts with LOGIN.
        progress: See :data:`Progress`.

    Raises:
        AccessDenied: If the actor is not staff.
    """
    require_staff(actor)
    tick = progress or (lambda stage, done, total: None)
    with db.session() as s:
        account_specs = field_specs(s, CustomFieldTarget.ACCOUNT)
        contact_specs = field_specs(s, CustomFieldTarget.CONTACT)
    parsed = parse_clients(data, account_fields=[f.label for f in account_specs],
                           contact_fields=[f.label for f in contact_specs],
                           progress=lambda done, total: tick("check", done, total))
    if parsed.problems:
        return ClientImportReport(problems=tuple(
            ImportProblem.of_file(p.line, p.column, p.message_key, p.value) for p in parsed.problems))
    if not parsed.rows:
        return ClientImportReport(problems=(ImportProblem.of_file(1, "", "import.no_clients"),))
    groups = _groups(parsed.rows)
    labels = {"account": {f.label: f.id for f in account_specs}, "contact": {f.label: f.id for f in contact_specs}}
    with db.session() as s:
        writer = _Writer(s, actor, labels)
        created: list[int] = []
        for done, group in enumerate(groups, start=1):
            account_id = writer.account(group)
            if account_id:
                created.append(account_id)
            if len(writer.problems) > MAX_PROBLEMS:
                break
            tick("write", done, len(groups))
        if writer.problems:
            s.rollback()
            return ClientImportReport(problems=tuple(writer.problems[:MAX_PROBLEMS]))
        invited = _invite(s, actor, created, tick) if invite else 0
        s.commit()
    realtime.publish({realtime.STAFF_CLIENTS_ROOM})
    return ClientImportReport(accounts=len(created), contacts=writer.new_contacts, linked=writer.linked,
                              invited=invited)


def _account_key(row: ClientRow) -> str:
    """Lines with the same (case-folded) account name form one account."""
    try:
        name = rules.account_name(row.account_name, kind=row.kind, company_name=row.company_name,
                                  first_name=row.first_name, last_name=row.last_name)
    except UserError:
        return f"line:{row.line}"  # a line of its own: writing it reports the rule it breaks
    return name.casefold()


def _groups(rows: Sequence[ClientRow]) -> list[_Group]:
    groups: dict[str, _Group] = {}
    for row in rows:
        key = _account_key(row)
        groups.setdefault(key, _Group(key, [])).rows.append(row)
    return list(groups.values())


class _Writer:
    """Writes one account after another into one transaction, collecting line problems."""

    def __init__(self, s: Session, actor: Actor, labels: dict[str, dict[str, int]]) -> None:
        self.s, self.actor, self.labels = s, actor, labels
        self.problems: list[ImportProblem] = []
        self.new_contacts = 0
        self.linked = 0
        staff = s.exec(select(StaffUser)).all()
        # Accountants are named by email or by name; an email wins over a name spelled the same.
        self._staff = {u.name.casefold(): u.id for u in staff} | {(u.email or "").casefold(): u.id for u in staff}
        self._contacts: dict[str, int] = {}

    def _refuse(self, row: ClientRow, err: UserError) -> None:
        field_name = _KEY_COLUMNS.get(err.key, "")
        if field_name == "account_name" and not row.account_name:
            field_name = "company_name"  # the name came from there
        column = row.columns.get(field_name, "")
        self.problems.append(ImportProblem(row.line, column, err.key, dict(err.params)))

    def _accountants(self, row: ClientRow) -> list[int] | None:
        if row.accountants and not self.actor.is_admin:
            self._refuse(row, UserError("import.client.assign_admins"))
            return None
        ids = []
        for name in row.accountants:
            staff_id = self._staff.get(name.casefold())
            if staff_id is None:
                self.problems.append(ImportProblem(row.line, row.columns.get("accountants", ""),
                                                   "import.client.unknown_staff", {"name": name}))
                return None
            ids.append(staff_id)
        return ids

    def _custom(self, values: dict[str, str], target: str) -> dict[int, str]:
        return {self.labels[target][label]: raw for label, raw in values.items()}

    def _contact_draft(self, row: ClientRow) -> ContactDraft:
        email = row.email.strip().lower()
        known = self._contacts.get(email) if email else None
        if email and known is None:
            known = self.s.exec(select(Contact.id).where(Contact.email == email)).first()
            if known is not None:
                self._contacts[email] = known
                self.linked += 1
        toggles = {"login": row.login, "notify": row.notify, "sync": row.sync, "full_access": row.full_access}
        if known is not None:
            return ContactDraft(existing_id=known, **toggles)
        return ContactDraft(first_name=row.first_name, last_name=row.last_name, email=row.email, phone=row.phone,
                            address=row.address, tags=row.contact_tags,
                            custom=self._custom(row.contact_custom, "contact"), **toggles)

    def account(self, group: _Group) -> int | None:
        """Create the group's account with its contacts; None (and problems) when refused."""
        first = group.rows[0]
        contact_rows = [row for row in group.rows if row.has_contact]
        if not contact_rows:
            self._refuse(first, UserError("clients.error.no_contact"))
            return None
        accountants = self._accountants(first)
        if accountants is None:
            return None
        draft = AccountDraft(kind=first.kind, name=first.account_name, company_name=first.company_name,
                             address=first.company_address, tags=first.tags,
                             custom=self._custom(first.account_custom, "account"))
        contacts = [self._contact_draft(row) for row in contact_rows]
        try:
            account = add_account(self.s, self.actor, draft, first=contacts[0], accountant_ids=accountants)
        except UserError as err:
            self._refuse(first, err)
            return None
        if self.s.exec(select(func.count()).select_from(ClientAccount).where(
                func.lower(ClientAccount.name) == account.name.lower(), ClientAccount.id != account.id)).one():
            self._refuse(first, UserError("import.client.exists", name=account.name))
            return None
        account.datev_client_number = first.client_number
        ok = True
        for row, contact in zip(contact_rows, contacts, strict=True):
            try:
                linked = link_contact(self.s, self.actor, account, contact)
            except UserError as err:
                self._refuse(row, err)
                ok = False
                continue
            audit.record_contact(self.s, actor=self.actor, action=Action.CONTACT_ADDED, account_id=account.id,
                                 contact=linked, detail={"flags": draft_flags(contact)})
            if contact.existing_id is None:
                self.new_contacts += 1
                self._contacts[linked.email or f"id:{linked.id}"] = linked.id
        if not ok:
            return None
        finish_account(self.s, account)
        return account.id


def _invite(s: Session, actor: Actor, account_ids: Sequence[int], tick: Progress) -> int:
    """Queue invitations for every imported contact with LOGIN, in the import's transaction;
    an account with nobody to invite is skipped."""
    sent = 0
    for done, account_id in enumerate(account_ids, start=1):
        try:
            sent += onboarding.queue_invitations(s, actor, s.get(ClientAccount, account_id))
        except onboarding.OnboardingError:
            pass  # no contact with LOGIN and email on this account
        tick("invite", done, len(account_ids))
    return sent


def problem_text(locale: str, problem: ImportProblem) -> str:
    """The line report's text; rule refusals get the line prefixed."""
    if problem.names_line:
        return translate(locale, problem.key, **problem.params)
    return translate(locale, "import.client.at_line", line=problem.line) + " " + \
        translate(locale, problem.key, **problem.params)

