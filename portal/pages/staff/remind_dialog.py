"""The admins' "Buchhalter benachrichtigen" dialog, opened from the clients page and the Info tab."""

import reflex as rx

from portal.components.client_forms import LABEL
from portal.components.common import notice
from portal.state.session import t
from portal.state.staff import StaffClientsState as S


def _kind_box(kind: str) -> rx.Component:
    return rx.el.label(
        rx.hstack(rx.checkbox(name=f"kind_{kind}", default_checked=True, size="2",
                              aria_label=t(f"reminder.kind.{kind}")),
                  rx.text(t(f"reminder.kind.{kind}"), size="2"), spacing="2", align="center"),
        cursor="pointer")


def remind_dialog() -> rx.Component:
    """The "Notify accountants" dialog: tick the pending task kinds, add a comment, send the email."""
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title(t("reminder.title")),
            rx.dialog.description(t("reminder.text"), " ", S.remind_name, size="2", color_scheme="gray"),
            rx.form(
                rx.vstack(
                    rx.el.fieldset(
                        rx.el.legend(t("reminder.kinds"), style=LABEL),
                        rx.vstack(*[_kind_box(k) for k in ("missing_receipts", "open_talks", "export_ready")],
                                  spacing="2", margin_top="8px"),
                        border="none", padding="0", margin="0"),
                    rx.vstack(
                        rx.el.label(t("reminder.comment"), html_for="reminder-comment", **LABEL),
                        rx.text_area(id="reminder-comment", name="comment", rows="4", max_length=2000, width="100%",
                                     size="3"),
                        spacing="1", width="100%"),
                    notice(S.remind_error, tone="error"),
                    rx.hstack(
                        rx.dialog.close(rx.button(t("common.cancel"), variant="soft", color_scheme="gray",
                                                  type="button", size="3")),
                        rx.button(rx.icon("send", size=16), t("reminder.send"), type="submit", size="3"),
                        justify="end", spacing="3", width="100%"),
                    spacing="4", width="100%", margin_top="12px",
                ),
                on_submit=S.send_reminder, reset_on_submit=True, width="100%",
            ),
            max_width="480px",
        ),
        open=S.remind_open, on_open_change=S.set_remind_open,
    )
