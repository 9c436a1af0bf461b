"""Client profile: who is logged in, language, logout."""

import reflex as rx

from portal import routes
from portal.components.personal_settings import (
    email_notices_switch,
    language_select,
    password_change,
    timezone_select,
)
from portal.components.push_devices import push_devices
from portal.components.pwa import install_card
from portal.components.shell import portal_shell
from portal.state.portal_home import ProfileState
from portal.state.session import SessionState, t


def _row(label: rx.Var, value: rx.Component) -> rx.Component:
    return rx.vstack(rx.text(label, size="2", color_scheme="gray"), value, spacing="1", width="100%")


def profile_page() -> rx.Component:
    """The page at :data:`routes.PORTAL_PROFILE`."""
    return portal_shell(
        rx.vstack(
            rx.heading(t("profile.title"), size="7", as_="h1"),
            rx.card(
                rx.vstack(
                    _row(t("profile.name"), rx.text(SessionState.name, weight="medium")),
                    _row(t("login.email"), rx.text(SessionState.email, weight="medium")),
                    language_select(ProfileState),
                    timezone_select(ProfileState),
                    email_notices_switch(ProfileState, "profile.email_notices.help"),
                    spacing="4", width="100%",
                ),
                width="100%", size="3",
            ),
            password_change(ProfileState, size="3"),
            push_devices(),
            install_card(dismissible=False),
            rx.button(rx.icon("log-out", size=16), t("nav.logout"), on_click=SessionState.logout, size="3",
                      variant="soft", color_scheme="red", width="100%"),
            spacing="4", width="100%", max_width="560px",
        ),
        active=routes.PORTAL_PROFILE,
    )
