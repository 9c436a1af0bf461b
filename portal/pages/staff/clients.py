"""Staff clients page: tabs by role, search, "missing receipts" filter, sort, pages, row menus."""

import reflex as rx

from portal import realtime, routes
from portal.components.badges import account_kind_label, account_status_badge, missing_receipts_badge
from portal.components.common import ACCENT, empty_state, loading, notice, page_heading
from portal.components.shell import staff_shell
from portal.pages.staff.new_client import new_client_dialog
from portal.pages.staff.remind_dialog import remind_dialog
from portal.state.session import SessionState, t
from portal.state.staff import ClientRow, DetailContact, DetailField, PendingRow, TabView
from portal.state.staff import StaffClientsState as S
from portal.state.upload_requests import StaffRequestsState

def _name_cell(row: ClientRow) -> rx.Component:
    return rx.hstack(
        rx.avatar(fallback=row.initials, size="2", radius="large", color_scheme=ACCENT, variant="soft"),
        rx.vstack(
            rx.link(row.name, href=row.href, weight="medium", underline="hover"),
            rx.hstack(rx.text(account_kind_label(row.kind), size="1", color_scheme="gray"),
                      rx.cond(row.self_signup, rx.badge(t("clients.self_signup"), size="1", variant="outline")),
                      spacing="2", align="center"),
            spacing="0", min_width="0"),
        align="center", spacing="3", min_width="0",
    )


def _talks_badge(count: rx.Var) -> rx.Component:
    return rx.badge(rx.icon("message-circle", size=12), count, variant="soft",
                    color_scheme=rx.cond(count > 0, "blue", "gray"), title=t("clients.col.talks"))


def _row_menu(row: ClientRow) -> rx.Component:
    return rx.dropdown_menu.root(
        rx.dropdown_menu.trigger(rx.icon_button(rx.icon("ellipsis", size=18), variant="ghost", color_scheme="gray",
                                                size="2", aria_label=t("clients.menu") + ": " + row.name)),
        rx.dropdown_menu.content(
            rx.dropdown_menu.item(rx.icon("arrow-right", size=14), t("clients.menu.open"),
                                  on_click=rx.redirect(row.href)),
            rx.dropdown_menu.item(rx.icon("info", size=14), t("clients.menu.details"),
                                  on_click=S.show_details(row.id)),
            rx.cond(SessionState.is_admin, rx.dropdown_menu.item(
                rx.icon("bell-ring", size=14), t("clients.menu.remind"), on_click=S.open_remind(row.id, row.name))),
            rx.cond(row.status == "onboarding", rx.dropdown_menu.item(
                rx.icon("send", size=14), t("clients.menu.invite"), on_click=rx.redirect(row.info_href))),
            align="end",
        ),
    )


def _table() -> rx.Component:
    return rx.table.root(
        rx.table.header(rx.table.row(
            rx.table.column_header_cell(t("clients.col.client")),
            rx.table.column_header_cell(t("clients.col.status")),
            rx.table.column_header_cell(t("clients.col.talks")),
            rx.table.column_header_cell(t("clients.col.missing")),
            rx.table.column_header_cell(t("clients.col.accountants")),
            rx.table.column_header_cell(rx.el.span(t("clients.menu"), class_name="sr-only"), width="48px"),
        )),
        rx.table.body(rx.foreach(S.rows, lambda row: rx.table.row(
            rx.table.row_header_cell(_name_cell(row)),
            rx.table.cell(account_status_badge(row.status)),
            rx.table.cell(_talks_badge(row.open_talks)),
            rx.table.cell(missing_receipts_badge(row.missing_receipts)),
            rx.table.cell(rx.text(row.accountants, size="2", color_scheme="gray")),
            rx.table.cell(_row_menu(row)),
            align="center",
        ))),
        variant="surface", width="100%", display=["none", "none", "table"],
    )


