"""Thread lists: the staff inbox and the client's conversations, both live."""

import asyncio
import dataclasses

import reflex as rx

from portal.domain.actor import Actor
from portal.i18n import format as fmt
from portal.i18n import translate
from portal.services import conversations, talks
from portal.services.access import NotFound
from portal.state.bookings import EVERYONE, Option
from portal.state.session import Area, SessionState, require_actor, to_login, user_formats
from portal.state.thread_panel import ThreadPanelState


@dataclasses.dataclass
class ThreadRow:
    """One thread in a list."""

    id: int = 0
    account_name: str = ""
    subject: str = ""
    booking_talk: bool = False
    uploads: bool = False
    signup: bool = False
    closed: bool = False
    closed_at: str = ""
    preview: str = ""
    last_at: str = ""
    needs_action: bool = False
    from_other_side: bool = False
    private: bool = False


def _rows(items: list[conversations.ThreadSummary], formats: fmt.Formats) -> list[ThreadRow]:
    return [ThreadRow(id=t.id, account_name=t.account_name, subject=t.subject, booking_talk=t.kind == "booking_talk",
                      uploads=t.kind == "uploads", signup=t.kind == "signup",
                      closed=t.status == "closed", closed_at=formats.datetime(t.closed_at) if t.closed_at else "",
                      preview=t.last_preview, last_at=formats.datetime(t.last_at), needs_action=t.needs_action,
                      from_other_side=t.needs_action, private=t.private)
            for t in items]


class NewConversationForm(rx.State):
    """Fields of the "new conversation" dialog shared by both sides."""

    new_open: bool = False
    accounts: list[Option] = []
    account: str = ""
    recipients: list[Option] = []
    recipient: str = EVERYONE
    new_error: str = ""
    _choices: dict[str, list[Option]] = {}

    @rx.event
    def set_new_open(self, is_open: bool):
        """Open or close the dialog."""
        self.new_open = is_open

    @rx.event
    def set_account(self, account: str):
        """Pick the client account; its users become the recipient choices."""
        self.account = account
        self.recipients = self._choices.get(account, [])
        self.recipient = EVERYONE

    @rx.event
    def set_recipient(self, recipient: str):
        """Everyone with full access, or one user privately."""
        self.recipient = recipient

    @rx.event
    async def prepare(self):
        """Fill the choices for the user's side and open the dialog."""
        session = await self.get_state(SessionState)
        actor = await require_actor(self, Area.STAFF if session.kind == "staff" else Area.PORTAL)
        if actor is None:
            return to_login(self)
        locale = session.locale
        if actor.is_staff:
            choices = await asyncio.to_thread(conversations.start_choices, actor=actor)
            everyone = Option(EVERYONE, translate(locale, "talk.recipient.all"))
            self._choices = {str(c.account_id): [everyone, *[Option(str(p.contact_id), p.name) for p in c.contacts]]
                             for c in choices}
        else:
            choices = await asyncio.to_thread(conversations.client_accounts, actor=actor)
            self._choices = {str(c.account_id): [Option(EVERYONE, translate(locale, "conversation.to.firm_all")),
                                                 Option(str(actor.id), translate(locale, "conversation.to.private"))]
                             for c in choices}
        self.accounts = [Option(str(c.account_id), c.name) for c in choices]
        self.new_error, self.new_open = "", True
        if self.accounts:
            self.set_account(self.accounts[0].value)
        return None

    @rx.event
    async def create(self, form: dict):
        """Start the conversation and show it."""
        session = await self.get_state(SessionState)
        actor = await require_actor(self, Area.STAFF if session.kind == "staff" else Area.PORTAL)
        if actor is None:
            return to_login(self)
        if not self.account.isdigit():
            self.new_error = translate(session.locale, "conversation.error.account")
            return None
        private = int(self.recipient) if self.recipient.isdigit() else None
        try:
            thread_id = await asyncio.to_thread(
                conversations.start_conversation, actor=actor, account_id=int(self.account),
                subject=str(form.get("subject", "")), body=str(form.get("body", "")), private_contact_id=private)
        except talks.TalkError as err:
            self.new_error = translate(session.locale, err.key)
            return None
        except NotFound:
            self.new_error = translate(session.locale, "talk.error.gone")
            return None
        self.new_open = False
        return ThreadPanelState.open_thread(thread_id, "")


class InboxState(rx.State):
    """The staff inbox across clients."""

    rows: list[ThreadRow] = []
    mine: str = "mine"
    state: str = "open"
    loaded: bool = False
    # How many threads are shown; live reloads keep it, "load more" adds a step.
    shown: int = conversations.PAGE_SIZE
    has_more: bool = False

    async def _fetch(self, actor: Actor) -> None:
        # One more than shown tells whether a "load more" button is needed.
        items = await asyncio.to_thread(conversations.inbox, actor=actor, mine=self.mine == "mine", state=self.state,
                                        limit=self.shown + 1)
        self.rows, self.has_more = _rows(items[:self.shown], await user_formats(self)), len(items) > self.shown
        self.loaded = True

    @rx.event
    async def load(self):
        """Check the session and fetch the inbox."""
        actor = await require_actor(self, Area.STAFF)
        if actor is None:
            return to_login(self)
        await self._fetch(actor)
        return None

    @rx.event
    async def refresh(self):
        """Some thread changed: fetch again (in this event, not one more round trip)."""
        return await self.load()

    @rx.event
    def load_more(self):
        """Show the next step of older threads."""
        self.shown += conversations.PAGE_SIZE
        return InboxState.load

    @rx.event
    def set_mine(self, value: str | list[str]):
        """My clients or all clients."""
        value = value[0] if isinstance(value, list) and value else value
        self.mine = value if value in ("mine", "all") else "mine"
        self.shown = conversations.PAGE_SIZE
        return InboxState.load

    @rx.event
    def set_state(self, value: str):
        """Which threads to show."""
        self.state = value if value in conversations.INBOX_STATES else "open"
        self.shown = conversations.PAGE_SIZE
        return InboxState.load


class ClientConversationsState(rx.State):
    """The client user's conversations."""

    rows: list[ThreadRow] = []
    view: str = "open"
    loaded: bool = False
    shown: int = conversations.PAGE_SIZE
    has_more: bool = False

    @rx.event
    async def load(self):
        """Check the session and fetch the list."""
        actor = await require_actor(self, Area.PORTAL)
        if actor is None:
            return to_login(self)
        items = await asyncio.to_thread(conversations.list_for_client, actor=actor, view=self.view,
                                        limit=self.shown + 1)
        self.rows, self.has_more = _rows(items[:self.shown], await user_formats(self)), len(items) > self.shown
        self.loaded = True
        return None

    @rx.event
    def load_more(self):
        """Show the next step of older conversations."""
        self.shown += conversations.PAGE_SIZE
        return ClientConversationsState.load

    @rx.event
    def set_view(self, view: str | list[str]):
        """Open, closed or all."""
        value = view[0] if isinstance(view, list) and view else view
        self.view = value if value in conversations.VIEWS else "open"
        self.shown = conversations.PAGE_SIZE
        return ClientConversationsState.load
