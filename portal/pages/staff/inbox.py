"""Staff inbox. Threads needing action arrive here once booking talks exist."""

import reflex as rx

from portal import routes
from portal.components.common import empty_state, page_heading
from portal.components.shell import staff_shell
from portal.state.session import t


def inbox_page() -> rx.Component:
    """The page at :data:`routes.STAFF_INBOX`."""
    return staff_shell(
        rx.vstack(
            page_heading(t("inbox.title"), t("inbox.subtitle")),
            empty_state("inbox", t("inbox.empty.title"), t("inbox.empty.text")),
            width="100%",
        ),
        active=routes.STAFF_INBOX,
    )
