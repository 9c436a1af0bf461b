"""The checklist of client tasks inside the thread sheet."""

import reflex as rx

from portal.components.common import ACCENT, notice
from portal.components.upload_zone import upload_zone
from portal.state.session import SessionState, t
from portal.state.tasks import TASK_UPLOAD_ID, TaskFileItem, TaskItem
from portal.state.tasks import TaskPanelState as K


def _file(item: TaskFileItem) -> rx.Component:
    return rx.link(rx.hstack(rx.icon("paperclip", size=12), rx.text(item.name, size="1"), spacing="1",
                             align="center"), href=item.href, aria_label=t("documents.download") + ": " + item.name)


def _item(item: TaskItem, *, open_thread: rx.Var) -> rx.Component:
    staff = SessionState.kind == "staff"
    return rx.vstack(
        rx.flex(
            rx.checkbox(checked=item.done, on_change=lambda done: K.set_task_done(item.id, done), size="3",
                        disabled=~open_thread, aria_label=item.text),
            rx.vstack(
                rx.text(item.text, size="2", weight="medium",
                        text_decoration=rx.cond(item.done, "line-through", "none"),
                        style={"overflow_wrap": "anywhere"}),
                rx.cond(item.done, rx.text(t("task.done"), " ", item.done_note, size="1", color_scheme="green")),
                rx.flex(rx.foreach(item.files, _file), gap="8px", wrap="wrap"),
                spacing="1", flex="1", min_width="0",
            ),
            rx.cond(open_thread, rx.hstack(
                rx.icon_button(rx.icon("upload", size=16), variant="soft", size="2",
                               on_click=K.choose_upload(item.id), aria_label=t("task.upload") + ": " + item.text),
                rx.cond(staff, rx.icon_button(rx.icon("trash-2", size=16), variant="ghost", color_scheme="red",
                                              size="2", on_click=K.remove(item.id),
                                              aria_label=t("task.remove") + ": " + item.text)),
                spacing="1")),
            gap="10px", align="center", width="100%",
        ),
        width="100%", padding_y="8px", border_bottom="1px solid var(--gray-a4)", role="listitem",
    )


def task_checklist(*, open_thread: rx.Var) -> rx.Component:
    """Checklist with progress; staff add items; both sides tick and upload against items."""
    add_form = rx.form(
        rx.flex(
            rx.input(id="task-text", name="text", placeholder=t("task.placeholder"), max_length=500, required=True,
                     flex="1", min_width="0", size="2", aria_label=t("task.new")),
            rx.button(rx.icon("list-plus", size=16), t("task.add"), type="submit", variant="soft", size="2"),
            gap="8px", width="100%",
        ),
        on_submit=K.add, reset_on_submit=False, width="100%",
    )
    checklist = rx.cond(
        (K.items.length() > 0) | ((SessionState.kind == "staff") & open_thread),
        rx.vstack(
            rx.hstack(
                rx.icon("list-checks", size=18, color=f"var(--{ACCENT}-11)"),
                rx.text(t("task.title"), weight="bold", size="2"),
                rx.spacer(),
                rx.cond(K.items.length() > 0,
                        rx.badge(K.done_count, " / ", K.items.length(), " ", t("task.progress"),
                                 color_scheme=rx.cond(K.done_count == K.items.length(), "green", "gray"))),
                width="100%", align="center",
            ),
            rx.cond(K.items.length() > 0,
                    rx.progress(value=K.done_count, max=K.items.length(), width="100%",
                                aria_label=t("task.title"))),
            rx.box(rx.foreach(K.items, lambda item: _item(item, open_thread=open_thread)), width="100%",
                   role="list", aria_label=t("task.title")),
            rx.cond(K.upload_task_id != 0, rx.vstack(
                rx.text(t("task.upload_for"), " ", rx.text.strong(K.upload_task_text), size="2"),
                upload_zone(K, TASK_UPLOAD_ID, receive=K.receive),
                spacing="2", width="100%")),
            rx.cond((SessionState.kind == "staff") & open_thread, add_form),
            notice(K.task_error, tone="error"),
            spacing="2", width="100%", padding="12px", border_radius="10px",
            border="1px solid var(--gray-a5)", background="var(--gray-a2)",
        ),
    )
    # The sheet's content mounts when it opens: load the checklist of the thread shown then.
    return rx.box(checklist, on_mount=K.refresh, width="100%")
