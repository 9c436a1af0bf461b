"""Client accounts as the staff see them: the clients page, creating and editing accounts,
their contacts and the accountants assigned to them."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy import exists, func, or_
from sqlmodel import Session, col, select

from portal import realtime
from portal.domain import clients as rules
from portal.domain.actor import Actor
from portal.domain.addresses import clean_address
from portal.domain.audit import Action, access_changes
from portal.domain.clock import utcnow
from portal.domain.enums import (
    AccountKind,
    AccountStatus,
    ClientTab,
    CustomFieldKind,
    CustomFieldTarget,
    Role,
    SubjectKind,
    ThreadKind,
    ThreadStatus,
)
from portal.domain.errors import UserError
from portal.models import (
    AccountContact,
    Assignment,
    Booking,
    ClientAccount,
    Contact,
    CustomField,
    FolderTemplate,
    StaffUser,
    Thread,
)
from portal.services import audit, auth, db, folders
from portal.services.access import AccessDenied, NotFound, require_staff, staff_account

PAGE_SIZE = 25
MAX_PAGE_SIZE = 100
MAX_QUERY_CHARS = 100
# Threads counted as "open talks" on the clients page: what the client and the firm discuss.
TALK_KINDS = (ThreadKind.BOOKING_TALK, ThreadKind.CONVERSATION)


class ClientError(UserError):
    """Refused client or contact input; ``key`` and ``params`` make the message."""


class DuplicateEmail(ClientError):
    """A new contact's address belongs to an existing contact, who may be linked instead."""

    def __init__(self, contact: Contact) -> None:
        name = f"{contact.first_name} {contact.last_name}".strip() or (contact.email or "")
        super().__init__("clients.error.email_taken", name=name, email=contact.email or "")
        self.contact_id = contact.id
        self.contact_name = name


# The clients page


@dataclass(frozen=True)
class ClientSummary:
    """One row of the staff clients list."""

    id: int
    public_id: str
    name: str
    kind: str
    status: str
    self_signup: bool
    contacts: int
    open_talks: int
    missing_receipts: int
    accountants: tuple[str, ...]


@dataclass(frozen=True)
class ClientPage:
    """One page of a tab of the clients page, and which tabs there are."""

    tab: ClientTab
    rows: tuple[ClientSummary, ...]
    total: int
    page: int
    pages: int
    tabs: tuple[ClientTab, ...]
    counts: dict[str, int] = field(default_factory=dict)


def visible_tabs(*, is_admin: bool, counts: dict[str, int]) -> tuple[ClientTab, ...]:
    """The tabs shown: admins Invitations, Onboarding, My clients, All; accountants Onboarding
    and My clients. Empty tabs are hidden, except the one a user always lands on (All for
    admins, My clients for accountants)."""
    offered = (ClientTab.INVITATIONS, ClientTab.ONBOARDING, ClientTab.MINE, ClientTab.ALL) if is_admin \
        else (ClientTab.ONBOARDING, ClientTab.MINE)
    home = ClientTab.ALL if is_admin else ClientTab.MINE
    return tuple(tab for tab in offered if tab == home or counts.get(tab, 0) > 0)


def _scope(actor: Actor, tab: ClientTab):
    """The WHERE clauses of a tab for this user."""
    assigned = exists().where(Assignment.account_id == ClientAccount.id, Assignment.staff_id == actor.id)
    clauses = [ClientAccount.kind != AccountKind.GUEST]
    if tab == ClientTab.MINE or not actor.is_admin:
        clauses.append(assigned)
    if tab == ClientTab.INVITATIONS:
        clauses.append(ClientAccount.status == AccountStatus.INVITED)
    elif tab == ClientTab.ONBOARDING:
        clauses.append(ClientAccount.status == AccountStatus.ONBOARDING)
    return clauses


