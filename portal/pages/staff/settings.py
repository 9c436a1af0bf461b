"""Firm settings (admins)."""

import reflex as rx

from portal import routes
from portal.components.common import loading, page_heading
from portal.components.shell import staff_shell
from portal.pages.staff.custom_fields import custom_fields_section
from portal.pages.staff.folder_templates import folder_templates_section
from portal.state.firm_settings import QUIET_CHOICES, FirmSettingsState
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
                    _setting("self-signup", "settings.self_signup", FirmSettingsState.self_signup,
                             FirmSettingsState.set_self_signup),
                    rx.heading(t("settings.mail"), size="4", as_="h2", margin_top="12px"),
                    _setting("mail-text", "settings.mail_text", FirmSettingsState.mail_include_text,
                             FirmSettingsState.set_mail_include_text),
                    _setting("mail-amounts", "settings.mail_amounts", FirmSettingsState.mail_include_amounts,
                             FirmSettingsState.set_mail_include_amounts),
                    rx.card(
                        rx.hstack(
                            rx.vstack(rx.el.label(t("settings.mail_quiet"), html_for="mail-quiet", font_weight="500"),
                                      rx.text(t("settings.mail_quiet.help"), size="2", color_scheme="gray"),
                                      spacing="1", flex="1"),
                            rx.select.root(
                                rx.select.trigger(id="mail-quiet", min_width="140px"),
                                rx.select.content(*[rx.select.item(f"{m} " + t("unit.minutes"), value=m) for m in QUIET_CHOICES]),
                                value=FirmSettingsState.mail_quiet_minutes,
                                on_change=FirmSettingsState.set_mail_quiet_minutes),
                            align="center", spacing="4", width="100%", wrap="wrap",
                        ),
                        width="100%",
                    ),
                    folder_templates_section(),
                    custom_fields_section(),
                    spacing="3", width="100%", max_width="720px",
                ),
                loading(),
            ),
            width="100%",
        ),
        active=routes.STAFF_SETTINGS,
    )
