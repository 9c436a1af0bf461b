"""Staff clients list: the clients the user works, with their open receipts."""

import reflex as rx

from portal import routes
from portal.components.badges import account_kind_label, account_status_badge, missing_receipts_badge
from portal.components.common import ACCENT, empty_state, loading, page_heading
from portal.components.shell import staff_shell
from portal.state.session import SessionState, t
from portal.state.staff import ClientRow, StaffClientsState
from portal.state.upload_requests import StaffRequestsState


def _stat(icon: str, label: rx.Var, value: rx.Var) -> rx.Component:
    return rx.card(
        rx.hstack(
            rx.center(rx.icon(icon, size=20, color=f"var(--{ACCENT}-11)"), width="40px", height="40px",
                      border_radius="10px", background=f"var(--{ACCENT}-3)"),
            rx.vstack(rx.text(label, size="2", color_scheme="gray"), rx.text(value, size="6", weight="bold"),
                      spacing="0"),
            align="center", spacing="3",
        ),
        flex="1", min_width="180px",
    )


def _name_cell(row: ClientRow) -> rx.Component:
    return rx.hstack(
        rx.avatar(fallback=row.initials, size="2", radius="large", color_scheme=ACCENT, variant="soft"),
        rx.vstack(rx.link(row.name, href=row.href, weight="medium", underline="hover"),
                  rx.text(account_kind_label(row.kind), size="1", color_scheme="gray"), spacing="0"),
        align="center", spacing="3",
    )


def _table(rows) -> rx.Component:
    return rx.table.root(
        rx.table.header(rx.table.row(
            rx.table.column_header_cell(t("clients.col.client")),
            rx.table.column_header_cell(t("clients.col.status")),
            rx.table.column_header_cell(t("clients.col.contacts")),
            rx.table.column_header_cell(t("clients.col.missing")),
            rx.table.column_header_cell(t("clients.col.accountants")),
        )),
        rx.table.body(rx.foreach(rows, lambda row: rx.table.row(
            rx.table.row_header_cell(_name_cell(row)),
            rx.table.cell(account_status_badge(row.status)),
            rx.table.cell(row.contacts),
            rx.table.cell(missing_receipts_badge(row.missing_receipts)),
            rx.table.cell(rx.text(row.accountants, size="2", color_scheme="gray")),
            align="center",
        ))),
        variant="surface", width="100%", display=["none", "none", "table"],
    )


def _cards(rows) -> rx.Component:
    return rx.vstack(
        rx.foreach(rows, lambda row: rx.card(
            rx.vstack(
                rx.hstack(_name_cell(row), rx.spacer(), account_status_badge(row.status), width="100%",
                          align="center"),
                rx.hstack(missing_receipts_badge(row.missing_receipts),
                          rx.text(row.accountants, size="1", color_scheme="gray", trim="both"),
                          spacing="2", align="center"),
                spacing="3", width="100%",
            ),
            width="100%",
        )),
        spacing="2", width="100%", display=["flex", "flex", "none"],
    )


def clients_page() -> rx.Component:
    """The page at :data:`routes.STAFF_CLIENTS`."""
    rows = StaffClientsState.rows
    body = rx.cond(
        StaffClientsState.loaded,
        rx.cond(
            rows.length() > 0,
            rx.vstack(
                rx.flex(_stat("users", t("clients.count"), rows.length()),
                        _stat("receipt-euro", t("clients.missing_receipts"), StaffClientsState.missing_total),
                        gap="12px", wrap="wrap", width="100%"),
                _table(rows), _cards(rows),
                spacing="4", width="100%",
            ),
            empty_state("users", t("clients.empty.title"), t("clients.empty.text")),
        ),
        loading(),
    )
    return staff_shell(
        rx.vstack(
            rx.flex(
                page_heading(t("clients.title"), rx.cond(SessionState.is_admin, t("clients.subtitle.admin"),
                                                         t("clients.subtitle.accountant"))),
                rx.spacer(),
                # The firm's drop box for people without a client account (its request links).
                rx.button(rx.icon("inbox", size=16), t("request.guest.button"), variant="soft",
                          on_click=StaffRequestsState.open_guest_account, title=t("request.guest.hint")),
                width="100%", align="start", gap="12px", wrap="wrap",
            ),
            body, width="100%",
        ),
        active=routes.STAFF_CLIENTS,
    )