def _cards() -> rx.Component:
    return rx.vstack(
        rx.foreach(S.rows, lambda row: rx.card(
            rx.vstack(
                rx.hstack(_name_cell(row), rx.spacer(), _row_menu(row), width="100%", align="center"),
                rx.hstack(account_status_badge(row.status), _talks_badge(row.open_talks),
                          missing_receipts_badge(row.missing_receipts),
                          rx.text(row.accountants, size="1", color_scheme="gray", trim="both"),
                          spacing="2", align="center", wrap="wrap"),
                spacing="3", width="100%",
            ),
            width="100%",
        )),
        spacing="2", width="100%", display=["flex", "flex", "none"],
    )


def _pending_item(row: PendingRow) -> rx.Component:
    return rx.flex(
        rx.vstack(
            rx.text(row.name, weight="medium"),
            rx.text(row.email, size="2", color_scheme="gray"),
            rx.hstack(rx.link(row.accounts, href=row.href, size="2"),
                      rx.text("· ", t("invite.sent_on"), " ", row.invited, size="2", color_scheme="gray"),
                      spacing="1", wrap="wrap"),
            spacing="0", min_width="0", flex="1",
        ),
        rx.button(rx.icon("send", size=14), t("invite.again"), variant="soft", size="2",
                  aria_label=t("invite.again") + ": " + row.name, on_click=S.reinvite(row.contact_id)),
        align="center", gap="12px", wrap="wrap", width="100%", padding="12px 16px",
        border_bottom="1px solid var(--gray-a4)",
    )


def _pending_list() -> rx.Component:
    return rx.cond(
        S.pending.length() > 0,
        rx.card(
            rx.vstack(
                rx.text(t("invite.pending.text"), size="2", color_scheme="gray", padding="12px 16px 4px"),
                rx.foreach(S.pending, _pending_item), spacing="0", width="100%"),
            padding="0", width="100%"),
        empty_state("mail-check", t("invite.pending.empty.title"), t("invite.pending.empty.text")),
    )


def _tab_button(tab: TabView) -> rx.Component:
    return rx.tabs.trigger(
        rx.hstack(rx.text(SessionState.messages[tab.label_key]), rx.badge(tab.count, size="1", variant="soft",
                                                                           radius="full"),
                  spacing="2", align="center"),
        value=tab.value,
    )


def _toolbar() -> rx.Component:
    return rx.flex(
        rx.box(
            rx.el.label(t("clients.search"), html_for="clients-search", class_name="sr-only"),
            rx.input(rx.input.slot(rx.icon("search", size=16)), id="clients-search", value=S.query,
                     on_change=S.set_query, debounce_timeout=300, placeholder=t("clients.search.placeholder"),
                     type="search", size="3", width="100%"),
            flex="1", min_width="220px"),
        rx.el.label(
            rx.hstack(rx.checkbox(checked=S.missing_only, on_change=S.set_missing_only, size="2",
                                  aria_label=t("clients.filter.missing")),
                      rx.text(t("clients.filter.missing"), size="2", weight="medium"), spacing="2", align="center"),
            cursor="pointer", padding_y="8px"),
        rx.select.root(
            rx.select.trigger(aria_label=t("clients.sort"), min_width="180px"),
            rx.select.content(rx.select.item(t("clients.sort.asc"), value="asc"),
                              rx.select.item(t("clients.sort.desc"), value="desc")),
            value=S.sort, on_change=S.set_sort, size="3"),
        gap="12px", align="center", wrap="wrap", width="100%",
    )


def _pager() -> rx.Component:
    return rx.cond(
        S.pages > 1,
        rx.hstack(
            rx.button(rx.icon("chevron-left", size=16), t("pager.previous"), variant="soft", size="2",
                      disabled=S.page <= 1, on_click=S.go_to_page(S.page - 1)),
            rx.text(t("pager.page"), " ", S.page, " / ", S.pages, size="2", color_scheme="gray",
                    aria_live="polite"),
            rx.button(t("pager.next"), rx.icon("chevron-right", size=16), variant="soft", size="2",
                      disabled=S.page >= S.pages, on_click=S.go_to_page(S.page + 1)),
            justify="center", align="center", spacing="3", width="100%",
        ),
    )


