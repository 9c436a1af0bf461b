"""Thread lists, the thread sheet and the "new conversation" dialog, for both sides."""

import reflex as rx

from portal import realtime
from portal.components.chat import chat_log
from portal.components.common import ACCENT, empty_state, notice
from portal.components.sheet import side_sheet
from portal.components.tasks import task_checklist
from portal.components.upload_zone import name_file_input
from portal.settings import get_settings
from portal.state.conversations import NewConversationForm, ThreadRow
from portal.state.session import t
from portal.state.tasks import TaskPanelState
from portal.state.thread_panel import ATTACH_UPLOAD_ID, ThreadPanelState

P = ThreadPanelState
N = NewConversationForm
EMOJIS = ("😊", "👍", "🙏", "👋", "✅", "📎", "📄", "🧾", "💶", "📅", "⏰", "❓", "❗", "🎉", "🙂", "😀")


def emoji_picker(target_id: str) -> rx.Component:
    """A popover of emojis that are appended to the text box ``target_id``."""
    return rx.popover.root(
        rx.popover.trigger(rx.icon_button(rx.icon("smile", size=16), variant="soft", type="button",
                                          aria_label=t("emoji.open"))),
        rx.popover.content(
            rx.grid(*[rx.button(e, variant="ghost", type="button", size="2", aria_label=e,
                                on_click=rx.call_script(
                                    f"(() => {{ const box = document.getElementById('{target_id}');"
                                    f" box.value += '{e}'; box.focus(); }})()"))
                      for e in EMOJIS], columns="8", spacing="1"),
            z_index="60",
        ),
    )


def thread_row(row: ThreadRow) -> rx.Component:
    """A thread in a list: italic with its close time when closed."""
    return rx.el.button(
        rx.card(
            rx.vstack(
                rx.hstack(
                    rx.cond(row.needs_action, rx.badge(t("threads.needs_action"), color_scheme="orange",
                                                       variant="solid", radius="full")),
                    rx.cond(row.booking_talk, rx.icon("receipt-euro", size=16, color="var(--gray-11)"),
                            rx.cond(row.uploads,
                                    rx.icon("file-up", size=16, color="var(--gray-11)",
                                            aria_label=t("request.uploads_thread")),
                                    rx.cond(row.signup,
                                            rx.icon("user-plus", size=16, color="var(--gray-11)",
                                                    aria_label=t("signup.thread.label")),
                                            rx.icon("messages-square", size=16, color="var(--gray-11)")))),
                    rx.text(row.subject, weight="bold", size="3", trim="both",
                            style={"font_style": rx.cond(row.closed, "italic", "normal")}),
                    rx.cond(row.private, rx.badge(rx.icon("lock", size=12), t("threads.private"), variant="soft",
                                                  color_scheme="gray")),
                    rx.spacer(),
                    rx.text(row.last_at, size="1", color_scheme="gray", white_space="nowrap"),
                    width="100%", align="center", wrap="wrap",
                ),
                rx.cond(row.account_name != "", rx.text(row.account_name, size="1", color_scheme="gray")),
                rx.text(row.preview, size="2", color_scheme="gray", trim="both",
                        style={"font_style": rx.cond(row.closed, "italic", "normal"), "overflow_wrap": "anywhere"}),
                rx.cond(row.closed, rx.text(t("threads.closed_at"), " ", row.closed_at, size="1",
                                            color_scheme="gray", style={"font_style": "italic"})),
                spacing="1", width="100%", align="stretch",
            ),
            width="100%",
        ),
        on_click=P.open_thread(row.id, row.account_name), type="button",
        aria_label=t("threads.open") + ": " + row.subject,
        style={"all": "unset", "cursor": "pointer", "display": "block", "width": "100%"},
    )


def thread_list(rows: rx.Var, *, empty_title: rx.Var, empty_text: rx.Var) -> rx.Component:
    """Threads, newest activity first, or a friendly empty state."""
    return rx.cond(rows.length() > 0, rx.vstack(rx.foreach(rows, thread_row), spacing="2", width="100%"),
                   empty_state("messages-square", empty_title, empty_text))


