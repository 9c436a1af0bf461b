"""One client's bookings with talk states, and the talk flyout ("Mandanten Talk")."""

import reflex as rx

from portal import realtime, routes
from portal.components.chat import attachment_chip, chat_log, talk_status_icon
from portal.components.common import ACCENT, empty_state, notice
from portal.components.client_frame import client_frame
from portal.components.sheet import side_sheet
from portal.pages.staff.booking_transfer import export_dialog, import_dialog
from portal.pages.staff.client_access import access_dialog
from portal.pages.staff.client_digest import digest_popover
from portal.state.booking_transfer import BookingTransferState
from portal.state.bookings import BookingRowView, StaffBookingsState
from portal.state.session import t

S = StaffBookingsState
LEDGERS = ("all", "suppliers", "customers", "bank", "other")
TALK_FILTERS = ("all", "talk", "waiting", "answered", "internal", "closed")
# The sender field sits outside the message form (above the pinned message box) and joins it by id.
_COMPOSE_FORM_ID = "talk-compose"


def ledger_label(ledger: rx.Var) -> rx.Var:
    """The ledger's name in the user's language."""
    return rx.match(ledger, *[(key, t(f"ledger.{key}")) for key in LEDGERS[1:]], t("ledger.other"))


def receipt_badge(missing: rx.Var) -> rx.Component:
    """Receipt present or missing, in words."""
    return rx.cond(
        missing,
        rx.badge(rx.icon("file-question", size=12), t("bookings.receipt.missing"), color_scheme="orange",
                 variant="soft"),
        rx.badge(rx.icon("file-check", size=12), t("bookings.receipt.present"), color_scheme="green",
                 variant="soft"),
    )


def _amount(row) -> rx.Component:
    return rx.text(row.amount, weight="medium", white_space="nowrap",
                   color=rx.cond(row.incoming, "var(--green-11)", "var(--gray-12)"))


def _open_button(row: BookingRowView, *children) -> rx.Component:
    return rx.el.button(*children, on_click=S.open_booking(row.id), type="button",
                        aria_label=t("bookings.open_talk") + ": " + row.counterparty,
                        style={"all": "unset", "cursor": "pointer", "display": "block", "width": "100%"})


def _table() -> rx.Component:
    return rx.table.root(
        rx.table.header(rx.table.row(
            rx.table.column_header_cell(t("bookings.col.date")),
            rx.table.column_header_cell(t("bookings.col.booking")),
            rx.table.column_header_cell(t("bookings.col.ledger")),
            rx.table.column_header_cell(t("bookings.col.amount"), justify="end"),
            rx.table.column_header_cell(t("bookings.col.receipt")),
            rx.table.column_header_cell(t("bookings.col.talk")),
        )),
        rx.table.body(rx.foreach(S.rows, lambda row: rx.table.row(
            rx.table.cell(rx.text(row.date, white_space="nowrap")),
            rx.table.row_header_cell(_open_button(
                row,
                rx.text(row.counterparty, weight="medium", color=f"var(--{ACCENT}-12)"),
                rx.text(row.text, size="1", color_scheme="gray"),
            )),
            rx.table.cell(rx.text(ledger_label(row.ledger), size="2", color_scheme="gray")),
            rx.table.cell(_amount(row), justify="end"),
            rx.table.cell(receipt_badge(row.receipt_missing)),
            rx.table.cell(rx.hstack(talk_status_icon(row.talk),
                                    rx.cond(row.exported, rx.badge(t("bookings.exported"), variant="outline",
                                                                   color_scheme="gray")),
                                    align="center")),
            align="center", _hover={"background": "var(--gray-2)"},
        ))),
        variant="surface", width="100%", display=["none", "none", "table"],
    )


def _cards() -> rx.Component:
    return rx.vstack(
        rx.foreach(S.rows, lambda row: rx.card(_open_button(
            row,
            rx.vstack(
                rx.hstack(rx.text(row.counterparty, weight="medium"), rx.spacer(), _amount(row), width="100%"),
                rx.text(row.text, size="1", color_scheme="gray"),
                rx.hstack(rx.text(row.date, size="1", color_scheme="gray"), receipt_badge(row.receipt_missing),
                          rx.spacer(), talk_status_icon(row.talk), width="100%", align="center"),
                spacing="1", width="100%",
            ),
        ), width="100%")),
        spacing="2", width="100%", display=["flex", "flex", "none"],
    )


