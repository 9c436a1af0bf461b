"""A client's "Dateianfragen" tab: request links with their arrivals, and the dialogs to
create, send again, edit and revoke them."""

import reflex as rx

from portal import realtime, routes
from portal.components.client_frame import client_frame
from portal.components.common import empty_state, notice
from portal.components.paging import load_more
from portal.state.session import t
from portal.state.upload_requests import OTHER, RequestItem
from portal.state.upload_requests import StaffRequestsState as R

_LABEL = {"font_size": "14px", "font_weight": "500"}
# The actions column needs a header for screen readers but no visible one.
_SCREEN_READER_ONLY = {"position": "absolute", "width": "1px", "height": "1px", "overflow": "hidden",
                       "clip": "rect(0 0 0 0)", "white_space": "nowrap"}


def status_badge(status: rx.Var) -> rx.Component:
    """Active, expired or revoked, in words and colour."""
    return rx.match(
        status,
        ("active", rx.badge(rx.icon("link", size=12), t("request.status.active"), color_scheme="green",
                            variant="soft")),
        ("expired", rx.badge(rx.icon("clock", size=12), t("request.status.expired"), color_scheme="gray",
                             variant="soft")),
        rx.badge(rx.icon("ban", size=12), t("request.status.revoked"), color_scheme="red", variant="soft"),
    )


def _menu(row: RequestItem) -> rx.Component:
    # Only an active link can be sent, copied or changed; the others keep their history.
    return rx.cond(
        row.status == "active",
        rx.dropdown_menu.root(
            rx.dropdown_menu.trigger(rx.icon_button(rx.icon("ellipsis-vertical", size=18), variant="ghost",
                                                    color_scheme="gray", size="3", aria_label=t("request.menu"))),
            rx.dropdown_menu.content(
                rx.dropdown_menu.item(rx.icon("send", size=14), t("request.resend"),
                                      on_click=R.start_action("send", row.id)),
                rx.dropdown_menu.item(rx.icon("copy", size=14), t("request.copy"), on_click=R.copy_link(row.id)),
                rx.dropdown_menu.item(rx.icon("pencil", size=14), t("request.edit"),
                                      on_click=R.start_action("edit", row.id)),
                rx.dropdown_menu.separator(),
                rx.dropdown_menu.item(rx.icon("ban", size=14), t("request.revoke"), color="red",
                                      on_click=R.start_action("revoke", row.id)),
            ),
        ),
        rx.box(width="40px", flex_shrink="0"),
    )


def _message(row: RequestItem, lines: int) -> rx.Component:
    return rx.cond(
        row.message != "",
        rx.text(row.message, weight="medium", style={"overflow_wrap": "anywhere", "display": "-webkit-box",
                                                     "-webkit-line-clamp": str(lines),
                                                     "-webkit-box-orient": "vertical", "overflow": "hidden"}),
        rx.text(t("request.no_message"), color_scheme="gray", style={"font_style": "italic"}),
    )


def _folder(row: RequestItem) -> rx.Component:
    return rx.hstack(rx.icon("folder", size=14, color="var(--gray-10)", flex_shrink="0"),
                     rx.text(row.folder, size="1", color_scheme="gray", style={"overflow_wrap": "anywhere"}),
                     spacing="1", align="center")


def _recipient(row: RequestItem) -> rx.Component:
    return rx.cond(
        row.recipient != "",
        rx.vstack(rx.text(row.recipient, size="2", style={"overflow_wrap": "anywhere"}),
                  rx.cond(row.last_sent != "", rx.text(t("request.last_sent"), " ", row.last_sent, size="1",
                                                       color_scheme="gray")),
                  spacing="0"),
        rx.text(t("request.no_recipient"), size="2", color_scheme="gray"),
    )


def _files(row: RequestItem) -> rx.Component:
    return rx.vstack(
        rx.hstack(rx.icon("file-up", size=14), rx.text(row.files, weight="bold", size="2"), spacing="1",
                  align="center", aria_label=t("request.files")),
        rx.cond(row.last_upload != "", rx.text(row.last_upload, size="1", color_scheme="gray")),
        spacing="0",
    )