def _attach_zone() -> rx.Component:
    return rx.vstack(
        name_file_input(rx.upload.root(
            rx.cond(
                P.is_booking_talk,
                # A receipt is what the firm asked for: invite the camera on phones.
                rx.vstack(rx.icon("camera", size=26, color=f"var(--{ACCENT}-11)"),
                          rx.text(t("upload.receipt.title"), weight="bold", align="center"),
                          rx.text(t("upload.receipt.hint"), size="1", color_scheme="gray", align="center"),
                          align="center", spacing="1", padding_y="8px"),
                rx.hstack(rx.icon("paperclip", size=18, color=f"var(--{ACCENT}-11)"),
                          rx.text(t("threads.attach"), size="2", weight="medium"), align="center", spacing="2"),
            ),
            id=ATTACH_UPLOAD_ID, max_files=1, multiple=False, max_size=get_settings().max_upload_mb * 1024 * 1024,
            accept={"application/pdf": [".pdf"], "image/jpeg": [".jpg", ".jpeg"], "image/png": [".png"],
                    "image/heic": [".heic"], "image/*": []},
            on_drop=P.attach(rx.upload_files_chunk(upload_id=ATTACH_UPLOAD_ID, on_upload_progress=P.set_progress)),
            border=f"1px dashed var(--{ACCENT}-7)", border_radius="10px", padding="12px", width="100%",
            cursor="pointer", aria_label=t("threads.attach"),
        ), rx.cond(P.is_booking_talk, t("upload.receipt.title"), t("threads.attach"))),
        rx.cond(P.uploading, rx.vstack(rx.progress(value=P.progress, max=100, width="100%"),
                                       rx.text(t("upload.progress"), " ", P.progress, " %", size="1"),
                                       width="100%", spacing="1")),
        notice(P.upload_error, tone="error"),
        rx.text(t("upload.receipt.limits"), " ", get_settings().max_upload_mb, " ", t("unit.megabytes"), size="1", color_scheme="gray"),
        width="100%", spacing="1",
    )


def _edit_form() -> rx.Component:
    # Inline in the sheet: a dialog would open beneath the sheet's overlay.
    return rx.form(
        rx.vstack(
            rx.el.label(t("talk.edit"), html_for="thread-edit", font_size="14px", font_weight="500"),
            rx.text_area(id="thread-edit", name="body", default_value=P.edit_body, key=P.edit_id, rows="4",
                         width="100%", required=True, max_length=10_000),
            notice(P.error, tone="error"),
            rx.hstack(rx.button(t("talk.cancel"), variant="soft", color_scheme="gray", type="button",
                                on_click=P.set_edit_open(False)),
                      rx.spacer(), rx.button(t("talk.save"), type="submit"), width="100%"),
            spacing="2", width="100%",
        ),
        on_submit=P.save_edit, reset_on_submit=False, width="100%",
    )


