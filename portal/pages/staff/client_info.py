"""The client's "Info" tab: account data, contacts with LOGIN/NOTIFY/SYNC/full access and
their invitations, a contact's data export and erasure (DSGVO), assigned accountants, reminders."""

import reflex as rx

from portal import realtime, routes
from portal.components.badges import account_status_badge
from portal.components.client_forms import account_fields, contact_fields, contact_toggles, kind_choice, link_existing
from portal.components.client_frame import client_frame
from portal.components.common import notice
from portal.pages.staff.new_client import invite_form
from portal.pages.staff.remind_dialog import remind_dialog
from portal.state.client_info import ClientInfoState as I
from portal.state.client_info import ContactRow, StaffChoice
from portal.state.client_page import ClientPageState as C
from portal.state.session import SessionState, t
from portal.state.staff import DetailField
from portal.state.staff import StaffClientsState as S


def _card(title, action: rx.Component | None, *children) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.flex(rx.heading(title, size="4", as_="h2"), rx.spacer(), action or rx.fragment(), width="100%",
                    align="center", gap="8px", wrap="wrap"),
            *children, spacing="4", width="100%"),
        width="100%",
    )


def _field(item: DetailField) -> rx.Component:
    return rx.data_list.item(rx.data_list.label(item.label, min_width="160px"), rx.data_list.value(item.value))


def _switch(contact: ContactRow, name: str, label_key: str, value: rx.Var) -> rx.Component:
    return rx.el.label(
        rx.hstack(rx.switch(checked=value, on_change=lambda v: I.set_toggle(contact.id, name, v), size="1"),
                  rx.text(t(label_key), size="1", weight="bold"), spacing="2", align="center"),
        cursor="pointer", title=t(label_key + ".hint"),
    )


def _privacy_menu(contact: ContactRow) -> rx.Component:
    return rx.dropdown_menu.root(
        rx.dropdown_menu.trigger(rx.icon_button(rx.icon("shield", size=16), size="2", variant="ghost",
                                                color_scheme="gray",
                                                aria_label=t("privacy.menu") + ": " + contact.name)),
        rx.dropdown_menu.content(
            rx.dropdown_menu.item(rx.icon("download", size=14), t("privacy.export"),
                                  on_click=I.export_contact(contact.id)),
            rx.dropdown_menu.separator(),
            rx.dropdown_menu.item(rx.icon("user-x", size=14), t("privacy.erase"), color="red",
                                  on_click=I.open_erase(contact.id, contact.name)),
        ),
    )


def _contact(contact: ContactRow) -> rx.Component:
    return rx.cond(contact.erased, _erased_contact(contact), _live_contact(contact))


def _erased_contact(contact: ContactRow) -> rx.Component:
    """What is left of an erased contact: the name messages show, no data, no login."""
    return rx.flex(
        rx.hstack(rx.icon("user-x", size=16, color="var(--gray-10)"),
                  rx.text(contact.name, weight="bold", color_scheme="gray"),
                  rx.badge(SessionState.messages[contact.state_key], variant="soft", color_scheme="gray", size="1"),
                  spacing="2", align="center", wrap="wrap", flex="1", min_width="0"),
        rx.icon_button(rx.icon("user-round-x", size=16), size="2", variant="ghost", color_scheme="red",
                       aria_label=t("contact.unlink") + ": " + contact.name, on_click=I.unlink(contact.id)),
        align="center", gap="12px", padding_y="12px", border_top="1px solid var(--gray-a4)", width="100%",
    )


