"""The client's conversations with the firm: Open / Closed / All, live."""

import reflex as rx

from portal import realtime, routes
from portal.components.common import loading
from portal.components.paging import load_more
from portal.components.shell import portal_shell
from portal.components.threads import new_conversation_dialog, thread_list, thread_sheet
from portal.state.conversations import ClientConversationsState
from portal.state.session import t

C = ClientConversationsState


def conversations_page() -> rx.Component:
    """The page at :data:`routes.PORTAL_CONVERSATIONS`."""
    return portal_shell(
        rx.vstack(
            realtime.reload_on_change(realtime.LiveState.user, C.load),
            rx.hstack(rx.heading(t("conversation.title"), size="7", as_="h1"), rx.spacer(),
                      new_conversation_dialog(recipient_label=t("conversation.visible_to")),
                      width="100%", align="center", wrap="wrap", spacing="2"),
            rx.segmented_control.root(
                rx.segmented_control.item(t("conversation.view.open"), value="open"),
                rx.segmented_control.item(t("conversation.view.closed"), value="closed"),
                rx.segmented_control.item(t("conversation.view.all"), value="all"),
                # min_width 0: Radix's max-content minimum is wider than a 360 px phone.
                value=C.view, on_change=C.set_view, width="100%", min_width="0",
                aria_label=t("conversation.views")),
            rx.cond(C.loaded, thread_list(C.rows, empty_title=t("conversation.empty.title"),
                                          empty_text=t("conversation.empty.text")), loading()),
            load_more(C.has_more, C.load_more),
            thread_sheet(),
            spacing="4", width="100%",
        ),
        active=routes.PORTAL_CONVERSATIONS,
    )
