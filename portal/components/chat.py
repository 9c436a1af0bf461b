"""Chat bubbles of a talk: the firm on the left, the client on the right in yellow."""

import reflex as rx

from portal.components.common import ACCENT
from portal.state.session import t
from portal.state.talk_view import AttachmentItem, MessageItem


def delivery_mark(delivery: rx.Var) -> rx.Component:
    """Sent / delivered / read, as icon and words (colour is never the only signal)."""
    return rx.match(
        delivery,
        ("read", rx.hstack(rx.icon("check-check", size=14, color=f"var(--{ACCENT}-11)"),
                           rx.text(t("talk.read"), size="1"), spacing="1", align="center")),
        ("delivered", rx.hstack(rx.icon("check-check", size=14), rx.text(t("talk.delivered"), size="1"),
                                spacing="1", align="center")),
        rx.hstack(rx.icon("check", size=14), rx.text(t("talk.sent"), size="1"), spacing="1", align="center"),
    )


def attachment_chip(item: AttachmentItem) -> rx.Component:
    """A downloadable file under a bubble."""
    return rx.link(
        rx.hstack(rx.icon("paperclip", size=14), rx.text(item.name, size="2", trim="both"), spacing="1",
                  align="center"),
        href=item.url, is_external=False, download=True, underline="hover",
    )


def _message_menu(message: MessageItem, on_delete, on_edit) -> rx.Component:
    return rx.dropdown_menu.root(
        rx.dropdown_menu.trigger(rx.icon_button(rx.icon("ellipsis", size=14), size="1", variant="ghost",
                                                color_scheme="gray", aria_label=t("talk.menu"))),
        rx.dropdown_menu.content(
            rx.dropdown_menu.item(rx.icon("pencil", size=14), t("talk.edit"), on_select=on_edit(message.id)),
            rx.dropdown_menu.item(rx.icon("trash-2", size=14), t("talk.delete"), color="red",
                                  on_select=on_delete(message.id)),
            z_index="60",
        ),
    )


def _bubble(message: MessageItem, on_delete, can_delete: rx.Var, on_edit=None) -> rx.Component:
    background = rx.cond(message.internal, "var(--gray-3)",
                         rx.cond(message.from_client, "var(--amber-3)", f"var(--{ACCENT}-3)"))
    border = rx.cond(message.internal, "1px dashed var(--gray-7)",
                     rx.cond(message.from_client, "1px solid var(--amber-6)", f"1px solid var(--{ACCENT}-6)"))
    body = rx.cond(
        message.deleted,
        rx.text(t("talk.deleted"), size="2", style={"font_style": "italic"}, color_scheme="gray"),
        rx.text(message.body, size="3", white_space="pre-wrap", style={"overflow_wrap": "anywhere"}),
    )
    delete = rx.cond(
        message.mine & ~message.deleted & can_delete,
        _message_menu(message, on_delete, on_edit) if on_edit is not None else
        rx.icon_button(rx.icon("x", size=14), size="1", variant="ghost", color_scheme="gray",
                       aria_label=t("talk.delete"), title=t("talk.delete"),
                       on_click=on_delete(message.id)),
    )
    return rx.box(
        rx.vstack(
            rx.hstack(rx.text(message.sender, size="1", weight="bold"), rx.spacer(), delete, width="100%",
                      align="center"),
            body,
            rx.cond(message.attachments.length() > 0,
                    rx.vstack(rx.foreach(message.attachments, attachment_chip), spacing="1")),
            rx.hstack(rx.text(message.time, size="1"),
                      rx.cond(message.edited & ~message.deleted, rx.text(t("talk.edited"), size="1",
                                                                         style={"font_style": "italic"})),
                      rx.cond(message.mine, delivery_mark(message.delivery)),
                      spacing="3", align="center", color="var(--gray-11)"),
            spacing="1", align="stretch",
        ),
        background=background, border=border, padding="10px 12px", border_radius="14px",
        max_width="85%", align_self=rx.cond(message.from_client, "flex-end", "flex-start"),
        min_width="160px",
    )


def chat_log(messages: rx.Var, *, on_delete, can_delete: rx.Var, log_id: str, older: rx.Var, on_older,
             on_edit=None) -> rx.Component:
    """The messages of a thread as a live region, newest at the bottom.

    A long thread shows its newest messages; ``older`` offers ``on_older`` above them.
    With ``on_edit`` the author gets a three-dot menu (edit, delete); without, a delete button.
    """
    return rx.flex(
        rx.cond(older, rx.center(rx.button(t("lists.load_older"), variant="soft", size="1", on_click=on_older),
                                 width="100%")),
        rx.foreach(messages, lambda m: _bubble(m, on_delete, can_delete, on_edit)),
        direction="column", gap="10px", width="100%", role="log", aria_live="polite",
        aria_label=t("talk.messages"), id=log_id,
        # A chat opens at its newest message: scroll the sheet around the log to its end.
        on_mount=rx.call_script(
            f"(() => {{ let box = document.getElementById('{log_id}');"
            " while (box && !['auto', 'scroll'].includes(getComputedStyle(box).overflowY)) box = box.parentElement;"
            " if (box) box.scrollTop = box.scrollHeight; })()"),
    )


def talk_status_icon(status: rx.Var) -> rx.Component:
    """The booking's talk state as in FIBUscan: empty bubble, bubble with dots, internal."""
    def icon(name: str, key: str, colour: str) -> rx.Component:
        return rx.tooltip(rx.box(rx.icon(name, size=18, color=colour), rx.text(t(key), class_name="sr-only"),
                                 display="inline-flex"), content=t(key))

    return rx.match(
        status,
        ("waiting", icon("message-circle", "talk.status.waiting", f"var(--{ACCENT}-11)")),
        ("answered", icon("message-circle-more", "talk.status.answered", "var(--amber-11)")),
        ("internal", icon("lock", "talk.status.internal", "var(--gray-11)")),
        ("closed", icon("circle-check", "talk.status.closed", "var(--gray-9)")),
        rx.fragment(),
    )