def _missing_receipts_exist():
    return exists().where(Booking.account_id == ClientAccount.id, Booking.receipt_missing == True,  # noqa: E712
                          col(Booking.exported_at).is_(None))


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def list_clients(*, actor: Actor, tab: ClientTab | str | None = None, query: str = "", missing_only: bool = False,
                 descending: bool = False, page: int = 1, page_size: int = PAGE_SIZE) -> ClientPage:
    """A page of the clients page: the clients of a tab, searched, filtered and sorted by name.

    Args:
        actor: A staff user; accountants only ever see their assigned clients.
        tab: The tab; a tab the user does not have falls back to their home tab.
        query: Part of the client's name (case-insensitive).
        missing_only: Only clients with receipts still missing.
        descending: Sort by name Z to A.
        page: 1-based page number (clamped to the last page).
        page_size: Rows per page (at most :data:`MAX_PAGE_SIZE`).

    Returns:
        The rows with their counts, fetched in grouped queries for the page only.

    Raises:
        AccessDenied: If the actor is not staff.
    """
    require_staff(actor)
    page_size = max(1, min(page_size, MAX_PAGE_SIZE))
    needle = " ".join(query.split())[:MAX_QUERY_CHARS].lower()
    with db.session() as s:
        # Invitations lists contacts waiting to activate, not accounts.
        counts = {t.value: _count(s, _scope(actor, t)) for t in ClientTab
                  if t != ClientTab.INVITATIONS and (actor.is_admin or t in (ClientTab.ONBOARDING, ClientTab.MINE))}
        counts[ClientTab.INVITATIONS.value] = _pending_count(s, actor) if actor.is_admin else 0
        tabs = visible_tabs(is_admin=actor.is_admin, counts=counts)
        chosen = _chosen_tab(tab, tabs, actor, counts)
        clauses = _scope(actor, chosen)
        if needle:
            clauses.append(func.lower(ClientAccount.name).like(f"%{_escape_like(needle)}%", escape="\\"))
        if missing_only:
            clauses.append(_missing_receipts_exist())
        total = _count(s, clauses)
        pages = max(1, math.ceil(total / page_size))
        page = max(1, min(page, pages))
        order = func.lower(ClientAccount.name)
        accounts = s.exec(
            select(ClientAccount).where(*clauses)
            .order_by(order.desc() if descending else order, ClientAccount.id.desc() if descending else ClientAccount.id)
            .offset((page - 1) * page_size).limit(page_size)
        ).all()
        rows = _summaries(s, accounts)
    return ClientPage(tab=chosen, rows=tuple(rows), total=total, page=page, pages=pages, tabs=tabs, counts=counts)


def _chosen_tab(tab: ClientTab | str | None, tabs: tuple[ClientTab, ...], actor: Actor,
                counts: dict[str, int]) -> ClientTab:
    try:
        wanted = ClientTab(tab) if tab else None
    except ValueError:
        wanted = None
    if wanted in tabs:
        return wanted
    # Admins who work clients themselves land on them; everyone else on their home tab.
    if actor.is_admin and counts.get(ClientTab.MINE, 0) == 0:
        return ClientTab.ALL
    return ClientTab.MINE


def _count(s: Session, clauses) -> int:
    return s.exec(select(func.count()).select_from(ClientAccount).where(*clauses)).one()


def _pending_count(s: Session, actor: Actor) -> int:
    return s.exec(select(func.count()).select_from(Contact).where(*_pending_clauses(actor))).one()


def _pending_clauses(actor: Actor):
    login_link = exists().where(AccountContact.contact_id == Contact.id, AccountContact.login == True)  # noqa: E712
    return [col(Contact.invited_at).is_not(None), col(Contact.activated_at).is_(None), login_link]


def _summaries(s: Session, accounts: Sequence[ClientAccount]) -> list[ClientSummary]:
    ids = [a.id for a in accounts]
    if not ids:
        return []
    contacts = dict(s.exec(
        select(AccountContact.account_id, func.count()).where(col(AccountContact.account_id).in_(ids))
        .group_by(AccountContact.account_id)).all())
    missing = dict(s.exec(
        select(Booking.account_id, func.count())
        .where(col(Booking.account_id).in_(ids), Booking.receipt_missing == True,  # noqa: E712
               col(Booking.exported_at).is_(None))
        .group_by(Booking.account_id)).all())
    talks = dict(s.exec(
        select(Thread.account_id, func.count())
        .where(col(Thread.account_id).in_(ids), Thread.status == ThreadStatus.OPEN, col(Thread.kind).in_(TALK_KINDS))
        .group_by(Thread.account_id)).all())
    staff_names: dict[int, list[str]] = {}
    for account_id, name in s.exec(
        select(Assignment.account_id, StaffUser.name).join(StaffUser, StaffUser.id == Assignment.staff_id)
        .where(col(Assignment.account_id).in_(ids)).order_by(StaffUser.name)).all():
        staff_names.setdefault(account_id, []).append(name)
    return [
        ClientSummary(id=a.id, public_id=a.public_id, name=a.name, kind=a.kind, status=a.status,
                      self_signup=a.self_signup, contacts=contacts.get(a.id, 0), open_talks=talks.get(a.id, 0),
                      missing_receipts=missing.get(a.id, 0), accountants=tuple(staff_names.get(a.id, ())))
        for a in accounts
    ]


