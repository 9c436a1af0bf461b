"""Who may see what. Every service asks here before it reads or writes."""

from sqlalchemy import and_, or_
from sqlmodel import Session, select

from portal.domain.actor import Actor
from portal.domain.enums import AccountKind, Audience, Role, SessionScope, ThreadKind
from portal.domain.talks import STAFF_ONLY_THREADS
from portal.models import AccountContact, Assignment, ClientAccount, Message, StaffUser, Thread


class AccessDenied(Exception):
    """The actor may not do this. Services raise it; states show a generic error."""


class NotFound(AccessDenied):
    """The object does not exist, or the actor may not know it exists."""


def require_staff(actor: Actor) -> None:
    """Refuse anyone who is not staff."""
    if not actor.is_staff:
        raise AccessDenied("staff only")


def require_contact(actor: Actor) -> None:
    """Refuse anyone who is not a client contact."""
    if not actor.is_contact:
        raise AccessDenied("contacts only")


def require_full_login(actor: Actor) -> None:
    """Refuse sessions opened by an email link: they reach the talk area only."""
    if actor.scope != SessionScope.FULL:
        raise AccessDenied("password login required")


def staff_account(s: Session, actor: Actor, account_id: int) -> ClientAccount:
    """The account if the staff actor works it: admins all, accountants their assigned ones
    and the firm's guest account (a shared drop box of the whole team, with no client behind it).

    Raises:
        NotFound: Otherwise (also for non-staff).
    """
    require_staff(actor)
    account = s.get(ClientAccount, account_id)
    if account is None:
        raise NotFound("account")
    if not actor.is_admin and account.kind != AccountKind.GUEST and s.get(Assignment, (actor.id, account_id)) is None:
        raise NotFound("account")
    return account


def staff_account_ids(s: Session, actor: Actor, accounts: list[ClientAccount]) -> set[int]:
    """The ids among ``accounts`` the staff actor works: :func:`staff_account` for a whole
    list, with one query for the assignments instead of one per account."""
    require_staff(actor)
    if actor.is_admin:
        return {a.id for a in accounts}
    assigned = set(s.exec(select(Assignment.account_id).where(
        Assignment.staff_id == actor.id, Assignment.account_id.in_([a.id for a in accounts]))).all()) \
        if accounts else set()
    return {a.id for a in accounts if a.kind == AccountKind.GUEST or a.id in assigned}


def responsible_staff(s: Session, account_id: int) -> list[StaffUser]:
    """Who in the firm hears about a client's news: its assigned accountants, else the admins."""
    assigned = s.exec(select(StaffUser).join(Assignment, Assignment.staff_id == StaffUser.id)
                      .where(Assignment.account_id == account_id).order_by(StaffUser.id)).all()
    if assigned:
        return list(assigned)
    return list(s.exec(select(StaffUser).where(StaffUser.role == Role.ADMIN).order_by(StaffUser.id)).all())


def staff_account_by_public_id(s: Session, actor: Actor, public_id: str) -> ClientAccount:
    """Like :func:`staff_account`, looked up by the id used in URLs."""
    require_staff(actor)
    account = s.exec(select(ClientAccount).where(ClientAccount.public_id == public_id)).first()
    if account is None:
        raise NotFound("account")
    return staff_account(s, actor, account.id)


def contact_link(s: Session, actor: Actor, account_id: int) -> AccountContact:
    """The contact's portal link to an account.

    Raises:
        NotFound: If the contact has no portal login for that account.
    """
    require_contact(actor)
    link = s.get(AccountContact, (account_id, actor.id))
    if link is None or not link.login:
        raise NotFound("account")
    return link


def contact_sees_thread(link: AccountContact | None, thread: Thread) -> bool:
    """Whether a contact with this account link may read ``thread``.

    Internal talks and upload arrivals are never visible to clients. A thread for
    everyone needs full access; a private one only its addressee.
    """
    if link is None or not link.login or thread.kind in STAFF_ONLY_THREADS:
        return False
    if thread.audience == Audience.CONTACT:
        return thread.audience_contact_id == link.contact_id
    return link.full_access


def contact_threads(actor: Actor, links: list[AccountContact]):
    """:func:`contact_sees_thread` as a WHERE clause, for lists that page in SQL.

    Args:
        actor: The contact.
        links: The contact's account links with portal login.
    """
    full = [link.account_id for link in links if link.login and link.full_access]
    return and_(
        Thread.account_id.in_([link.account_id for link in links if link.login]),
        Thread.kind.not_in(STAFF_ONLY_THREADS),
        or_(and_(Thread.audience == Audience.CONTACT, Thread.audience_contact_id == actor.id),
            and_(Thread.audience != Audience.CONTACT, Thread.account_id.in_(full))),
    )


def readable_thread(s: Session, actor: Actor, thread_id: int) -> Thread:
    """A thread the actor may read.

    Raises:
        NotFound: If it does not exist or is not the actor's to read.
    """
    thread = s.get(Thread, thread_id)
    if thread is None:
        raise NotFound("thread")
    if actor.scope != SessionScope.FULL and thread.kind != ThreadKind.BOOKING_TALK:
        raise NotFound("thread")  # an email link opens booking talks only
    if actor.is_staff:
        staff_account(s, actor, thread.account_id)
        return thread
    if not contact_sees_thread(s.get(AccountContact, (thread.account_id, actor.id)), thread):
        raise NotFound("thread")
    return thread


def own_message(s: Session, actor: Actor, message_id: int) -> tuple[Message, Thread]:
    """A message the actor wrote, in a thread they may still read.

    Raises:
        NotFound: If it does not exist or is somebody else's.
    """
    message = s.get(Message, message_id)
    if message is None:
        raise NotFound("message")
    thread = readable_thread(s, actor, message.thread_id)
    if message.author_kind != actor.kind or message.author_id != actor.id:
        raise NotFound("message")
    return message, thread