def _table() -> rx.Component:
    return rx.table.root(
        rx.table.header(rx.table.row(
            rx.table.column_header_cell(t("request.message")),
            rx.table.column_header_cell(t("clients.col.status")),
            rx.table.column_header_cell(t("request.recipient")),
            rx.table.column_header_cell(t("request.expires")),
            rx.table.column_header_cell(t("request.files")),
            rx.table.column_header_cell(t("request.created")),
            rx.table.column_header_cell(rx.el.span(t("request.menu"), style=_SCREEN_READER_ONLY)),
        )),
        rx.table.body(rx.foreach(R.rows, lambda row: rx.table.row(
            rx.table.row_header_cell(rx.vstack(_message(row, 2), _folder(row), spacing="1"), max_width="320px"),
            rx.table.cell(status_badge(row.status)),
            rx.table.cell(_recipient(row), max_width="220px"),
            rx.table.cell(rx.text(rx.cond(row.expires != "", row.expires, t("request.no_expiry")), size="2",
                                  white_space="nowrap")),
            rx.table.cell(_files(row)),
            rx.table.cell(rx.vstack(rx.text(row.created, size="2", white_space="nowrap"),
                                    rx.text(t("request.by"), " ", row.created_by, size="1", color_scheme="gray"),
                                    spacing="0")),
            rx.table.cell(_menu(row)),
            align="center",
        ))),
        variant="surface", width="100%", display=["none", "none", "table"],
    )


def _detail(label: rx.Var, value: rx.Component) -> rx.Component:
    return rx.hstack(rx.text(label, size="1", color_scheme="gray", width="136px", flex_shrink="0", padding_top="2px"),
                     value, spacing="2", align="start", width="100%")


def _cards() -> rx.Component:
    return rx.vstack(
        rx.foreach(R.rows, lambda row: rx.card(
            rx.vstack(
                rx.hstack(rx.vstack(_message(row, 3), _folder(row), spacing="1", flex="1", min_width="0"),
                          _menu(row), width="100%", align="start"),
                rx.hstack(status_badge(row.status),
                          rx.hstack(rx.icon("file-up", size=14), rx.text(row.files, " ", t("request.files"), size="1"),
                                    spacing="1", align="center"),
                          spacing="3", align="center", wrap="wrap"),
                _detail(t("request.recipient"), _recipient(row)),
                _detail(t("request.expires"), rx.text(rx.cond(row.expires != "", row.expires,
                                                              t("request.no_expiry")), size="2")),
                rx.cond(row.last_upload != "", _detail(t("request.last_upload"), rx.text(row.last_upload, size="2"))),
                _detail(t("request.created"), rx.text(row.created, " · ", row.created_by, size="2")),
                spacing="2", width="100%",
            ),
            width="100%",
        )),
        spacing="2", width="100%", display=["flex", "flex", "none"],
    )


def _recipient_fields(select_id: str, email_id: str, default_email: rx.Var | str = "") -> rx.Component:
    return rx.vstack(
        rx.vstack(
            rx.el.label(t("request.recipient"), html_for=select_id, **_LABEL),
            rx.select.root(rx.select.trigger(id=select_id, width="100%"),
                           rx.select.content(rx.foreach(R.recipients, lambda o: rx.select.item(o.label, value=o.value)),
                                             z_index="60"),
                           value=R.recipient, on_change=R.set_recipient, size="3"),
            spacing="1", width="100%"),
        rx.cond(R.recipient == OTHER, rx.vstack(
            rx.el.label(t("request.email"), html_for=email_id, **_LABEL),
            rx.input(id=email_id, name="email", type="email", auto_complete="email", default_value=default_email,
                     required=True, max_length=254, width="100%", size="3"),
            spacing="1", width="100%")),
        spacing="3", width="100%",
    )


def _create_form() -> rx.Component:
    return rx.form(
        rx.vstack(
            rx.text(t("request.dialog.text"), size="2", color_scheme="gray"),
            rx.vstack(
                rx.el.label(t("request.folder"), html_for="request-folder", **_LABEL),
                rx.select.root(rx.select.trigger(id="request-folder", width="100%"),
                               rx.select.content(rx.foreach(R.folders, lambda o: rx.select.item(o.label,
                                                                                                value=o.value)),
                                                 z_index="60"),
                               value=R.folder, on_change=R.set_folder, size="3"),
                spacing="1", width="100%"),
            rx.vstack(
                rx.el.label(t("request.message"), html_for="request-message", **_LABEL),
                rx.text_area(id="request-message", name="message", max_length=2000, rows="4", width="100%",
                             placeholder=t("request.message.placeholder"), size="3"),
                spacing="1", width="100%"),
            rx.vstack(
                rx.el.label(t("request.expires"), html_for="request-expires", **_LABEL),
                rx.input(id="request-expires", name="expires", type="date", default_value=R.default_expiry,
                         min=R.min_expiry, width="100%", size="3", aria_describedby="request-expires-hint"),
                rx.text(t("request.expires.hint"), id="request-expires-hint", size="1", color_scheme="gray"),
                spacing="1", width="100%"),
            rx.el.label(rx.hstack(rx.checkbox(checked=R.send_email, on_change=R.set_send_email, size="2",
                                              aria_label=t("request.send_email")),
                                  rx.text(t("request.send_email"), size="2", weight="medium"), spacing="2",
                                  align="center"),
                        cursor="pointer"),
            rx.cond(R.send_email, _recipient_fields("request-recipient", "request-email")),
            notice(R.form_error, tone="error"),
            rx.hstack(
                rx.dialog.close(rx.button(t("common.cancel"), variant="soft", color_scheme="gray", type="button",
                                          size="3")),
                rx.button(rx.icon("link", size=16), t("request.create"), type="submit", size="3"),
                justify="end", width="100%", spacing="3", wrap="wrap",
            ),
            spacing="4", width="100%",
        ),
        on_submit=R.create, reset_on_submit=False, width="100%",
    )


