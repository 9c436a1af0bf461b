"""Admin: outgoing email, with failures and their reasons."""

import reflex as rx

from portal import routes
from portal.components.common import empty_state, loading, page_heading
from portal.components.paging import load_more
from portal.components.shell import staff_shell
from portal.state.outbox_view import STATUSES, OutboxItem, OutboxViewState
from portal.state.session import t

V = OutboxViewState


def _status(status: rx.Var) -> rx.Component:
    return rx.match(
        status,
        ("sent", rx.badge(t("outbox.status.sent"), color_scheme="green", variant="soft")),
        ("skipped", rx.badge(t("outbox.status.skipped"), color_scheme="gray", variant="soft")),
        ("failed", rx.badge(t("outbox.status.failed"), color_scheme="red", variant="soft")),
        rx.badge(t("outbox.status.queued"), color_scheme="blue", variant="soft"),
    )


def _row(item: OutboxItem) -> rx.Component:
    return rx.table.row(
        rx.table.cell(rx.text(item.created, white_space="nowrap", size="2")),
        rx.table.row_header_cell(rx.text(item.recipient, size="2", style={"overflow_wrap": "anywhere"})),
        rx.table.cell(rx.text(rx.match(item.template, ("password_reset", t("outbox.kind.password_reset")),
                                       ("talk_batch", t("outbox.kind.talk_batch")),
                                       ("client_messages", t("outbox.kind.client_messages")),
                                       ("upload_request", t("outbox.kind.upload_request")),
                                       ("digest", t("digest.outbox_kind")), item.template), size="2")),
        rx.table.cell(_status(item.status)),
        rx.table.cell(item.attempts),
        rx.table.cell(rx.text(item.error, size="1", color_scheme="gray", style={"overflow_wrap": "anywhere"})),
        rx.table.cell(rx.cond(item.status == "failed",
                              rx.button(rx.icon("rotate-cw", size=14), t("outbox.retry"), size="1", variant="soft",
                                        on_click=V.retry(item.id)))),
        align="center",
    )


def outbox_page() -> rx.Component:
    """The page at :data:`routes.STAFF_OUTBOX`."""
    table = rx.box(
        rx.table.root(
            rx.table.header(rx.table.row(*[rx.table.column_header_cell(t(f"outbox.col.{c}")) for c in
                                           ("created", "to", "kind", "status", "attempts", "error", "action")])),
            rx.table.body(rx.foreach(V.rows, _row)),
            variant="surface", width="100%",
        ),
        overflow_x="auto", width="100%",
    )
    return staff_shell(
        rx.vstack(
            page_heading(t("outbox.title"), t("outbox.subtitle")),
            rx.hstack(
                rx.box(rx.segmented_control.root(*[rx.segmented_control.item(t(f"outbox.filter.{s}"), value=s)
                                                   for s in STATUSES],
                                                 value=V.status, on_change=V.set_status, aria_label=t("outbox.title")),
                       overflow_x="auto", max_width="100%"),
                rx.spacer(),
                rx.button(rx.icon("refresh-cw", size=14), t("outbox.refresh"), variant="soft", on_click=V.load),
                width="100%", wrap="wrap",
            ),
            rx.cond(V.loaded, rx.cond(V.rows.length() > 0, table,
                                      empty_state("mail", t("outbox.empty.title"), t("outbox.empty.text"))),
                    loading()),
            load_more(V.has_more, V.load_more),
            spacing="4", width="100%",
        ),
        active=routes.STAFF_OUTBOX,
    )
