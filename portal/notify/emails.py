"""One function per email: each renders subject, text and HTML in the recipient's locale.

The wording lives in the ``mail.*`` keys of the i18n catalogs; the Jinja2 templates in
``templates/`` only arrange it, so one template serves every locale.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from portal.i18n import normalize_locale, translate

_env = Environment(
    loader=FileSystemLoader(Path(__file__).parent / "templates"),
    # Context values come from users (names, subjects): escape them in HTML, never in text.
    autoescape=select_autoescape(["html"]),
    # A missing context value must fail at queue time, not produce an email with a gap.
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
    keep_trailing_newline=True,
)


@dataclass(frozen=True)
class Email:
    """A rendered email, ready to send."""

    to: str
    subject: str
    text: str
    html: str


def _render(*, name: str, to: str, locale: str, subject_key: str, **context: Any) -> Email:
    """Render ``name.txt`` and ``name.html`` with ``t()`` bound to ``locale``."""
    locale = normalize_locale(locale)
    t = functools.partial(translate, locale)
    params = {"t": t, "lang": locale, **context}
    return Email(
        to=to,
        subject=t(subject_key, **context),
        text=_env.get_template(f"{name}.txt").render(params),
        html=_env.get_template(f"{name}.html").render(params),
    )


def password_reset(
    *, to: str, locale: str, name: str, firm_name: str, link: str, valid_minutes: int
) -> Email:
    """The link to choose a new password.

    Args:
        to: Recipient address.
        locale: Recipient's locale (``de``, ``en``, ``fr``; others fall back to German).
        name: Recipient's display name; may be empty.
        firm_name: Name of the accounting firm, shown in header, subject and footer.
        link: Absolute URL of the reset page, including the token.
        valid_minutes: How long the link works.

    Returns:
        The rendered email.
    """
    return _render(
        name="password_reset",
        to=to,
        locale=locale,
        subject_key="mail.password_reset.subject",
        recipient_name=name,
        firm_name=firm_name,
        link=link,
        valid_minutes=valid_minutes,
    )


def talk_batch(
    *, to: str, locale: str, name: str, firm_name: str, count: int, items: list[dict[str, str]], link: str,
    documents: int = 0,
) -> Email:
    """The collected notice about new messages from the firm.

    By default it carries no message text: tax data stays in the portal. ``items`` holds
    what the firm allows (date always; amount, counterparty and text only if enabled).

    Args:
        to: Recipient address.
        locale: Recipient's locale.
        name: Recipient's display name.
        firm_name: Name of the firm.
        count: How many unread messages wait in the portal.
        items: One dict per message with the keys ``date``, ``amount``, ``counterparty``
            and ``text``; the last three are empty unless the firm allows them.
        link: The button's target (a talk link, or the plain portal address).
        documents: How many new documents the firm shared meanwhile.
    """
    return _render(name="talk_batch", to=to, locale=locale, subject_key="mail.talk_batch.subject",
                   recipient_name=name, firm_name=firm_name, count=count, items=items, link=link,
                   documents=documents)


def client_messages(
    *, to: str, locale: str, name: str, firm_name: str, count: int, items: list[dict], link: str,
    documents: int = 0,
) -> Email:
    """The collected notice to a staff user about unread messages from clients.

    Args:
        to: Recipient address.
        locale: Recipient's locale.
        name: Recipient's display name.
        firm_name: Name of the firm.
        count: How many client messages are unread.
        items: One dict per client with the keys ``client`` (name), ``count`` (unread
            messages) and ``documents`` (new documents).
        link: The staff inbox.
        documents: How many documents clients uploaded meanwhile.
    """
    return _render(name="client_messages", to=to, locale=locale, subject_key="mail.client_messages.subject",
                   recipient_name=name, firm_name=firm_name, count=count, items=items, link=link,
                   documents=documents, total=count + documents)


def upload_request(
    *, to: str, locale: str, name: str, firm_name: str, message: str, link: str, expires: str
) -> Email:
    """A request link: the firm asks for files, the button opens the upload page.

    Args:
        to: Recipient address.
        locale: Recipient's locale (a portal user's, else German).
        name: Recipient's display name; empty for a plain address.
        firm_name: Name of the firm.
        message: What the firm asks for, as staff typed it; may be empty.
        link: The upload page.
        expires: The last day the link works, formatted; empty if it has no end.
    """
    return _render(name="upload_request", to=to, locale=locale, subject_key="mail.upload_request.subject",
                   recipient_name=name, firm_name=firm_name, message=message, link=link, expires=expires)


def digest(
    *, to: str, locale: str, name: str, firm_name: str, date: str, items: list[dict], more: int, link: str,
    settings_link: str,
) -> Email:
    """A staff user's periodic digest: per client what is open, missing or ready to export.

    Args:
        to: Recipient address.
        locale: Recipient's locale.
        name: Recipient's display name.
        firm_name: Name of the firm.
        date: The digest's date, formatted for the locale.
        items: One dict per client with the keys ``client`` (name), ``link`` (its page),
            ``open_questions``, ``missing_receipts``, ``export_ready`` and ``unanswered``.
        more: Clients with news that did not fit into the email.
        link: The button's target (the clients page).
        settings_link: Where the recipient changes or stops their digests.
    """
    return _render(name="digest", to=to, locale=locale, subject_key="mail.digest.subject",
                   recipient_name=name, firm_name=firm_name, date=date, items=items, more=more, link=link,
                   settings_link=settings_link, count=len(items) + more)

def questionnaire_sent(
    *, to: str, locale: str, name: str, firm_name: str, title: str, sender: str, link: str,
) -> Email:
    """The firm asks a client user to fill in a questionnaire.

    Args:
        to: Recipient address.
        locale: Recipient's locale.
        name: Recipient's display name.
        firm_name: Name of the firm.
        title: The questionnaire's title.
        sender: The accountant who sent it.
        link: The questionnaire's page (it asks for the password login).
    """
    return _render(name="questionnaire_sent", to=to, locale=locale, subject_key="mail.questionnaire.subject",
                   recipient_name=name, firm_name=firm_name, title=title, sender=sender, link=link)


def invitation(
    *, to: str, locale: str, name: str, firm_name: str, account_name: str, sender: str, message: str, link: str,
    valid_days: int,
) -> Email:
    """The firm invites a client user to the portal; the link sets their password.

    Args:
        to: Recipient address.
        locale: Recipient's locale.
        name: Recipient's display name; may be empty.
        firm_name: Name of the firm.
        account_name: The client account the invitation is for.
        sender: The staff member who invites.
        message: The personal message typed by staff; may be empty.
        link: The activation page (single use).
        valid_days: How long the link works.
    """
    return _render(name="invitation", to=to, locale=locale, subject_key="mail.invitation.subject",
                   recipient_name=name, firm_name=firm_name, account_name=account_name, sender=sender,
                   message=message, link=link, valid_days=valid_days)


def reminder(
    *, to: str, locale: str, name: str, firm_name: str, admin: str, client: str, kinds: list[list], comment: str,
    link: str,
) -> Email:
    """An admin reminds an accountant of a client's pending work.

    Args:
        to: Recipient address.
        locale: Recipient's locale.
        name: Recipient's display name.
        firm_name: Name of the firm.
        admin: The admin who sends the reminder.
        client: The client's name.
        kinds: ``[kind, count]`` pairs (kinds of :class:`ReminderKind`).
        comment: The admin's comment; may be empty.
        link: The client's page.
    """
    return _render(name="reminder", to=to, locale=locale, subject_key="mail.reminder.subject",
                   recipient_name=name, firm_name=firm_name, admin=admin, client=client, kinds=kinds,
                   comment=comment, link=link)


TEMPLATES: dict[str, Callable[..., Email]] = {
    "password_reset": password_reset,
    "talk_batch": talk_batch,
    "client_messages": client_messages,
    "digest": digest,
    "questionnaire_sent": questionnaire_sent,
    "invitation": invitation,
    "reminder": reminder,
}


def render(template: str, to: str, context: dict[str, Any]) -> Email:
    """Render an outbox row's email.

    Args:
        template: Key in :data:`TEMPLATES`.
        to: Recipient address.
        context: Keyword arguments of the email function (without ``to``).

    Returns:
        The rendered email.

    Raises:
        ValueError: If no email is registered under ``template``.
        TypeError: If ``context`` does not match the email function's arguments.
    """
    try:
        build = TEMPLATES[template]
    except KeyError:
        raise ValueError(f"Unknown email template {template!r}.") from None
    return build(to=to, **context)