def _live_contact(contact: ContactRow) -> rx.Component:
    return rx.box(
        rx.flex(
            rx.vstack(
                rx.hstack(rx.text(contact.name, weight="bold"),
                          rx.badge(SessionState.messages[contact.state_key], variant="soft", size="1"),
                          rx.cond(contact.other_accounts > 0,
                                  rx.badge(t("contact.more_accounts"), " ", contact.other_accounts, variant="outline",
                                           size="1")),
                          spacing="2", align="center", wrap="wrap"),
                rx.text(contact.email, size="2", color_scheme="gray"),
                rx.cond(contact.phone != "", rx.text(contact.phone, size="2", color_scheme="gray")),
                rx.cond(contact.invited != "", rx.text(t("invite.sent_on"), " ", contact.invited, size="1",
                                                       color_scheme="gray")),
                spacing="0", min_width="0", flex="1"),
            rx.hstack(
                rx.cond(contact.invitable, rx.button(
                    rx.icon("send", size=14), rx.cond(contact.invited != "", t("invite.again"), t("invite.button")),
                    size="2", variant="soft", aria_label=t("invite.button") + ": " + contact.name,
                    on_click=I.open_invite(contact.id, contact.name))),
                rx.icon_button(rx.icon("pencil", size=16), size="2", variant="ghost", color_scheme="gray",
                               aria_label=t("contact.edit") + ": " + contact.name,
                               on_click=I.open_edit_contact(contact.id)),
                rx.icon_button(rx.icon("user-round-x", size=16), size="2", variant="ghost", color_scheme="red",
                               aria_label=t("contact.unlink") + ": " + contact.name, on_click=I.unlink(contact.id)),
                _privacy_menu(contact),
                spacing="2", align="center"),
            gap="12px", align="start", wrap="wrap", width="100%"),
        rx.flex(
            _switch(contact, "login", "contact.toggle.login", contact.login),
            _switch(contact, "notify", "contact.toggle.notify", contact.notify),
            _switch(contact, "sync", "contact.toggle.sync", contact.sync),
            _switch(contact, "full_access", "contact.toggle.full", contact.full_access),
            gap="16px", wrap="wrap", margin_top="10px"),
        padding_y="12px", border_top="1px solid var(--gray-a4)", width="100%",
    )


def _staff(person: StaffChoice) -> rx.Component:
    return rx.cond(
        SessionState.is_admin,
        rx.el.label(rx.hstack(rx.checkbox(checked=person.assigned, on_change=lambda v: I.set_assigned(person.id, v),
                                          aria_label=person.name),
                              rx.text(person.name, size="2"),
                              rx.text(SessionState.messages[person.role_key], size="1", color_scheme="gray"),
                              spacing="2", align="center"), cursor="pointer"),
        rx.badge(rx.icon("user-round", size=12), person.name, variant="soft", size="2"),
    )


def _edit_dialog() -> rx.Component:
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title(t("client.edit.title")),
            rx.form(
                rx.vstack(
                    kind_choice(I),
                    # Remount with each opening so the inputs take the current values.
                    rx.box(account_fields(I, id_prefix="edit-client", values=I.edit_values), key=I.edit_values.to_string(),
                           width="100%"),
                    notice(I.edit_error, tone="error"),
                    rx.hstack(rx.dialog.close(rx.button(t("common.cancel"), variant="soft", color_scheme="gray",
                                                        type="button", size="3")),
                              rx.button(t("common.save"), type="submit", size="3"),
                              justify="end", spacing="3", width="100%"),
                    spacing="4", width="100%", margin_top="8px"),
                on_submit=I.save_account, reset_on_submit=False, width="100%"),
            max_width="600px",
        ),
        open=I.edit_open, on_open_change=I.set_edit_open,
    )


def _contact_dialog() -> rx.Component:
    adding = I.contact_id == 0
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title(rx.cond(adding, t("contact.add"), t("contact.edit"))),
            rx.form(
                rx.vstack(
                    rx.cond(adding, rx.el.label(
                        rx.hstack(rx.switch(checked=I.link_mode, on_change=I.set_link_mode, size="2"),
                                  rx.text(t("client.form.link_existing"), size="2"), spacing="2", align="center"),
                        cursor="pointer")),
                    rx.cond(I.link_mode, link_existing(I, id_prefix="info-contact"),
                            rx.box(contact_fields(I, id_prefix="info-contact", values=I.contact_values),
                                   key=I.contact_values.to_string(), width="100%")),
                    rx.cond(adding, contact_toggles(id_prefix="info-contact")),
                    notice(I.contact_error, tone="error"),
                    rx.hstack(rx.dialog.close(rx.button(t("common.cancel"), variant="soft", color_scheme="gray",
                                                        type="button", size="3")),
                              rx.button(t("common.save"), type="submit", size="3"),
                              justify="end", spacing="3", width="100%"),
                    spacing="4", width="100%", margin_top="8px"),
                on_submit=I.save_contact, reset_on_submit=False, no_validate=True, width="100%"),
            max_width="600px",
        ),
        open=I.contact_open, on_open_change=I.set_contact_open,
    )