@dataclass(frozen=True)
class PendingContact:
    """A contact invited to the portal who has not activated yet."""

    contact_id: int
    name: str
    email: str
    invited_at: object
    accounts: tuple[tuple[int, str, str], ...]  # (account id, public id, name)


def pending_activations(*, actor: Actor, query: str = "", page: int = 1,
                        page_size: int = PAGE_SIZE) -> tuple[list[PendingContact], int, int]:
    """The "pending activation" list (admins): invited contacts who have not set a password.

    Returns:
        The contacts of the page (longest waiting first), the total and the page count.

    Raises:
        AccessDenied: If the actor is not an admin.
    """
    require_admin(actor)
    needle = " ".join(query.split())[:MAX_QUERY_CHARS].lower()
    with db.session() as s:
        clauses = _pending_clauses(actor)
        if needle:
            like = f"%{_escape_like(needle)}%"
            clauses.append(or_(
                func.lower(Contact.first_name + " " + Contact.last_name).like(like, escape="\\"),
                func.lower(Contact.email).like(like, escape="\\"),
            ))
        total = s.exec(select(func.count()).select_from(Contact).where(*clauses)).one()
        pages = max(1, math.ceil(total / page_size))
        page = max(1, min(page, pages))
        contacts = s.exec(select(Contact).where(*clauses).order_by(Contact.invited_at, Contact.id)
                          .offset((page - 1) * page_size).limit(page_size)).all()
        links: dict[int, list[tuple[int, str, str]]] = {}
        if contacts:
            for contact_id, account_id, public_id, name in s.exec(
                select(AccountContact.contact_id, ClientAccount.id, ClientAccount.public_id, ClientAccount.name)
                .join(ClientAccount, ClientAccount.id == AccountContact.account_id)
                .where(col(AccountContact.contact_id).in_([c.id for c in contacts]), AccountContact.login == True)  # noqa: E712
                .order_by(ClientAccount.name)).all():
                links.setdefault(contact_id, []).append((account_id, public_id, name))
        rows = [PendingContact(contact_id=c.id, name=_person_name(c), email=c.email or "", invited_at=c.invited_at,
                               accounts=tuple(links.get(c.id, ()))) for c in contacts]
    return rows, total, pages


# Creating and editing accounts


@dataclass(frozen=True)
class AccountDraft:
    """What the "new client" and "edit client" forms send."""

    kind: str
    name: str = ""
    company_name: str = ""
    address: str = ""
    tags: str = ""
    folder_template_id: int | None = None
    custom: dict[int, str] = field(default_factory=dict)


@dataclass(frozen=True)
class ContactDraft:
    """A contact to create, or an existing one (``existing_id``) to link, with its toggles."""

    existing_id: int | None = None
    first_name: str = ""
    last_name: str = ""
    email: str = ""
    phone: str = ""
    address: str = ""
    tags: str = ""
    custom: dict[int, str] = field(default_factory=dict)
    login: bool = True
    notify: bool = True
    sync: bool = False
    full_access: bool = True


@dataclass(frozen=True)
class CreatedAccount:
    """A new account and the contacts that may be invited to the portal now."""

    id: int
    public_id: str
    name: str
    invitable: tuple[int, ...]


def require_admin(actor: Actor) -> None:
    """Refuse anyone who is not an admin of the firm."""
    require_staff(actor)
    if not actor.is_admin:
        raise AccessDenied("admins only")


def field_specs(s: Session, target: CustomFieldTarget) -> list[rules.FieldSpec]:
    """The firm's custom fields for accounts or contacts, in their order.

    Read once per session: an import checks thousands of accounts and contacts in one, and
    the fields are only changed in sessions of their own.
    """
    cache = s.info.setdefault("field_specs", {})
    if target not in cache:
        cache[target] = [
            rules.FieldSpec(id=f.id, label=f.label, kind=CustomFieldKind(f.kind), options=tuple(f.options))
            for f in s.exec(select(CustomField).where(CustomField.target == target)
                            .order_by(CustomField.position, CustomField.id)).all()]
    return cache[target]


def _person_name(contact: Contact) -> str:
    return f"{contact.first_name} {contact.last_name}".strip() or (contact.email or "")