def _created() -> rx.Component:
    return rx.vstack(
        rx.callout(rx.cond(R.created_notice != "", R.created_notice, t("request.created.text")), icon="circle-check",
                   color_scheme="green", role="status", width="100%"),
        rx.vstack(
            rx.el.label(t("request.link"), html_for="request-link", **_LABEL),
            rx.input(id="request-link", value=R.created_link, read_only=True, width="100%", size="3",
                     on_focus=rx.call_script("document.getElementById('request-link').select()")),
            spacing="1", width="100%"),
        rx.hstack(
            rx.button(rx.icon("copy", size=16), t("request.copy"), on_click=R.copy_created, type="button", size="3",
                      variant="soft"),
            rx.dialog.close(rx.button(t("request.close"), type="button", size="3")),
            justify="end", width="100%", spacing="3", wrap="wrap",
        ),
        spacing="4", width="100%",
    )


def _create_dialog() -> rx.Component:
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title(rx.cond(R.created_link != "", t("request.created.title"), t("request.new"))),
            rx.cond(R.created_link != "", _created(), _create_form()),
            max_width="540px",
        ),
        open=R.create_open, on_open_change=R.set_create_open,
    )


def _action_dialog() -> rx.Component:
    revoking = R.action == "revoke"
    fields = rx.match(
        R.action,
        ("send", _recipient_fields("resend-recipient", "resend-email", R.action_recipient_email)),
        ("edit", rx.vstack(
            rx.el.label(t("request.message"), html_for="edit-request-message", **_LABEL),
            rx.text_area(id="edit-request-message", name="message", default_value=R.action_message, key=R.action_id,
                         max_length=2000, rows="5", width="100%", size="3"),
            spacing="1", width="100%")),
        rx.text(t("request.revoke.text")),
    )
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title(rx.match(R.action, ("send", t("request.send.title")), ("edit", t("request.edit")),
                                     t("request.revoke.title"))),
            rx.form(
                rx.vstack(
                    fields,
                    notice(R.action_error, tone="error"),
                    rx.hstack(
                        rx.dialog.close(rx.button(t("common.cancel"), variant="soft", color_scheme="gray",
                                                  type="button", size="3")),
                        rx.button(rx.match(R.action, ("send", t("request.send")), ("edit", t("common.save")),
                                           t("request.revoke")),
                                  type="submit", size="3", color_scheme=rx.cond(revoking, "red", "teal")),
                        justify="end", width="100%", spacing="3",
                    ),
                    spacing="4", width="100%",
                ),
                on_submit=R.apply_action, reset_on_submit=False, width="100%",
            ),
            max_width="480px",
        ),
        open=R.action != "", on_open_change=R.set_action_open,
    )


def client_requests_page() -> rx.Component:
    """The page at :data:`routes.STAFF_CLIENT_REQUESTS`."""
    body = rx.vstack(
        rx.cond(R.is_guest, rx.callout(t("request.guest.hint"), icon="shield-check", color_scheme="blue",
                                       width="100%")),
        notice(R.error, tone="error"),
        rx.cond(R.rows.length() > 0, rx.fragment(_table(), _cards()),
                empty_state("link", t("request.empty.title"), t("request.empty.text"))),
        load_more(R.has_more, R.load_more),
        _create_dialog(),
        _action_dialog(),
        spacing="4", width="100%",
    )
    return client_frame(
        body, active=routes.STAFF_CLIENT_REQUESTS, loaded=R.loaded,
        subtitle=rx.text(t("request.subtitle"), color_scheme="gray", max_width="640px"),
        actions=rx.button(rx.icon("file-up", size=16), t("request.new"), on_click=R.open_create, size="3"),
        extra=(realtime.reload_on_change(realtime.LiveState.account, R.refresh),),
    )
