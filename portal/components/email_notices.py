"""The labelled switch for the personal email notices."""

import reflex as rx

from portal.state.session import t


def email_notices_switch(state: type[rx.State], help_key: str) -> rx.Component:
    """Label, explanation and switch bound to ``state`` (an :class:`EmailNoticesMixin`)."""
    return rx.flex(
        rx.vstack(
            rx.el.label(t("profile.email_notices"), html_for="email-notices", font_weight="500"),
            rx.text(t(help_key), size="2", color_scheme="gray"),
            spacing="1", flex="1", min_width="0",
        ),
        rx.switch(id="email-notices", checked=state.email_notices, on_change=state.set_email_notices, size="3"),
        align="center", gap="16px", width="100%",
    )