def _account_fields(s: Session, draft: AccountDraft, first: ContactDraft | None) -> dict:
    try:
        kind = AccountKind(draft.kind)
    except ValueError:
        raise ClientError("clients.error.kind") from None
    if kind == AccountKind.GUEST:
        raise ClientError("clients.error.kind")
    company = rules.clean_text(draft.company_name, rules.MAX_NAME_CHARS) if kind == AccountKind.COMPANY else ""
    if company:
        rules.check_name_chars(company)
    first_name = last_name = ""
    if first is not None:
        if first.existing_id:
            existing = s.get(Contact, first.existing_id)
            if existing is not None:
                first_name, last_name = existing.first_name, existing.last_name
        else:
            first_name, last_name = first.first_name, first.last_name
    name = rules.account_name(draft.name, kind=kind, company_name=company, first_name=first_name, last_name=last_name)
    template_id = draft.folder_template_id or None
    if template_id is not None and s.get(FolderTemplate, template_id) is None:
        raise ClientError("clients.error.template")
    return {
        "kind": kind, "name": name, "company_name": company,
        "address": rules.clean_text(draft.address, 500) if kind == AccountKind.COMPANY else "",
        "tags": rules.clean_tags(draft.tags), "folder_template_id": template_id,
        "custom_fields": rules.custom_values(field_specs(s, CustomFieldTarget.ACCOUNT), draft.custom),
    }


def _workable_contact(actor: Actor):
    """A WHERE clause: the contact is on a client the (non-admin) staff actor works."""
    return exists().where(AccountContact.contact_id == Contact.id,
                          AccountContact.account_id == Assignment.account_id, Assignment.staff_id == actor.id)


def may_link_contact(s: Session, actor: Actor, contact_id: int) -> bool:
    """Whether the staff actor may link this existing contact to a client (and so see and
    write to them): admins any; accountants only people already on a client they work,
    the ones :func:`find_contacts` offers them. Neither a typed address nor an id sent by
    the browser opens another accountant's client's contact."""
    if actor.is_admin:
        return True
    return s.exec(select(Contact.id).where(Contact.id == contact_id, _workable_contact(actor))).first() is not None


def _contact_fields(s: Session, draft: ContactDraft, *, actor: Actor, skip_id: int | None = None) -> dict:
    first = rules.clean_text(draft.first_name, rules.MAX_PERSON_NAME_CHARS)
    last = rules.clean_text(draft.last_name, rules.MAX_PERSON_NAME_CHARS)
    if not first and not last:
        raise ClientError("clients.error.contact_name")
    email = None
    if draft.email.strip():
        email = clean_address(draft.email)
        if email is None:
            raise ClientError("clients.error.email_invalid", email=draft.email.strip()[:100])
        email = email.lower()
        existing = s.exec(select(Contact).where(Contact.email == email)).first()
        if existing is not None and existing.id != skip_id:
            if not may_link_contact(s, actor, existing.id):
                # The address is taken (it must stay unique), but whose it is stays unsaid.
                raise ClientError("clients.error.email_elsewhere", email=email)
            raise DuplicateEmail(existing)
        if s.exec(select(StaffUser.id).where(StaffUser.email == email)).first() is not None:
            raise ClientError("clients.error.email_staff")
    return {
        "first_name": first, "last_name": last, "email": email,
        "phone": rules.clean_text(draft.phone, 50), "address": rules.clean_text(draft.address, 500),
        "tags": rules.clean_tags(draft.tags),
        "custom_fields": rules.custom_values(field_specs(s, CustomFieldTarget.CONTACT), draft.custom),
    }


def link_contact(s: Session, actor: Actor, account: ClientAccount, draft: ContactDraft) -> Contact:
    """Create or find the draft's contact and link it to ``account`` (caller commits).

    Raises:
        ClientError: Also ``clients.error.contact_elsewhere`` for an existing contact the
            actor may not link (:func:`may_link_contact`).
        NotFound: An existing contact that does not exist.
    """
    if account.kind == AccountKind.GUEST:
        raise ClientError("clients.error.guest_contacts")
    if draft.existing_id:
        contact = s.get(Contact, draft.existing_id)
        if contact is None:
            raise NotFound("contact")
        if not may_link_contact(s, actor, contact.id):
            raise ClientError("clients.error.contact_elsewhere")
        if contact.erased_at is not None:
            raise ClientError("clients.error.erased")
    else:
        contact = Contact(**_contact_fields(s, draft, actor=actor))
        s.add(contact)
        s.flush()
    if s.get(AccountContact, (account.id, contact.id)) is not None:
        raise ClientError("clients.error.already_linked", name=_person_name(contact))
    if draft.login and not contact.email:
        raise ClientError("clients.error.login_needs_email", name=_person_name(contact))
    s.add(AccountContact(account_id=account.id, contact_id=contact.id, login=draft.login, notify=draft.notify,
                         sync=draft.sync, full_access=draft.full_access))
    return contact


def draft_flags(draft: ContactDraft) -> dict[str, bool]:
    """A new link's switches, as the audit trail records them."""
    return {"login": draft.login, "full_access": draft.full_access, "notify": draft.notify, "sync": draft.sync}


