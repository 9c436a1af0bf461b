"""A client's "Protokoll" tab: who did what, when, filtered by kind, exported as CSV or PDF."""

import reflex as rx

from portal import routes
from portal.components.client_frame import client_frame
from portal.components.common import ACCENT, empty_state
from portal.components.paging import load_more
from portal.state.audit import ALL, KINDS, ProtocolRow
from portal.state.audit import ClientProtocolState as S
from portal.state.session import t

_LABEL = {"font_size": "14px", "font_weight": "500"}
_WRAP = {"overflow_wrap": "anywhere"}


def _action(row: ProtocolRow, *, one_line: bool = False) -> rx.Component:
    return rx.hstack(
        rx.center(rx.icon(row.icon, size=14, color=f"var(--{ACCENT}-11)"), width="26px", height="26px",
                  border_radius="50%", background=f"var(--{ACCENT}-3)", flex_shrink="0", aria_hidden="true"),
        rx.text(row.what, size="2", weight="medium", white_space="nowrap" if one_line else "normal"),
        spacing="2", align="center",
    )


def _who(row: ProtocolRow) -> rx.Component:
    return rx.vstack(rx.text(row.who, size="2", style=_WRAP),
                     rx.cond(row.side != "", rx.text(row.side, size="1", color_scheme="gray")), spacing="0")


def _table() -> rx.Component:
    return rx.table.root(
        # Names the table for screen readers (Radix puts props on a wrapper, not on the table).
        rx.el.caption(t("audit.list"), class_name="sr-only"),
        rx.table.header(rx.table.row(
            rx.table.column_header_cell(t("audit.col.at"), width="150px"),
            rx.table.column_header_cell(t("audit.col.who")),
            rx.table.column_header_cell(t("audit.col.what")),
            rx.table.column_header_cell(t("audit.col.object")),
            rx.table.column_header_cell(t("audit.col.details")),
        )),
        rx.table.body(rx.foreach(S.rows, lambda row: rx.table.row(
            rx.table.cell(rx.text(row.at, size="2", white_space="nowrap")),
            rx.table.cell(_who(row), min_width="150px", max_width="220px"),
            rx.table.row_header_cell(_action(row, one_line=True)),
            rx.table.cell(rx.text(row.object, size="2", style=_WRAP), max_width="280px"),
            rx.table.cell(rx.text(row.details, size="1", color_scheme="gray", style=_WRAP), min_width="200px",
                          max_width="320px"),
        ))),
        variant="surface", width="100%", display=["none", "none", "table"],
    )


def _cards() -> rx.Component:
    return rx.vstack(
        rx.foreach(S.rows, lambda row: rx.card(
            rx.vstack(
                rx.flex(_action(row), rx.text(row.at, size="1", color_scheme="gray", white_space="nowrap"),
                        justify="between", align="center", gap="8px", wrap="wrap", width="100%"),
                rx.text(row.who, rx.cond(row.side != "", " · " + row.side, ""), size="2", style=_WRAP),
                rx.cond(row.object != "", rx.text(row.object, size="2", weight="medium", style=_WRAP)),
                rx.cond(row.details != "", rx.text(row.details, size="1", color_scheme="gray", style=_WRAP)),
                spacing="1", width="100%",
            ),
            width="100%", role="listitem",
        )),
        spacing="2", width="100%", display=["flex", "flex", "none"], role="list", aria_label=t("audit.list"),
    )


def _filter() -> rx.Component:
    return rx.flex(
        rx.el.label(t("audit.filter.label"), html_for="protocol-kind", **_LABEL),
        rx.select.root(
            rx.select.trigger(id="protocol-kind", width=["100%", "260px"]),
            rx.select.content(*[rx.select.item(t(kind.label_key), value=kind.value) for kind in KINDS]),
            value=S.kind, on_change=S.set_kind, size="2",
        ),
        gap="8px", align=rx.breakpoints(initial="start", sm="center"),
        direction=rx.breakpoints(initial="column", sm="row"), width="100%",
    )


def _kind_name() -> rx.Component:
    """The filter's current choice in words (the export applies it too)."""
    return rx.text.strong(rx.match(S.kind, *[(kind.value, t(kind.label_key)) for kind in KINDS],
                                   t("audit.filter.all")))


def _date(label_key: str, field_id: str, value: rx.Var, on_change) -> rx.Component:
    return rx.vstack(
        rx.el.label(t(label_key), html_for=field_id, **_LABEL),
        rx.input(id=field_id, type="date", value=value, on_change=on_change, width="100%", size="3",
                 aria_describedby="protocol-period-hint"),
        spacing="1", flex="1", min_width="140px",
    )


def _export_dialog() -> rx.Component:
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title(t("audit.export")),
            rx.dialog.description(t("audit.export.text"), size="2", color_scheme="gray"),
            rx.vstack(
                rx.flex(_date("audit.export.since", "protocol-since", S.since, S.set_since),
                        _date("audit.export.until", "protocol-until", S.until, S.set_until),
                        gap="12px", wrap="wrap", width="100%"),
                rx.text(t("audit.export.period_hint"), id="protocol-period-hint", size="1", color_scheme="gray"),
                rx.text(t("audit.filter.label"), ": ", _kind_name(), size="2"),
                rx.flex(
                    rx.button(rx.icon("file-spreadsheet", size=16), t("audit.export.csv"), type="button", size="3",
                              on_click=S.download("csv"), flex="1", min_width="190px"),
                    rx.button(rx.icon("file-text", size=16), t("audit.export.pdf"), type="button", size="3",
                              on_click=S.download("pdf"), flex="1", min_width="190px"),
                    gap="8px", wrap="wrap", width="100%",
                ),
                rx.flex(rx.dialog.close(rx.button(t("audit.export.close"), variant="soft", color_scheme="gray",
                                                  type="button", size="3")),
                        justify="end", width="100%"),
                spacing="3", width="100%", margin_top="12px",
            ),
            max_width="520px",
        ),
        open=S.export_open, on_open_change=S.set_export_open,
    )


def client_protocol_page() -> rx.Component:
    """The page at :data:`routes.STAFF_CLIENT_PROTOCOL`."""
    listing = rx.vstack(
        _filter(),
        rx.cond(S.rows.length() > 0, rx.fragment(_table(), _cards()),
                empty_state("scroll-text", t("audit.empty.title"),
                            rx.cond(S.kind == ALL, t("audit.empty.text"), t("audit.empty.filtered")))),
        load_more(S.has_more, S.load_more),
        _export_dialog(),
        spacing="4", width="100%",
    )
    body = rx.cond(S.no_access, empty_state("shield-off", t("audit.no_access.title"), t("audit.no_access.text")),
                   listing)
    return client_frame(
        body, active=routes.STAFF_CLIENT_PROTOCOL, loaded=S.loaded,
        subtitle=rx.text(t("audit.subtitle"), color_scheme="gray", max_width="640px"),
        actions=rx.cond(~S.no_access, rx.button(rx.icon("download", size=16), t("audit.export"), variant="soft",
                                                size="3", on_click=S.open_export)),
    )
