"""Forgotten password and set-new-password pages."""

import reflex as rx

from portal import routes
from portal.components.common import loading, notice
from portal.components.fields import text_field
from portal.components.post_form import post_form
from portal.components.shell import public_shell
from portal.pages.public.login import mobile_brand
from portal.state.login import ResetState
from portal.state.session import t


def back_to_login() -> rx.Component:
    """The link back to the login page under the public forms."""
    return rx.link(rx.hstack(rx.icon("arrow-left", size=16), t("password.back"), align="center", spacing="2"),
                   href=routes.LOGIN, size="2")


def new_password_form(*, action: str, token: rx.Var, password: rx.Var, repeat: rx.Var, submit: rx.Var,
                      username: rx.Var | None = None) -> rx.Component:
    """The password and its repetition, posted with the emailed link's token.

    Args:
        action: The endpoint that checks the token and sets the password.
        token: The token from the page's URL.
        password: Label of the password field; ``repeat`` and ``submit`` likewise.
        username: The account's email, for password managers to store the new password under.
    """
    return post_form(
        rx.el.input(type="hidden", name="token", value=token),
        rx.el.input(type="hidden", name="username", value=username, auto_complete="username")
        if username is not None else rx.fragment(),
        rx.vstack(
            text_field(password, name="password", type_="password", autocomplete="new-password", required=True,
                       min_length=10, auto_focus=True),
            text_field(repeat, name="repeat", type_="password", autocomplete="new-password", required=True,
                       min_length=10),
            rx.button(submit, type="submit", size="3", width="100%"),
            spacing="4", width="100%",
        ),
        action=action, width="100%",
    )


def forgot_page() -> rx.Component:
    """Ask for the email to send a reset link to."""
    return public_shell(
        mobile_brand(),
        rx.vstack(rx.heading(t("forgot.title"), size="7", as_="h1"),
                  rx.text(t("forgot.text"), color_scheme="gray"), spacing="2"),
        post_form(
            rx.vstack(
                text_field(t("login.email"), name="email", type_="email", autocomplete="username",
                           required=True, auto_focus=True),
                rx.button(t("forgot.submit"), type="submit", size="3", width="100%"),
                spacing="4", width="100%",
            ),
            action=routes.API_FORGOT, width="100%",
        ),
        back_to_login(),
    )


def reset_page() -> rx.Component:
    """Set a new password, or explain that the link cannot be used."""
    form = rx.vstack(
        rx.vstack(rx.heading(t("reset.title"), size="7", as_="h1"),
                  rx.text(t("reset.text"), color_scheme="gray"), spacing="2"),
        notice(ResetState.error, tone="error"),
        new_password_form(action=routes.API_RESET, token=ResetState.token, password=t("reset.password"),
                          repeat=t("reset.repeat"), submit=t("reset.submit")),
        spacing="5", width="100%",
    )
    invalid = rx.vstack(
        rx.heading(t("reset.invalid_title"), size="7", as_="h1"),
        rx.callout(t("reset.invalid"), icon="triangle_alert", color_scheme="red", role="alert"),
        rx.link(t("reset.request_new"), href=routes.FORGOT_PASSWORD),
        spacing="4", width="100%",
    )
    return public_shell(
        mobile_brand(),
        rx.cond(ResetState.checked, rx.cond(ResetState.valid, form, invalid), loading()),
        back_to_login(),
    )
