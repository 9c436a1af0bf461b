"""The activation page of an invitation and the public sign-up page."""

import reflex as rx

from portal import routes
from portal.components.common import loading, notice
from portal.components.fields import text_field
from portal.components.shell import public_shell
from portal.pages.public.login import mobile_brand
from portal.pages.public.password import back_to_login, new_password_form
from portal.state.onboarding import ActivationState as A
from portal.state.onboarding import SignupState as S
from portal.state.session import SessionState, t


def _heading(title: rx.Var, text: rx.Component | rx.Var) -> rx.Component:
    return rx.vstack(rx.heading(title, size="7", as_="h1"),
                     text if isinstance(text, rx.Component) else rx.text(text, color_scheme="gray"), spacing="2")


def activate_page() -> rx.Component:
    """Set a password from the invitation link, or explain why the link no longer works."""
    form = rx.vstack(
        _heading(t("activate.title"), rx.text(t("activate.text"), color_scheme="gray")),
        rx.cond(A.name != "", rx.card(rx.vstack(
            rx.text(A.name, weight="bold"), rx.text(A.email, size="2", color_scheme="gray"), spacing="1"),
            width="100%")),
        notice(A.error, tone="error"),
        new_password_form(action=routes.API_ACTIVATE, token=A.token, password=t("activate.password"),
                          repeat=t("activate.repeat"), submit=t("activate.submit"), username=A.email),
        spacing="5", width="100%",
    )
    refused = rx.vstack(
        rx.heading(t("activate.invalid_title"), size="7", as_="h1"),
        rx.callout(A.problem, icon="triangle_alert", color_scheme="red", role="alert"),
        rx.text(t("activate.invalid_text"), color_scheme="gray"),
        spacing="4", width="100%",
    )
    return public_shell(
        mobile_brand(),
        rx.cond(A.checked, rx.cond(A.problem == "", form, refused), loading()),
        back_to_login(),
    )


def _signup_form() -> rx.Component:
    return rx.form(
        rx.vstack(
            rx.grid(
                text_field(t("contact.first_name"), name="first_name", autocomplete="given-name", required=True,
                           max_length=100, auto_focus=True),
                text_field(t("contact.last_name"), name="last_name", autocomplete="family-name", required=True,
                           max_length=100),
                columns=rx.breakpoints(initial="1", sm="2"), spacing="4", width="100%",
            ),
            text_field(t("login.email"), name="email", type_="email", autocomplete="email", required=True,
                       max_length=320),
            text_field(t("signup.company"), name="company_name", autocomplete="organization", max_length=200),
            text_field(t("contact.phone"), name="phone", type_="tel", autocomplete="tel", max_length=50),
            notice(S.error, tone="error"),
            rx.button(t("signup.submit"), type="submit", size="3", width="100%"),
            spacing="4", width="100%",
        ),
        on_submit=S.submit, reset_on_submit=False, width="100%",
    )


def signup_page() -> rx.Component:
    """Register as a new client; the firm checks the request and sends the invitation."""
    body = rx.cond(
        S.done,
        rx.vstack(_heading(t("signup.done_title"), t("signup.done_text")),
                  rx.callout(t("signup.done_next"), icon="mail-check", color_scheme="green", role="status"),
                  spacing="4", width="100%"),
        rx.cond(
            S.open,
            rx.vstack(_heading(t("signup.title"), rx.text(
                rx.cond(SessionState.firm_name != "", SessionState.firm_name + ": ", ""), t("signup.text"),
                color_scheme="gray")), _signup_form(), spacing="5", width="100%"),
            rx.vstack(rx.heading(t("signup.title"), size="7", as_="h1"),
                      rx.callout(t("signup.closed"), icon="info", role="status"), spacing="4", width="100%"),
        ),
    )
    return public_shell(mobile_brand(), rx.cond(S.checked, body, loading()), back_to_login())