def _filters() -> rx.Component:
    return rx.flex(
        rx.box(
            rx.segmented_control.root(
                *[rx.segmented_control.item(t(f"ledger.{key}"), value=key) for key in LEDGERS],
                value=S.ledger_choice, on_change=S.set_ledger, size="2", aria_label=t("bookings.col.ledger"),
            ),
            overflow_x="auto", max_width="100%",
        ),
        rx.spacer(),
        rx.hstack(
            rx.el.label(t("bookings.talk_filter"), html_for="talk-filter", font_size="14px",
                        color="var(--gray-11)", white_space="nowrap"),
            rx.select.root(
                rx.select.trigger(id="talk-filter", min_width="200px"),
                rx.select.content(*[rx.select.item(t(f"bookings.filter.{key}"), value=key) for key in TALK_FILTERS]),
                value=S.talk, on_change=S.set_talk,
            ),
            align="center", spacing="2",
        ),
        gap="12px", wrap="wrap", width="100%", align="center",
    )


def _pager() -> rx.Component:
    return rx.cond(
        S.pages > 1,
        rx.hstack(
            rx.button(rx.icon("chevron-left", size=16), t("pager.previous"), variant="soft",
                      disabled=S.page <= 1, on_click=S.go_to_page(S.page - 1)),
            rx.text(S.page, " / ", S.pages, size="2"),
            rx.button(t("pager.next"), rx.icon("chevron-right", size=16), variant="soft",
                      disabled=S.page >= S.pages, on_click=S.go_to_page(S.page + 1)),
            justify="center", align="center", width="100%",
        ),
    )


def _receipts() -> rx.Component:
    return rx.cond(
        S.receipts.length() > 0,
        rx.vstack(
            rx.text(t("talk.receipts"), weight="bold", size="2"),
            rx.flex(rx.foreach(S.receipts, lambda item: rx.link(
                rx.cond(item.previewable,
                        rx.image(src=item.preview_url, alt=item.name, width="140px", border_radius="8px",
                                 border="1px solid var(--gray-6)"),
                        rx.center(rx.icon("file", size=28), width="140px", height="100px", border_radius="8px",
                                  background="var(--gray-3)")),
                href=item.url, title=item.name, download=True)), gap="8px", wrap="wrap"),
            rx.foreach(S.receipts, attachment_chip),
            spacing="2", width="100%",
        ),
    )


def _talk_fields() -> rx.Component:
    """Whom the talk addresses and in whose name: above the pinned message box, sent with its form."""
    recipient_field = rx.cond(
        S.thread_id == 0,
        rx.vstack(
            rx.el.label(t("talk.recipient"), html_for="talk-recipient", font_size="14px", font_weight="500"),
            rx.select.root(
                rx.select.trigger(id="talk-recipient", width="100%"),
                # Above the flyout (z-index 50), which the list would otherwise open beneath.
                rx.select.content(rx.foreach(S.recipients, lambda o: rx.select.item(o.label, value=o.value)),
                                  z_index="60"),
                value=S.recipient, on_change=S.set_recipient,
            ),
            rx.text(t("talk.recipient.help"), size="1", color_scheme="gray"),
            spacing="1", width="100%",
        ),
    )
    return rx.vstack(
        recipient_field,
        rx.vstack(
            rx.el.label(t("talk.sender"), html_for="talk-sender", font_size="14px", font_weight="500"),
            rx.input(id="talk-sender", name="sender_name", default_value=S.sender_name, width="100%",
                     max_length=200, key=S.sender_name, custom_attrs={"form": _COMPOSE_FORM_ID}),
            spacing="1", width="100%",
        ),
        spacing="3", width="100%",
    )


