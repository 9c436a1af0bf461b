"""Dialog on the staff client page: the client's portal users and their email links."""

import reflex as rx

from portal.components.common import notice
from portal.state.bookings import Option
from portal.state.client_access import ClientAccessState as A
from portal.state.session import t


def _person(person: Option) -> rx.Component:
    return rx.flex(
        rx.hstack(rx.icon("user-round", size=16, color="var(--gray-10)"), rx.text(person.label, weight="medium"),
                  align="center", spacing="2", min_width="0"),
        rx.spacer(),
        rx.button(rx.icon("link-2-off", size=14), t("access.revoke"), size="2", variant="soft", color_scheme="red",
                  aria_label=t("access.revoke") + ": " + person.label, on_click=A.revoke_links(person.value)),
        align="center", gap="8px", wrap="wrap", width="100%", padding_y="6px",
        border_bottom="1px solid var(--gray-a4)",
    )


def access_dialog() -> rx.Component:
    """Button and dialog: revoke a user's emailed talk links (a forwarded or leaked email)."""
    return rx.dialog.root(
        # On the trigger, not the button (see new_client_dialog).
        rx.dialog.trigger(rx.button(rx.icon("key-round", size=16), t("access.button"), variant="soft"),
                          on_click=A.open),
        rx.dialog.content(
            rx.dialog.title(t("access.title")),
            rx.dialog.description(t("access.text"), size="2", color_scheme="gray"),
            rx.vstack(
                rx.cond(A.people.length() > 0, rx.vstack(rx.foreach(A.people, _person), spacing="0", width="100%"),
                        rx.text(t("access.none"), color_scheme="gray")),
                notice(A.notice, tone="info"),
                rx.hstack(rx.spacer(), rx.dialog.close(rx.button(t("talk.close_flyout"), variant="soft",
                                                                 color_scheme="gray")), width="100%"),
                spacing="4", width="100%", margin_top="12px",
            ),
            max_width="520px",
        ),
    )
