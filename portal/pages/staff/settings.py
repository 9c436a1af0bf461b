"""Firm settings (admins)."""

import reflex as rx

from portal import routes
from portal.components.common import loading, page_heading
from portal.components.shell import staff_shell
from portal.state.firm_settings import FirmSettingsState
from portal.state.session import t


def settings_page() -> rx.Component:
    """The page at :data:`routes.STAFF_SETTINGS`."""
    return staff_shell(
        rx.vstack(
            page_heading(t("settings.title"), t("settings.subtitle")),
            rx.cond(
                FirmSettingsState.loaded,
                rx.card(
                    rx.hstack(
                        rx.vstack(rx.el.label(t("settings.read_marks"), html_for="read-marks", font_weight="500"),
                                  rx.text(t("settings.read_marks.help"), size="2", color_scheme="gray"),
                                  spacing="1", flex="1"),
                        rx.switch(id="read-marks", checked=FirmSettingsState.read_marks,
                                  on_change=FirmSettingsState.set_read_marks, size="3"),
                        align="center", spacing="4", width="100%",
                    ),
                    width="100%", max_width="720px",
                ),
                loading(),
            ),
            width="100%",
        ),
        active=routes.STAFF_SETTINGS,
    )