def _compose() -> rx.Component:
    return rx.form(
        rx.vstack(
            rx.vstack(
                rx.el.label(t("talk.message"), html_for="talk-body", font_size="14px", font_weight="500"),
                rx.text_area(id="talk-body", name="body", required=True, max_length=10_000, rows="3",
                             width="100%", placeholder=t("talk.placeholder")),
                spacing="1", width="100%",
            ),
            notice(S.error, tone="error"),
            rx.hstack(
                rx.cond(S.thread_open,
                        rx.button(rx.icon("circle-x", size=16), t("talk.close"), type="button", color_scheme="red",
                                  on_click=S.close_talk)),
                rx.spacer(),
                rx.button(rx.icon("send", size=16), t("talk.send"), type="submit"),
                # FIBUscan's right-click on the paper plane: send the collected email now.
                rx.dropdown_menu.root(
                    rx.dropdown_menu.trigger(rx.icon_button(rx.icon("chevron-down", size=16), type="button",
                                                            variant="soft", aria_label=t("talk.more_send"))),
                    rx.dropdown_menu.content(
                        rx.dropdown_menu.item(rx.icon("mail", size=14), t("talk.mail_now"),
                                              on_select=S.send_email_now),
                        z_index="60",
                    ),
                ),
                width="100%",
            ),
            notice(S.mail_notice, tone="info"),
            spacing="3", width="100%",
        ),
        on_submit=S.send, reset_on_submit=False, width="100%", id=_COMPOSE_FORM_ID,
    )


def _flyout() -> rx.Component:
    header = rx.hstack(
        rx.vstack(
            rx.drawer.title(S.booking.counterparty, size="5", weight="bold"),
            rx.hstack(rx.text(S.booking.date, size="2", color_scheme="gray"),
                      rx.text(S.booking.amount, size="2", weight="bold"),
                      rx.text(ledger_label(S.booking.ledger), size="2", color_scheme="gray"), spacing="3"),
            spacing="1",
        ),
        rx.spacer(),
        rx.drawer.close(rx.icon_button(rx.icon("x"), variant="ghost", aria_label=t("talk.close_flyout"))),
        width="100%", align="start",
    )
    talk_head = rx.hstack(
        rx.heading(t("talk.title"), size="4", as_="h3"),
        rx.cond(S.thread_internal, rx.badge(rx.icon("lock", size=12), t("talk.status.internal"), color_scheme="gray")),
        rx.cond((S.thread_id != 0) & ~S.thread_open,
                rx.badge(rx.icon("circle-check", size=12), t("talk.status.closed"), color_scheme="gray")),
        rx.spacer(),
        rx.cond(S.recipient_name != "", rx.text(t("talk.to"), " ", S.recipient_name, size="2", color_scheme="gray")),
        align="center", width="100%",
    )
    return side_sheet(
        realtime.reload_on_change(realtime.LiveState.thread, S.refresh_talk),
        rx.text(S.booking.text, size="2"),
        receipt_badge(S.booking.receipt_missing),
        _receipts(),
        rx.separator(size="4"),
        talk_head,
        rx.cond(S.messages.length() > 0,
                chat_log(S.messages, on_delete=S.delete_message, can_delete=S.thread_open,
                         log_id="staff-talk-log", older=S.older_messages, on_older=S.load_older),
                rx.text(t("talk.empty"), size="2", color_scheme="gray")),
        rx.cond((S.thread_id == 0) | S.thread_open, _talk_fields()),
        header=header, footer=rx.cond((S.thread_id == 0) | S.thread_open, _compose()),
        is_open=S.flyout_open, on_open_change=S.set_flyout_open, label=t("talk.title"),
    )


def client_bookings_page() -> rx.Component:
    """The page at :data:`routes.STAFF_CLIENT`."""
    body = rx.vstack(
        notice(BookingTransferState.export_notice, tone="info"),
        _filters(),
        rx.cond(S.rows.length() > 0, rx.vstack(_table(), _cards(), _pager(), spacing="3", width="100%"),
                empty_state("receipt-euro", t("bookings.empty.title"), t("bookings.empty.text"))),
        spacing="4", width="100%",
    )
    return client_frame(
        body, active=routes.STAFF_CLIENT, loaded=S.loaded,
        subtitle=rx.text(t("bookings.subtitle"), S.total, color_scheme="gray"),
        actions=rx.hstack(digest_popover(), access_dialog(), import_dialog(), export_dialog(), spacing="2",
                          wrap="wrap"),
        extra=(realtime.reload_on_change(realtime.LiveState.account, S.refresh), _flyout()),
    )