def thread_sheet() -> rx.Component:
    """The open thread: messages, answer box with emoji and attachment, close if allowed."""
    compose = rx.form(
        rx.vstack(
            rx.el.label(t("talk.answer"), html_for="thread-body", font_size="14px", font_weight="500"),
            rx.text_area(id="thread-body", name="body", required=True, max_length=10_000, rows="3", width="100%",
                         placeholder=t("talk.placeholder")),
            notice(P.error, tone="error"),
            rx.hstack(emoji_picker("thread-body"), rx.spacer(),
                      rx.button(rx.icon("send", size=16), t("talk.send"), type="submit"),
                      width="100%", align="center"),
            spacing="2", width="100%",
        ),
        on_submit=P.send, reset_on_submit=False, width="100%",
    )
    header = rx.hstack(
        rx.vstack(
            rx.drawer.title(P.subject, size="5", weight="bold", style={"overflow_wrap": "anywhere"}),
            rx.cond(P.account_name != "", rx.text(P.account_name, size="2", color_scheme="gray")),
            rx.cond(P.is_booking_talk, rx.vstack(
                rx.hstack(rx.text(P.booking.date, size="2", color_scheme="gray"),
                          rx.text(P.booking.amount, size="2", weight="bold"), spacing="3"),
                rx.text(P.booking.text, size="2", color_scheme="gray"), spacing="1")),
            # Up here, not beside "Send": the message box stays narrow enough for a phone.
            rx.cond(P.thread_open & P.can_close,
                    rx.button(rx.icon("archive", size=16), t("conversation.close"), type="button",
                              color_scheme="red", variant="soft", size="1", margin_top="4px",
                              on_click=P.close_thread)),
            spacing="1", min_width="0",
        ),
        rx.spacer(),
        rx.drawer.close(rx.icon_button(rx.icon("x"), variant="ghost", size="3", aria_label=t("talk.close_flyout"))),
        width="100%", align="start",
    )
    return side_sheet(
        realtime.reload_on_change(realtime.LiveState.thread, P.refresh),
        # The checklist follows the thread shown and its live changes.
        realtime.reload_on_change(P.thread_id, TaskPanelState.refresh),
        realtime.reload_on_change(realtime.LiveState.tasks, TaskPanelState.refresh),
        task_checklist(open_thread=P.thread_open),
        chat_log(P.messages, on_delete=P.delete_message, on_edit=P.start_edit, can_delete=P.thread_open,
                 log_id="thread-log", older=P.older_messages, on_older=P.load_older),
        # Under the newest message; the answer box itself stays pinned below.
        rx.cond(P.thread_open & ~P.edit_open, _attach_zone()),
        footer=rx.cond(P.thread_open,
                       rx.cond(P.edit_open, _edit_form(), compose),
                       rx.callout(rx.text(rx.cond(P.is_booking_talk, t("talk.closed_note"), t("threads.closed_at")),
                                          " ", P.closed_at), icon="archive", color_scheme="gray", width="100%")),
        header=header, is_open=P.is_open, on_open_change=P.set_is_open, label=t("threads.sheet"),
        desktop_width="560px",
    )


def new_conversation_dialog(*, recipient_label: rx.Var) -> rx.Component:
    """Start a conversation: account, recipient, subject, message."""
    return rx.fragment(
        rx.button(rx.icon("plus", size=16), t("conversation.new"), on_click=N.prepare),
        rx.dialog.root(
            rx.dialog.content(
                rx.dialog.title(t("conversation.new")),
                rx.form(
                    rx.vstack(
                        rx.cond(N.accounts.length() > 1, rx.vstack(
                            rx.el.label(t("conversation.account"), html_for="new-account", font_size="14px"),
                            rx.select.root(rx.select.trigger(id="new-account", width="100%"),
                                           rx.select.content(rx.foreach(N.accounts, lambda o: rx.select.item(
                                               o.label, value=o.value)), z_index="60"),
                                           value=N.account, on_change=N.set_account),
                            spacing="1", width="100%")),
                        rx.vstack(
                            rx.el.label(recipient_label, html_for="new-recipient", font_size="14px"),
                            rx.select.root(rx.select.trigger(id="new-recipient", width="100%"),
                                           rx.select.content(rx.foreach(N.recipients, lambda o: rx.select.item(
                                               o.label, value=o.value)), z_index="60"),
                                           value=N.recipient, on_change=N.set_recipient),
                            spacing="1", width="100%"),
                        rx.vstack(
                            rx.el.label(t("conversation.subject"), html_for="new-subject", font_size="14px"),
                            rx.input(id="new-subject", name="subject", required=True, max_length=200, width="100%"),
                            spacing="1", width="100%"),
                        rx.vstack(
                            rx.el.label(t("talk.message"), html_for="new-body", font_size="14px"),
                            rx.text_area(id="new-body", name="body", required=True, max_length=10_000, rows="4",
                                         width="100%"),
                            spacing="1", width="100%"),
                        notice(N.new_error, tone="error"),
                        # Wraps on a phone: "start" moves under the others, still on the right.
                        rx.flex(rx.box(emoji_picker("new-body"), margin_right="auto"),
                                rx.dialog.close(rx.button(t("talk.close_flyout"), variant="soft",
                                                          color_scheme="gray", type="button")),
                                rx.button(rx.icon("send", size=16), t("conversation.start"), type="submit"),
                                width="100%", wrap="wrap", justify="end", gap="8px"),
                        spacing="3", width="100%",
                    ),
                    on_submit=N.create, reset_on_submit=False,
                ),
                max_width="560px",
            ),
            open=N.new_open, on_open_change=N.set_new_open,
        ),
    )