def _invitable(s: Session, account_id: int) -> tuple[int, ...]:
    """Contacts with portal login on the account who have not activated yet."""
    return tuple(s.exec(
        select(Contact.id).join(AccountContact, AccountContact.contact_id == Contact.id)
        .where(AccountContact.account_id == account_id, AccountContact.login == True,  # noqa: E712
               col(Contact.activated_at).is_(None), col(Contact.email).is_not(None))
        .order_by(Contact.id)).all())


def refresh_status(s: Session, account: ClientAccount) -> None:
    """Derive the onboarding status from the contacts (caller commits).

    Active once a portal user has activated, or when nobody is to use the portal;
    invited while invitations are out; onboarding while portal users wait for one.
    """
    rows = s.exec(
        select(Contact.activated_at, Contact.invited_at).join(AccountContact, AccountContact.contact_id == Contact.id)
        .where(AccountContact.account_id == account.id, AccountContact.login == True)).all()  # noqa: E712
    if account.kind == AccountKind.GUEST:
        status = AccountStatus.ACTIVE
    elif not rows:
        # A self sign-up waits for the firm even before its contact gets portal access.
        status = AccountStatus.ONBOARDING if account.self_signup and account.status == AccountStatus.ONBOARDING \
            else AccountStatus.ACTIVE
    elif any(activated for activated, _ in rows):
        status = AccountStatus.ACTIVE
    elif any(invited for _, invited in rows):
        status = AccountStatus.INVITED
    else:
        status = AccountStatus.ONBOARDING
    if account.status != status:
        account.status = status
        s.add(account)


def add_account(s: Session, actor: Actor, draft: AccountDraft, *, first: ContactDraft | None,
                accountant_ids: Sequence[int] = ()) -> ClientAccount:
    """Write a new account and its assignments (caller links contacts, then :func:`finish_account`).

    The creating accountant is assigned; admins choose the accountants (none chosen: an
    admin who is also an accountant takes it).

    Raises:
        ClientError: Bad account data.
    """
    account = ClientAccount(**_account_fields(s, draft, first))
    s.add(account)
    s.flush()
    staff_ids = set(_valid_staff(s, accountant_ids)) if actor.is_admin else set()
    if not actor.is_admin or not staff_ids and actor.role == Role.ACCOUNTANT:
        staff_ids.add(actor.id)
    for staff_id in sorted(staff_ids):
        s.add(Assignment(staff_id=staff_id, account_id=account.id))
    return account


def finish_account(s: Session, account: ClientAccount) -> None:
    """Derive the new account's status from its contacts and make its folders (caller commits)."""
    s.flush()
    refresh_status(s, account)
    folders.ensure_folders(s, account)


def create_account(*, actor: Actor, draft: AccountDraft, contacts: Sequence[ContactDraft],
                   accountant_ids: Sequence[int] = ()) -> CreatedAccount:
    """Create a client account with at least one contact (new or linked).

    The creating accountant is assigned; admins choose the accountants. The account's
    folders are made from its folder template.

    Raises:
        ClientError: Bad input (names, email, custom fields); :class:`DuplicateEmail`
            when a new contact's address already belongs to a contact.
        AccessDenied: If the actor is not staff.
    """
    require_staff(actor)
    if not contacts:
        raise ClientError("clients.error.no_contact")
    with db.session() as s:
        account = add_account(s, actor, draft, first=contacts[0], accountant_ids=accountant_ids)
        for contact in contacts:
            linked = link_contact(s, actor, account, contact)
            audit.record_contact(s, actor=actor, action=Action.CONTACT_ADDED, account_id=account.id, contact=linked,
                                 detail={"flags": draft_flags(contact)})
        finish_account(s, account)
        s.commit()
        created = CreatedAccount(id=account.id, public_id=account.public_id, name=account.name,
                                 invitable=_invitable(s, account.id))
    realtime.publish({realtime.STAFF_CLIENTS_ROOM})
    return created


def update_account(*, actor: Actor, account_id: int, draft: AccountDraft) -> None:
    """Change an account's name, company data, tags, folder template and custom fields.

    Raises:
        ClientError: Bad input.
        NotFound: If the actor does not work this account.
    """
    with db.session() as s:
        account = staff_account(s, actor, account_id)
        if account.kind == AccountKind.GUEST:
            raise ClientError("clients.error.kind")
        first = s.exec(select(AccountContact).where(AccountContact.account_id == account.id)
                       .order_by(AccountContact.contact_id)).first()
        values = _account_fields(s, draft, ContactDraft(existing_id=first.contact_id) if first else None)
        for key, value in values.items():
            setattr(account, key, value)
        s.add(account)
        s.commit()
    realtime.publish({realtime.STAFF_CLIENTS_ROOM, realtime.account_room(account_id)})


