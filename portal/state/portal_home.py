"""Client area pages: home with open items, and profile."""

import asyncio
import dataclasses

import reflex as rx

from portal.domain.enums import SessionScope
from portal.i18n import format as fmt
from portal import realtime
from portal.services import portal_home, questionnaires, talks
from portal.state.personal_settings import PersonalSettingsMixin
from portal.state.questionnaires import QuestionnaireRow, questionnaire_rows
from portal.state.session import Area, require_actor, to_login, user_formats

HOME_SUBMITTED = 3


@dataclasses.dataclass
class OpenItemView:
    """A booking without receipt, formatted for the contact's locale."""

    id: int
    date: str
    amount: str
    incoming: bool
    counterparty: str
    text: str


@dataclasses.dataclass
class AccountView:
    """One of the contact's client accounts."""

    id: int
    name: str
    full_access: bool
    open_items: list[OpenItemView]
    total: int


@dataclasses.dataclass
class QuestionView:
    """A booking with an open question from the firm."""

    thread_id: int = 0
    date: str = ""
    amount: str = ""
    incoming: bool = False
    counterparty: str = ""
    text: str = ""
    question: str = ""
    unread: bool = False


CURRENT_ACCOUNT_KEY = "portal_account"


class PortalHomeState(rx.State):
    """The contact's open questions, accounts and what is still missing; live."""

    accounts: list[AccountView] = []
    questions: list[QuestionView] = []
    questionnaire_list: list[QuestionnaireRow] = []
    loaded: bool = False
    # Open questions shown; live reloads keep it, "load more" adds a step.
    shown: int = talks.PAGE_SIZE
    more_questions: bool = False
    # The account a contact with several accounts works on, remembered on this device.
    current_account: str = rx.LocalStorage("", name=CURRENT_ACCOUNT_KEY, sync=True)

    @rx.event
    async def load(self):
        """Check the session, follow the user's room, fetch the home data."""
        actor = await require_actor(self, Area.TALK)
        if actor is None:
            return to_login(self)
        await realtime.link(self, realtime.user_room(actor.kind.value, actor.id))
        await self._fetch(actor)
        return None

    @rx.event
    async def refresh(self):
        """Something the user sees changed: fetch again."""
        actor = await require_actor(self, Area.TALK)
        if actor is None:
            return to_login(self)
        await self._fetch(actor)
        return None

    async def _fetch(self, actor) -> None:
        # One more than shown tells whether a "load more" button is needed.
        items = await asyncio.to_thread(talks.open_items, actor=actor, limit=self.shown + 1)
        self.more_questions = len(items) > self.shown
        # A session from an email link sees its open questions only.
        data = None if actor.scope != SessionScope.FULL else await asyncio.to_thread(portal_home.home, actor=actor)
        forms = [] if data is None else await asyncio.to_thread(questionnaires.client_questionnaires, actor=actor)
        formats = await user_formats(self)
        locale = formats.locale
        # Open ones all; of the submitted only the latest, so the home page does not grow forever.
        submitted = [f for f in forms if f.submitted_at is not None]
        self.questionnaire_list = questionnaire_rows(
            [f for f in forms if f.submitted_at is None] + submitted[:HOME_SUBMITTED], formats)
        self.questions = [
            QuestionView(thread_id=i.thread_id, date=fmt.date(i.booking.date, locale),
                         amount=fmt.money(i.booking.amount_cents, i.booking.currency, locale),
                         incoming=i.booking.amount_cents > 0, counterparty=i.booking.counterparty,
                         text=i.booking.text, question=i.question, unread=i.unread)
            for i in items[:self.shown]
        ]
        self.accounts = [
            AccountView(
                id=a.id, name=a.name, full_access=a.full_access, total=a.open_items_total,
                open_items=[OpenItemView(id=i.id, date=fmt.date(i.date, locale),
                                    amount=fmt.money(i.amount_cents, i.currency, locale),
                                    incoming=i.amount_cents > 0, counterparty=i.counterparty, text=i.text)
                       for i in a.open_items])
            for a in (data.accounts if data else ())
        ]
        self.loaded = True

    @rx.event
    def load_more_questions(self):
        """Show the next step of older open questions."""
        self.shown += talks.PAGE_SIZE
        return PortalHomeState.refresh

    @rx.var
    def must_choose(self) -> bool:
        """Several accounts and none chosen yet on this device: ask which one first."""
        return len(self.accounts) > 1 and self.current_account not in {str(a.id) for a in self.accounts}

    @rx.var
    def shown_accounts(self) -> list[AccountView]:
        """The chosen account; the only one when there is just one."""
        if len(self.accounts) <= 1:
            return self.accounts
        return [a for a in self.accounts if str(a.id) == self.current_account]

    @rx.var
    def open_total(self) -> int:
        """Open items of the account(s) shown."""
        return sum(a.total for a in self.shown_accounts)

    @rx.event
    def choose_account(self, account: str):
        """Work on another of the contact's accounts (kept for the next visit)."""
        if str(account) in {str(a.id) for a in self.accounts}:
            self.current_account = str(account)


class ProfileState(PersonalSettingsMixin, rx.State):
    """The user's own settings."""

    @rx.event
    async def load(self):
        """Check the session and read the personal settings."""
        actor = await require_actor(self, Area.PORTAL)
        if actor is None:
            return to_login(self)
        await self._read_settings(actor)
        return None

