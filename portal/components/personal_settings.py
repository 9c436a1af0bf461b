"""The personal settings controls shared by the client and the staff profile."""

import reflex as rx

from portal import routes
from portal.components.common import notice
from portal.components.fields import text_field
from portal.components.post_form import post_form
from portal.state.personal_settings import AUTO, PASSWORD_CHANGED, PASSWORD_ERRORS
from portal.state.session import SessionState, t

# Each language named in itself, so a user who cannot read the current one finds theirs.
LANGUAGE_NAMES = {"de": "Deutsch", "en": "English", "fr": "Français"}


def _labelled(control_id: str, label_key: str, control: rx.Component, help_key: str | None = None) -> rx.Component:
    return rx.vstack(
        rx.el.label(t(label_key), html_for=control_id, font_weight="500"),
        *([rx.text(t(help_key), size="2", color_scheme="gray")] if help_key else []),
        control,
        spacing="1", width="100%",
    )


def _select(control_id: str, value: rx.Var, on_change, items: list[rx.Component] | rx.Component) -> rx.Component:
    return rx.select.root(
        rx.select.trigger(id=control_id, width="100%"),
        rx.select.content(*items) if isinstance(items, list) else rx.select.content(items),
        value=value, on_change=on_change, size="3",
    )


def language_select(state: type[rx.State]) -> rx.Component:
    """The UI language (or "same as the browser") of a :class:`PersonalSettingsMixin` state."""
    items = [rx.select.item(t("profile.language.auto"), value=AUTO)]
    items += [rx.select.item(name, value=code) for code, name in LANGUAGE_NAMES.items()]
    return _labelled("language", "profile.language", _select("language", state.language, state.set_language, items))


def timezone_select(state: type[rx.State]) -> rx.Component:
    """The time zone of a :class:`PersonalSettingsMixin` state, with its explanation."""
    items = rx.foreach(state.timezone_options, lambda option: rx.select.item(option.label, value=option.value))
    return _labelled("timezone", "profile.timezone",
                     _select("timezone", state.timezone_choice, state.set_timezone, items), "profile.timezone.help")


def email_notices_switch(state: type[rx.State], help_key: str) -> rx.Component:
    """Label, explanation and switch for the emails about new messages."""
    return rx.flex(
        rx.vstack(
            rx.el.label(t("profile.email_notices"), html_for="email-notices", font_weight="500"),
            rx.text(t(help_key), size="2", color_scheme="gray"),
            spacing="1", flex="1", min_width="0",
        ),
        rx.switch(id="email-notices", checked=state.email_notices, on_change=state.set_email_notices, size="3"),
        align="center", gap="16px", width="100%",
    )


def password_change(state: type[rx.State], size: str = "2") -> rx.Component:
    """The form changing the password of a :class:`PersonalSettingsMixin` state's user.

    A plain form post: the route ends every session of the user and sets this browser's new
    cookie, which only a full page load carries into the websocket.

    Args:
        state: The page's settings state.
        size: The card size, as the page's other cards.
    """
    return rx.card(
        post_form(
            rx.vstack(
                rx.heading(t("password.change.title"), size="3", as_="h2"),
                rx.text(t("password.change.help"), size="2", color_scheme="gray"),
                notice(rx.cond(state.password_changed, t(PASSWORD_CHANGED), ""), tone="info"),
                notice(rx.match(state.password_error, *[(key, t(key)) for key in PASSWORD_ERRORS], ""), tone="error"),
                # For password managers: which account the new password belongs to.
                rx.el.input(type="hidden", name="username", value=SessionState.email, auto_complete="username"),
                text_field(t("password.change.current"), name="current", type_="password",
                           autocomplete="current-password", required=True),
                text_field(t("reset.password"), name="password", type_="password", autocomplete="new-password",
                           required=True, min_length=10),
                text_field(t("reset.repeat"), name="repeat", type_="password", autocomplete="new-password",
                           required=True, min_length=10),
                rx.button(t("password.change.submit"), type="submit", size="3", width=["100%", "auto"]),
                spacing="3", width="100%",
            ),
            action=routes.API_PASSWORD, width="100%",
        ),
        width="100%", size=size,
    )