# Details of one account


@dataclass(frozen=True)
class ContactView:
    """A contact as the account's details show it, with the link's toggles."""

    id: int
    first_name: str
    last_name: str
    name: str
    email: str
    phone: str
    address: str
    tags: tuple[str, ...]
    custom: dict[str, str]
    login: bool
    notify: bool
    sync: bool
    full_access: bool
    activated: bool
    invited_at: object
    other_accounts: int
    # Personal data erased (Art. 17 DSGVO): shown as "Gelöschter Kontakt", nothing to edit.
    erased: bool = False


@dataclass(frozen=True)
class FieldView:
    """A custom field definition and, on details, its value as text."""

    id: int
    label: str
    kind: str
    options: tuple[str, ...]


@dataclass(frozen=True)
class AccountDetails:
    """Everything the client's "Info" tab shows."""

    id: int
    public_id: str
    kind: str
    name: str
    company_name: str
    address: str
    status: str
    self_signup: bool
    tags: tuple[str, ...]
    folder_template_id: int | None
    custom: dict[str, str]
    contacts: tuple[ContactView, ...]
    accountants: tuple[tuple[int, str], ...]
    account_fields: tuple[FieldView, ...]
    contact_fields: tuple[FieldView, ...]


def _field_views(s: Session, target: CustomFieldTarget) -> tuple[FieldView, ...]:
    return tuple(FieldView(id=f.id, label=f.label, kind=f.kind, options=f.options) for f in field_specs(s, target))


def _as_text(values: dict) -> dict[str, str]:
    return {str(k): str(v) for k, v in (values or {}).items()}


def account_details(*, actor: Actor, account_id: int) -> AccountDetails:
    """The account with its contacts, toggles, accountants and custom fields.

    Raises:
        NotFound: If the actor does not work this account.
    """
    with db.session() as s:
        account = staff_account(s, actor, account_id)
        links = s.exec(select(AccountContact, Contact).join(Contact, Contact.id == AccountContact.contact_id)
                       .where(AccountContact.account_id == account.id)
                       .order_by(Contact.last_name, Contact.first_name, Contact.id)).all()
        others = dict(s.exec(
            select(AccountContact.contact_id, func.count()).where(
                col(AccountContact.contact_id).in_([c.id for _, c in links]), AccountContact.account_id != account.id)
            .group_by(AccountContact.contact_id)).all()) if links else {}
        accountants = s.exec(select(StaffUser.id, StaffUser.name).join(Assignment, Assignment.staff_id == StaffUser.id)
                             .where(Assignment.account_id == account.id).order_by(StaffUser.name)).all()
        return AccountDetails(
            id=account.id, public_id=account.public_id, kind=account.kind, name=account.name,
            company_name=account.company_name, address=account.address, status=account.status,
            self_signup=account.self_signup, tags=tuple(account.tags or ()),
            folder_template_id=account.folder_template_id, custom=_as_text(account.custom_fields),
            contacts=tuple(ContactView(
                id=c.id, first_name=c.first_name, last_name=c.last_name, name=_person_name(c), email=c.email or "",
                phone=c.phone, address=c.address, tags=tuple(c.tags or ()), custom=_as_text(c.custom_fields),
                login=link.login, notify=link.notify, sync=link.sync, full_access=link.full_access,
                activated=c.activated_at is not None, invited_at=c.invited_at, other_accounts=others.get(c.id, 0),
                erased=c.erased_at is not None,
            ) for link, c in links),
            accountants=tuple((i, n) for i, n in accountants),
            account_fields=_field_views(s, CustomFieldTarget.ACCOUNT),
            contact_fields=_field_views(s, CustomFieldTarget.CONTACT),
        )


# Contacts of an account


def add_contact(*, actor: Actor, account_id: int, draft: ContactDraft) -> int:
    """Create a contact on the account, or link an existing one.

    Returns:
        The contact's id.

    Raises:
        ClientError: Bad input, already linked, LOGIN without an email, the guest
            account; :class:`DuplicateEmail` for an address already known.
        NotFound: If the actor does not work this account.
    """
    with db.session() as s:
        account = staff_account(s, actor, account_id)
        contact = link_contact(s, actor, account, draft)
        s.flush()
        audit.record_contact(s, actor=actor, action=Action.CONTACT_ADDED, account_id=account.id, contact=contact,
                             detail={"flags": draft_flags(draft)})
        refresh_status(s, account)
        s.commit()
        contact_id = contact.id
    realtime.publish({realtime.STAFF_CLIENTS_ROOM, realtime.account_room(account_id)})
    return contact_id


