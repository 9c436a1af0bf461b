"""The client's talk view: the firm's question, the answers, the receipt upload."""

import reflex as rx

from portal import realtime
from portal.components.chat import chat_log
from portal.components.common import ACCENT, notice
from portal.components.sheet import side_sheet
from portal.settings import get_settings
from portal.state.portal_talk import UPLOAD_ID, PortalTalkState
from portal.state.session import t

P = PortalTalkState
ACCEPT = {"application/pdf": [".pdf"], "image/jpeg": [".jpg", ".jpeg"], "image/png": [".png"],
          "image/heic": [".heic"], "image/*": []}


def _upload_zone() -> rx.Component:
    return rx.vstack(
        rx.upload.root(
            rx.vstack(
                rx.icon("camera", size=26, color=f"var(--{ACCENT}-11)"),
                rx.text(t("upload.receipt.title"), weight="bold"),
                rx.text(t("upload.receipt.hint"), size="1", color_scheme="gray", align="center"),
                align="center", spacing="1",
            ),
            id=UPLOAD_ID, accept=ACCEPT, max_files=1, multiple=False,
            max_size=get_settings().max_upload_mb * 1024 * 1024,
            on_drop=P.upload_receipt(rx.upload_files_chunk(upload_id=UPLOAD_ID, on_upload_progress=P.set_progress)),
            on_drop_rejected=P.set_progress({"progress": 0}),
            border=f"2px dashed var(--{ACCENT}-7)", border_radius="12px", padding="20px", width="100%",
            cursor="pointer", background=f"var(--{ACCENT}-2)", aria_label=t("upload.receipt.title"),
        ),
        rx.cond(P.uploading, rx.vstack(rx.progress(value=P.progress, max=100, width="100%"),
                                       rx.text(t("upload.progress"), " ", P.progress, " %", size="1"),
                                       width="100%", spacing="1")),
        notice(P.upload_error, tone="error"),
        rx.text(t("upload.receipt.limits"), " ", get_settings().max_upload_mb, " MB", size="1", color_scheme="gray"),
        width="100%", spacing="2",
    )


def _answer_form() -> rx.Component:
    return rx.form(
        rx.vstack(
            rx.el.label(t("talk.answer"), html_for="portal-talk-body", font_size="14px", font_weight="500"),
            rx.text_area(id="portal-talk-body", name="body", required=True, max_length=10_000, rows="3",
                         width="100%", placeholder=t("talk.placeholder")),
            notice(P.error, tone="error"),
            rx.button(rx.icon("send", size=16), t("talk.send"), type="submit", width="100%", size="3"),
            spacing="2", width="100%",
        ),
        on_submit=P.send, reset_on_submit=False, width="100%",
    )


def talk_drawer() -> rx.Component:
    """The talk as a sheet over the page; full screen on phones."""
    booking = P.booking
    return side_sheet(
        realtime.reload_on_change(realtime.ThreadRoom.version, P.refresh),
        rx.hstack(
            rx.vstack(
                rx.drawer.title(booking.counterparty, size="5", weight="bold"),
                rx.hstack(rx.text(booking.date, size="2", color_scheme="gray"),
                          rx.text(booking.amount, size="2", weight="bold"), spacing="3"),
                rx.text(booking.text, size="2", color_scheme="gray"),
                spacing="1",
            ),
            rx.spacer(),
            rx.drawer.close(rx.icon_button(rx.icon("x"), variant="ghost", size="3", aria_label=t("talk.close_flyout"))),
            width="100%", align="start",
        ),
        chat_log(P.messages, on_delete=P.delete_message, can_delete=P.thread_open, log_id="portal-talk-log"),
        rx.cond(
            P.thread_open,
            rx.vstack(_upload_zone(), _answer_form(), spacing="4", width="100%"),
            rx.callout(t("talk.closed_note"), icon="circle-check", color_scheme="gray", width="100%"),
        ),
        is_open=P.is_open, on_open_change=P.set_is_open, label=t("talk.title"), desktop_width="560px",
    )