def _field(item: DetailField) -> rx.Component:
    return rx.data_list.item(rx.data_list.label(item.label), rx.data_list.value(item.value))


def _detail_contact(person: DetailContact) -> rx.Component:
    return rx.hstack(
        rx.icon("user-round", size=16, color="var(--gray-10)"),
        rx.vstack(rx.text(person.name, weight="medium", size="2"), rx.text(person.email, size="1", color_scheme="gray"),
                  spacing="0", min_width="0", flex="1"),
        rx.badge(SessionState.messages[person.state_key], variant="soft", size="1"),
        align="center", spacing="2", width="100%",
    )


def _details_dialog() -> rx.Component:
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title(S.details_name),
            rx.vstack(
                rx.data_list.root(rx.foreach(S.details_fields, _field), orientation=rx.breakpoints(
                    initial="vertical", sm="horizontal"), size="2"),
                rx.heading(t("client.info.contacts"), size="3", as_="h3"),
                rx.vstack(rx.foreach(S.details_contacts, _detail_contact), spacing="2", width="100%"),
                rx.hstack(
                    rx.dialog.close(rx.button(t("talk.close_flyout"), variant="soft", color_scheme="gray")),
                    rx.link(rx.button(rx.icon("arrow-right", size=16), t("clients.menu.open")), href=S.details_href),
                    justify="end", spacing="3", width="100%", wrap="wrap"),
                spacing="4", width="100%", margin_top="8px",
            ),
            max_width="560px",
        ),
        open=S.details_open, on_open_change=S.set_details_open,
    )


def _list_body() -> rx.Component:
    return rx.cond(
        S.tab == "invitations",
        _pending_list(),
        rx.cond(
            S.rows.length() > 0,
            rx.vstack(_table(), _cards(), spacing="2", width="100%"),
            rx.cond(S.query != "",
                    empty_state("search-x", t("clients.none_found.title"), t("clients.none_found.text")),
                    empty_state("users", t("clients.empty.title"), t("clients.empty.text"))),
        ),
    )


def clients_page() -> rx.Component:
    """The page at :data:`routes.STAFF_CLIENTS`."""
    body = rx.cond(
        S.loaded,
        rx.vstack(
            rx.tabs.root(
                rx.tabs.list(rx.foreach(S.tabs, _tab_button)),
                # The list is the shown tab's panel: each tab names its panel (aria-controls).
                rx.tabs.content(
                    rx.vstack(
                        _toolbar(),
                        rx.text(t("clients.total"), ": ", S.total, size="2", color_scheme="gray", aria_live="polite"),
                        _list_body(),
                        _pager(),
                        spacing="4", width="100%", padding_top="16px",
                    ),
                    value=S.tab,
                ),
                value=S.tab, on_change=S.set_tab, width="100%",
            ),
            spacing="4", width="100%",
        ),
        loading(),
    )
    return staff_shell(
        rx.vstack(
            realtime.reload_on_change(realtime.LiveState.clients, S.refresh),
            rx.flex(
                page_heading(t("clients.title"), rx.cond(SessionState.is_admin, t("clients.subtitle.admin"),
                                                         t("clients.subtitle.accountant"))),
                rx.spacer(),
                rx.hstack(
                    new_client_dialog(),
                    # A link styled as a button: a button inside a link is two nested controls.
                    rx.button(rx.link(rx.icon("file-spreadsheet", size=16), t("clients.import"),
                                      href=routes.STAFF_CLIENT_IMPORT, underline="none"),
                              as_child=True, variant="soft"),
                    # The firm's drop box for people without a client account (its request links).
                    rx.button(rx.icon("inbox", size=16), t("request.guest.button"), variant="soft",
                              on_click=StaffRequestsState.open_guest_account, title=t("request.guest.hint")),
                    spacing="2", wrap="wrap"),
                width="100%", align="start", gap="12px", wrap="wrap",
            ),
            notice(S.notice, tone="info"),
            notice(S.error, tone="error"),
            body,
            _details_dialog(),
            remind_dialog(),
            width="100%",
        ),
        active=routes.STAFF_CLIENTS,
    )