def _linked_contact(s: Session, actor: Actor, account_id: int, contact_id: int) -> tuple[ClientAccount, AccountContact]:
    account = staff_account(s, actor, account_id)
    link = s.get(AccountContact, (account.id, contact_id))
    if link is None:
        raise NotFound("contact")
    return account, link


def update_contact(*, actor: Actor, account_id: int, contact_id: int, draft: ContactDraft) -> None:
    """Change a contact's data, seen through one of its accounts the actor works.

    Raises:
        ClientError: Bad input; :class:`DuplicateEmail` for an address of another contact.
        NotFound: If the contact is not on an account the actor works.
    """
    with db.session() as s:
        _, _ = _linked_contact(s, actor, account_id, contact_id)
        contact = s.get(Contact, contact_id)
        if contact.erased_at is not None:
            raise ClientError("clients.error.erased")
        values = _contact_fields(s, draft, actor=actor, skip_id=contact_id)
        if values["email"] != contact.email:
            if values["email"] is None and _has_login(s, contact_id):
                raise ClientError("clients.error.login_needs_email", name=_person_name(contact))
            # A new address must be confirmed again: the old activation no longer speaks for it.
            if contact.activated_at is None:
                contact.invited_at = None
        for key, value in values.items():
            setattr(contact, key, value)
        s.add(contact)
        s.commit()
    realtime.publish({realtime.STAFF_CLIENTS_ROOM, realtime.account_room(account_id)})


def _has_login(s: Session, contact_id: int) -> bool:
    return s.exec(select(AccountContact.account_id).where(
        AccountContact.contact_id == contact_id, AccountContact.login == True)).first() is not None  # noqa: E712


def set_link(*, actor: Actor, account_id: int, contact_id: int, login: bool | None = None,
             notify: bool | None = None, sync: bool | None = None, full_access: bool | None = None) -> bool:
    """Switch a contact's LOGIN, NOTIFY, SYNC or full-access toggle on one account.

    Returns:
        Whether the contact may now be invited (LOGIN on and not yet activated).

    Raises:
        ClientError: LOGIN for a contact without email.
        NotFound: If the contact is not on an account the actor works.
    """
    with db.session() as s:
        account, link = _linked_contact(s, actor, account_id, contact_id)
        contact = s.get(Contact, contact_id)
        if login and not contact.email:
            raise ClientError("clients.error.login_needs_email", name=_person_name(contact))
        before = audit.link_flags(link)
        for name, value in (("login", login), ("notify", notify), ("sync", sync), ("full_access", full_access)):
            if value is not None:
                setattr(link, name, bool(value))
        s.add(link)
        s.flush()
        changes = access_changes(before, audit.link_flags(link))
        if changes:
            audit.record_contact(s, actor=actor, action=Action.CONTACT_ACCESS_CHANGED, account_id=account.id,
                                 contact=contact, detail={"changes": changes})
        if login is False:
            _end_sessions_without_login(s, contact_id)
        refresh_status(s, account)
        s.commit()
        invitable = link.login and contact.activated_at is None
    realtime.publish({realtime.STAFF_CLIENTS_ROOM, realtime.account_room(account_id)})
    return invitable


def _end_sessions_without_login(s: Session, contact_id: int) -> None:
    """A contact who lost portal login on every account is logged out everywhere."""
    if not _has_login(s, contact_id):
        auth.revoke_all(s, SubjectKind.CONTACT, contact_id)


def unlink_contact(*, actor: Actor, account_id: int, contact_id: int) -> None:
    """Remove a contact from an account (the contact stays if linked elsewhere).

    Raises:
        ClientError: ``clients.error.last_contact`` for the account's only contact.
        NotFound: If the contact is not on an account the actor works.
    """
    with db.session() as s:
        account, link = _linked_contact(s, actor, account_id, contact_id)
        remaining = s.exec(select(func.count()).select_from(AccountContact)
                           .where(AccountContact.account_id == account.id)).one()
        if remaining <= 1:
            raise ClientError("clients.error.last_contact")
        audit.record_contact(s, actor=actor, action=Action.CONTACT_REMOVED, account_id=account.id,
                             contact=s.get(Contact, contact_id), detail={"flags": audit.link_flags(link)})
        s.delete(link)
        s.flush()
        _end_sessions_without_login(s, contact_id)
        refresh_status(s, account)
        s.commit()
    realtime.publish({realtime.STAFF_CLIENTS_ROOM, realtime.account_room(account_id)})


