"""Staff inbox: every client's talks and conversations that need the firm, live."""

import reflex as rx

from portal import realtime, routes
from portal.components.common import loading, page_heading
from portal.components.paging import load_more
from portal.components.shell import staff_shell
from portal.components.threads import new_conversation_dialog, thread_list, thread_sheet
from portal.state.conversations import InboxState
from portal.state.session import SessionState, t

STATES = ("open", "answered", "waiting", "closed", "all")


def inbox_page() -> rx.Component:
    """The page at :data:`routes.STAFF_INBOX`."""
    filters = rx.flex(
        rx.cond(SessionState.is_admin, rx.segmented_control.root(
            rx.segmented_control.item(t("inbox.mine"), value="mine"),
            rx.segmented_control.item(t("inbox.all"), value="all"),
            value=InboxState.mine, on_change=InboxState.set_mine, aria_label=t("inbox.scope"))),
        rx.hstack(
            rx.el.label(t("inbox.show"), html_for="inbox-state", font_size="14px", color="var(--gray-11)"),
            rx.select.root(rx.select.trigger(id="inbox-state", min_width="220px"),
                           rx.select.content(*[rx.select.item(t(f"inbox.state.{s}"), value=s) for s in STATES]),
                           value=InboxState.state, on_change=InboxState.set_state),
            align="center", spacing="2"),
        rx.spacer(),
        new_conversation_dialog(recipient_label=t("talk.recipient")),
        gap="12px", wrap="wrap", width="100%", align="center",
    )
    return staff_shell(
        rx.vstack(
            realtime.reload_on_change(realtime.staff_inbox_version(), InboxState.refresh),
            page_heading(t("inbox.title"), t("inbox.subtitle")),
            filters,
            rx.cond(InboxState.loaded,
                    thread_list(InboxState.rows, empty_title=t("inbox.empty.title"), empty_text=t("inbox.empty.text")),
                    loading()),
            load_more(InboxState.has_more, InboxState.load_more),
            thread_sheet(),
            spacing="4", width="100%",
        ),
        active=routes.STAFF_INBOX,
    )
