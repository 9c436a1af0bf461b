"""The login page."""

import reflex as rx

from portal import routes
from portal.components.common import brand_mark, notice
from portal.components.fields import text_field
from portal.components.post_form import post_form
from portal.components.shell import public_shell
from portal.state.login import LoginState
from portal.state.session import SessionState, t


def mobile_brand() -> rx.Component:
    """Logo row shown above public forms on narrow screens."""
    return rx.hstack(brand_mark(), rx.text("Kanzleiportal", weight="bold", size="4"), align="center",
                     display=["flex", "flex", "none"])


def sso_form() -> rx.Component:
    """Staff single sign-on, below the password form (only when it is configured)."""
    return rx.vstack(
        rx.hstack(rx.separator(flex="1"), rx.text(t("login.or"), size="2", color_scheme="gray"),
                  rx.separator(flex="1"), align="center", width="100%"),
        rx.button(rx.el.a(rx.icon("key-round", size=16, aria_hidden="true"), t("login.sso"),
                          href=LoginState.sso_href, reload_document=True),
                  as_child=True, size="3", variant="outline", width="100%"),
        spacing="4", width="100%",
    )


def login_page() -> rx.Component:
    """Email and password form posting to the login endpoint."""
    return public_shell(
        mobile_brand(),
        rx.vstack(
            rx.heading(t("login.title"), size="8", as_="h1"),
            rx.text(rx.cond(SessionState.firm_name != "", SessionState.firm_name, t("login.subtitle")),
                    color_scheme="gray", size="3"),
            spacing="1",
        ),
        notice(LoginState.notice, tone="info"),
        notice(LoginState.error, tone="error"),
        post_form(
            rx.el.input(type="hidden", name="next", value=LoginState.next_path),
            rx.vstack(
                text_field(t("login.email"), name="email", type_="email", autocomplete="username",
                           required=True, auto_focus=True),
                text_field(t("login.password"), name="password", type_="password",
                           autocomplete="current-password", required=True,
                           extra=rx.link(t("login.forgot"), href=routes.FORGOT_PASSWORD, size="2")),
                rx.button(t("login.submit"), type="submit", size="3", width="100%", margin_top="8px"),
                spacing="4", width="100%",
            ),
            action=routes.API_LOGIN, width="100%",
        ),
        rx.cond(LoginState.sso, sso_form()),
        rx.text(t("login.help"), size="2", color_scheme="gray"),
        rx.link(t("signup.link"), href=routes.SIGNUP, size="2"),
    )
