"""The "+ Neu" button and dialog of the clients page: type and account data, the first
contact (new or linked) with its toggles, then the portal invitation or "skip"."""

import reflex as rx

from portal.components.client_forms import (
    LABEL,
    account_fields,
    contact_fields,
    contact_toggles,
    kind_choice,
    link_existing,
)
from portal.components.common import notice
from portal.state.bookings import Option
from portal.state.new_client import NewClientState as N
from portal.state.session import t


def _section(title, *children) -> rx.Component:
    return rx.vstack(rx.heading(title, size="3", as_="h3"), *children, spacing="4", width="100%",
                     padding_top="4px")


def _staff_box(person: Option) -> rx.Component:
    return rx.el.label(rx.hstack(rx.checkbox(name="staff_" + person.value, size="2", aria_label=person.label), rx.text(person.label, size="2"),
                                 spacing="2", align="center"), cursor="pointer")


def _form() -> rx.Component:
    return rx.form(
        rx.vstack(
            _section(t("client.form.step_account"), kind_choice(N), account_fields(N, id_prefix="new-client")),
            _section(
                t("client.form.step_contact"),
                rx.el.label(rx.hstack(rx.switch(checked=N.link_mode, on_change=N.set_link_mode, size="2"),
                                      rx.text(t("client.form.link_existing"), size="2"), spacing="2", align="center"),
                            cursor="pointer"),
                rx.cond(N.link_mode, link_existing(N, id_prefix="new-client"), contact_fields(N, id_prefix="new-contact")),
                contact_toggles(id_prefix="new-contact"),
            ),
            rx.cond(N.staff.length() > 0, _section(
                t("client.form.accountants"),
                rx.flex(rx.foreach(N.staff, _staff_box), gap="16px", wrap="wrap"))),
            notice(N.error, tone="error"),
            rx.hstack(
                rx.dialog.close(rx.button(t("common.cancel"), variant="soft", color_scheme="gray", type="button",
                                          size="3")),
                rx.button(rx.icon("check", size=16), t("client.form.create"), type="submit", size="3"),
                justify="end", spacing="3", width="100%", wrap="wrap"),
            spacing="5", width="100%",
        ),
        # The server names every problem in the alert (the browser would only flag a typo in the
        # email silently and hide the name rules).
        on_submit=N.create, reset_on_submit=False, no_validate=True, width="100%",
    )


def invite_form(*, title_text, on_submit, on_skip, error: rx.Var, skip_label) -> rx.Component:
    """The invitation step: an optional personal message, then send or skip."""
    return rx.form(
        rx.vstack(
            rx.callout(title_text, icon="circle-check", color_scheme="green", width="100%"),
            rx.text(t("invite.text"), size="2", color_scheme="gray"),
            rx.vstack(
                rx.el.label(t("invite.message"), html_for="invite-message", **LABEL),
                rx.text_area(id="invite-message", name="message", rows="5", max_length=2000, width="100%", size="3",
                             placeholder=t("invite.message.placeholder")),
                spacing="1", width="100%"),
            notice(error, tone="error"),
            rx.hstack(
                rx.button(skip_label, variant="soft", color_scheme="gray", type="button", size="3", on_click=on_skip),
                rx.button(rx.icon("send", size=16), t("invite.send"), type="submit", size="3"),
                justify="end", spacing="3", width="100%", wrap="wrap"),
            spacing="4", width="100%",
        ),
        on_submit=on_submit, reset_on_submit=False, width="100%",
    )


def new_client_dialog() -> rx.Component:
    """Button and dialog to create a client account."""
    return rx.dialog.root(
        # The handler sits on the trigger: on the button Reflex would wrap it in a div that takes the
        # trigger's ARIA attributes, and Radix returns focus to the trigger on close.
        rx.dialog.trigger(rx.button(rx.icon("plus", size=16), t("client.new")), on_click=N.open_dialog),
        rx.dialog.content(
            rx.dialog.title(rx.cond(N.step == "invite", t("invite.title"), t("client.new.title"))),
            rx.cond(
                N.step == "invite",
                invite_form(title_text=t("client.created") + " " + N.created_name, on_submit=N.send_invite,
                            on_skip=N.skip_invite, error=N.invite_error, skip_label=t("invite.skip")),
                _form(),
            ),
            max_width="640px",
        ),
        open=N.open, on_open_change=N.set_open,
    )