@dataclass(frozen=True)
class ContactChoice:
    """An existing contact offered for linking."""

    id: int
    name: str
    email: str


def find_contacts(*, actor: Actor, query: str, limit: int = 10) -> list[ContactChoice]:
    """Existing contacts matching a name or email, to link to an account.

    Accountants find contacts of the accounts they work; admins all contacts.

    Raises:
        AccessDenied: If the actor is not staff.
    """
    require_staff(actor)
    needle = " ".join(query.split())[:MAX_QUERY_CHARS].lower()
    if len(needle) < 2:
        return []
    like = f"%{_escape_like(needle)}%"
    with db.session() as s:
        clauses = [or_(func.lower(Contact.first_name + " " + Contact.last_name).like(like, escape="\\"),
                       func.lower(Contact.email).like(like, escape="\\")), col(Contact.erased_at).is_(None)]
        if not actor.is_admin:
            clauses.append(_workable_contact(actor))
        rows = s.exec(select(Contact).where(*clauses).order_by(Contact.last_name, Contact.first_name).limit(limit)).all()
        return [ContactChoice(id=c.id, name=_person_name(c), email=c.email or "") for c in rows]


# Assignments


def _valid_staff(s: Session, staff_ids: Sequence[int]) -> list[int]:
    if not staff_ids:
        return []
    return list(s.exec(select(StaffUser.id).where(col(StaffUser.id).in_(list(staff_ids)))).all())


def staff_choices(*, actor: Actor) -> list[tuple[int, str, str]]:
    """Every staff user (id, name, role), for assigning accountants.

    Raises:
        AccessDenied: If the actor is not staff.
    """
    require_staff(actor)
    with db.session() as s:
        return [(u.id, u.name, u.role) for u in s.exec(select(StaffUser).order_by(StaffUser.name)).all()]


def set_assignments(*, actor: Actor, account_id: int, staff_ids: Sequence[int]) -> None:
    """Replace the accountants assigned to a client (admins only).

    Raises:
        AccessDenied: If the actor is not an admin.
        NotFound: Unknown account.
    """
    require_admin(actor)
    with db.session() as s:
        account = staff_account(s, actor, account_id)
        wanted = set(_valid_staff(s, staff_ids))
        current = {a.staff_id: a for a in s.exec(select(Assignment).where(Assignment.account_id == account.id)).all()}
        for staff_id, row in current.items():
            if staff_id not in wanted:
                s.delete(row)
        for staff_id in wanted - set(current):
            s.add(Assignment(staff_id=staff_id, account_id=account.id))
        s.commit()
        changed = set(current) ^ wanted
    realtime.publish({realtime.STAFF_CLIENTS_ROOM, realtime.account_room(account_id),
                      *(realtime.user_room("staff", i) for i in changed)})


# Firm-defined custom fields


def list_custom_fields(*, actor: Actor) -> tuple[list[FieldView], list[FieldView]]:
    """The custom fields for accounts and for contacts.

    Raises:
        AccessDenied: If the actor is not staff.
    """
    require_staff(actor)
    with db.session() as s:
        return list(_field_views(s, CustomFieldTarget.ACCOUNT)), list(_field_views(s, CustomFieldTarget.CONTACT))


def add_custom_field(*, actor: Actor, target: str, label: str, kind: str, options: str = "") -> int:
    """Define a custom field (admins only).

    Raises:
        ClientError: Empty label or a choice field with fewer than two options.
        AccessDenied: If the actor is not an admin.
    """
    require_admin(actor)
    try:
        target_value, kind_value = CustomFieldTarget(target), CustomFieldKind(kind)
    except ValueError:
        raise ClientError("clients.error.field_kind") from None
    clean_label = rules.clean_text(label, 100)
    if not clean_label:
        raise ClientError("clients.error.field_label")
    choices = rules.clean_options(options) if kind_value == CustomFieldKind.CHOICE else []
    with db.session() as s:
        position = s.exec(select(func.coalesce(func.max(CustomField.position), 0))
                          .where(CustomField.target == target_value)).one() + 1
        row = CustomField(target=target_value, label=clean_label, kind=kind_value, options=choices,
                          position=position, created_at=utcnow())
        s.add(row)
        s.commit()
        return row.id


def delete_custom_field(*, actor: Actor, field_id: int) -> None:
    """Remove a custom field definition; values already stored stay in the records
    but are no longer shown (admins only).

    Raises:
        AccessDenied: If the actor is not an admin.
        NotFound: Unknown field.
    """
    require_admin(actor)
    with db.session() as s:
        row = s.get(CustomField, field_id)
        if row is None:
            raise NotFound("field")
        s.delete(row)
        s.commit()