def _invite_dialog() -> rx.Component:
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title(t("invite.title")),
            invite_form(title_text=t("invite.for") + " " + I.invite_name, on_submit=I.send_invite,
                        on_skip=I.set_invite_open(False), error=I.invite_error, skip_label=t("invite.skip")),
            max_width="560px",
        ),
        open=I.invite_open, on_open_change=I.set_invite_open,
    )


def _erase_dialog() -> rx.Component:
    return rx.alert_dialog.root(
        rx.alert_dialog.content(
            rx.alert_dialog.title(t("privacy.erase.title")),
            rx.form(
                rx.vstack(
                    rx.text(I.erase_text),
                    rx.text(t("privacy.erase.keeps"), size="2", color_scheme="gray"),
                    rx.callout(t("privacy.erase.final"), icon="triangle_alert", color_scheme="red", size="1",
                               width="100%"),
                    rx.vstack(
                        rx.el.label(t("privacy.erase.confirm_label"), ": ", rx.text.strong(I.erase_name),
                                    html_for="erase-confirm-name", font_size="14px"),
                        # Remount per opening so nothing typed for another contact stays in the box.
                        rx.input(id="erase-confirm-name", name="confirm_name", key=I.erase_name, required=True,
                                 auto_complete="off", width="100%", size="3"),
                        spacing="1", width="100%"),
                    notice(I.erase_error, tone="error"),
                    rx.flex(
                        rx.alert_dialog.cancel(rx.button(t("common.cancel"), variant="soft", color_scheme="gray",
                                                         type="button", size="3")),
                        rx.button(rx.icon("user-x", size=16), t("privacy.erase.button"), type="submit",
                                  color_scheme="red", size="3"),
                        justify="end", gap="12px", wrap="wrap", width="100%"),
                    spacing="4", width="100%", margin_top="8px"),
                on_submit=I.erase, reset_on_submit=False, width="100%"),
            max_width="560px",
        ),
        open=I.erase_open, on_open_change=I.set_erase_open,
    )


def client_info_page() -> rx.Component:
    """The page at :data:`routes.STAFF_CLIENT_INFO`."""
    body = rx.vstack(
        notice(I.notice, tone="info"),
        notice(S.notice, tone="info"),
        notice(I.error, tone="error"),
        rx.cond(I.self_signup & (I.status == "onboarding"),
                rx.callout(t("client.info.signup_hint"), icon="user-plus", color_scheme="amber", width="100%")),
        rx.grid(
            _card(t("client.info.account"),
                  rx.button(rx.icon("pencil", size=14), t("client.edit"), size="2", variant="soft",
                            on_click=I.open_edit),
                  rx.data_list.root(rx.foreach(I.fields, _field), orientation=rx.breakpoints(
                      initial="vertical", sm="horizontal"), size="2")),
            _card(t("clients.col.accountants"),
                  rx.cond(SessionState.is_admin,
                          rx.button(rx.icon("bell-ring", size=14), t("clients.menu.remind"), size="2", variant="soft",
                                    on_click=S.open_remind(I.account_id, C.account_name))),
                  rx.cond(I.staff.length() > 0, rx.flex(rx.foreach(I.staff, _staff), gap="12px", wrap="wrap",
                                                        direction=rx.cond(SessionState.is_admin, "column", "row")),
                          rx.text(t("client.info.no_accountants"), color_scheme="gray", size="2"))),
            columns=rx.breakpoints(initial="1", md="2"), gap="16px", width="100%",
        ),
        _card(t("client.info.contacts"),
              rx.hstack(
                  rx.cond(I.invitable_count > 1, rx.button(rx.icon("send", size=14), t("invite.all"), size="2",
                                                           variant="soft", on_click=I.open_invite(0, ""))),
                  rx.button(rx.icon("user-plus", size=14), t("contact.add"), size="2", on_click=I.open_add_contact),
                  spacing="2", wrap="wrap"),
              rx.vstack(rx.foreach(I.contacts, _contact), spacing="0", width="100%")),
        _edit_dialog(), _contact_dialog(), _invite_dialog(), _erase_dialog(), remind_dialog(),
        spacing="4", width="100%",
    )
    return client_frame(
        body, active=routes.STAFF_CLIENT_INFO, loaded=I.loaded,
        subtitle=rx.hstack(account_status_badge(I.status), spacing="2"),
        extra=(realtime.reload_on_change(realtime.LiveState.account, I.refresh),),
    )
