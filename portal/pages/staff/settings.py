"""Firm settings (admins)."""

import reflex as rx

from portal import routes
from portal.components.common import loading, page_heading
from portal.components.shell import staff_shell
from portal.state.firm_settings import FirmSettingsState
from portal.state.session import t


def _setting(control_id: str, key: str, value: rx.Var, on_change) -> rx.Component:
    return rx.card(
        rx.hstack(
            rx.vstack(rx.el.label(t(key), html_for=control_id, font_weight="500"),
                      rx.text(t(f"{key}.help"), size="2", color_scheme="gray"), spacing="1", flex="1"),
            rx.switch(id=control_id, checked=value, on_change=on_change, size="3"),
            align="center", spacing="4", width="100%",
        ),
        width="100%",
    )


def settings_page() -> rx.Component:
    """The page at :data:`routes.STAFF_SETTINGS`."""
    return staff_shell(
        rx.vstack(
            page_heading(t("settings.title"), t("settings.subtitle")),
            rx.cond(
                FirmSettingsState.loaded,
                rx.vstack(
                    _setting("read-marks", "settings.read_marks", FirmSettingsState.read_marks,
                             FirmSettingsState.set_read_marks),
                    _setting("talk-password", "settings.talk_password", FirmSettingsState.talk_password,
                             FirmSettingsState.set_talk_password),
                    spacing="3", width="100%", max_width="720px",
                ),
                loading(),
            ),
            width="100%",
        ),
        active=routes.STAFF_SETTINGS,
    )
