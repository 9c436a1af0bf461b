"""Form parts of client accounts and contacts, shared by the "new client" dialog and the
client's Info tab. Inputs are uncontrolled and named; ``values`` (a dict Var of form name
to text) fills them in when editing."""

import reflex as rx

from portal.state.client_forms import NO_TEMPLATE, FieldInput
from portal.state.session import t

LABEL = {"font_size": "14px", "font_weight": "500"}
# A native select: the phone's own picker, and its value goes with the form.
_SELECT = {"width": "100%", "height": "40px", "padding": "0 12px", "font_size": "16px", "border_radius": "var(--radius-2)",
           "border": "1px solid var(--gray-a7)", "background": "var(--color-surface)", "color": "var(--gray-12)"}


def native_select(*children, **props) -> rx.Component:
    """A styled native ``<select>`` for named form fields."""
    return rx.el.select(*children, **_SELECT, **props)


def _default(values: rx.Var | None, name: str):
    return values[name].to(str) if values is not None else ""


def labelled_input(label, name: str, *, id_prefix: str, values: rx.Var | None = None, hint=None,
                   **props) -> rx.Component:
    """A label above a named text input."""
    element_id = f"{id_prefix}-{name}"
    return rx.vstack(
        rx.el.label(label, html_for=element_id, **LABEL),
        rx.input(id=element_id, name=name, default_value=_default(values, name), size="3", width="100%", **props),
        rx.text(hint, size="1", color_scheme="gray") if hint is not None else rx.fragment(),
        spacing="1", width="100%",
    )


def _custom_input(field: FieldInput, id_prefix: str, values: rx.Var | None) -> rx.Component:
    element_id = id_prefix + "-" + field.name
    default = values[field.name].to(str) if values is not None else ""
    control = rx.match(
        field.kind,
        ("choice", native_select(
            rx.el.option("—", value=""),
            rx.foreach(field.options, lambda o: rx.el.option(o, value=o)),
            id=element_id, name=field.name, default_value=default)),
        ("date", rx.input(id=element_id, name=field.name, type="date", default_value=default, size="3",
                          width="100%")),
        ("number", rx.input(id=element_id, name=field.name, input_mode="decimal", default_value=default, size="3",
                            width="100%")),
        rx.input(id=element_id, name=field.name, default_value=default, size="3", width="100%"),
    )
    return rx.vstack(rx.el.label(field.label, html_for=element_id, **LABEL), control, spacing="1", width="100%")


def custom_inputs(fields: rx.Var, id_prefix: str, values: rx.Var | None = None) -> rx.Component:
    """The firm's custom fields (text, number, date, choice)."""
    return rx.foreach(fields, lambda f: _custom_input(f, id_prefix, values))


def kind_choice(state) -> rx.Component:
    """Individual or company."""
    return rx.el.fieldset(
        rx.el.legend(t("client.form.kind"), style=LABEL),
        rx.radio_group.root(
            rx.flex(
                rx.el.label(rx.hstack(rx.radio_group.item(value="individual"), rx.text(t("kind.individual")),
                                      spacing="2", align="center"), cursor="pointer"),
                rx.el.label(rx.hstack(rx.radio_group.item(value="company"), rx.text(t("kind.company")),
                                      spacing="2", align="center"), cursor="pointer"),
                gap="20px", wrap="wrap", margin_top="6px"),
            value=state.kind, on_change=state.set_kind, size="3"),
        border="none", padding="0", margin="0",
    )


def account_fields(state, *, id_prefix: str, values: rx.Var | None = None) -> rx.Component:
    """Account name, company name and address (companies), tags, folder template, custom fields."""
    return rx.vstack(
        rx.cond(state.kind == "company", rx.vstack(
            labelled_input(t("client.form.company_name"), "company_name", id_prefix=id_prefix, values=values,
                           max_length=200, auto_complete="organization"),
            labelled_input(t("client.form.company_address"), "company_address", id_prefix=id_prefix, values=values,
                           max_length=500, auto_complete="street-address"),
            spacing="4", width="100%")),
        labelled_input(t("client.form.account_name"), "account_name", id_prefix=id_prefix, values=values,
                       max_length=200, hint=t("client.form.account_name.hint")),
        labelled_input(t("client.form.tags"), "account_tags", id_prefix=id_prefix, values=values,
                       placeholder=t("client.form.tags.placeholder")),
        rx.vstack(
            rx.el.label(t("client.form.template"), html_for=f"{id_prefix}-folder_template", **LABEL),
            native_select(
                rx.el.option(t("client.form.template.default"), value=NO_TEMPLATE),
                rx.foreach(state.templates, lambda o: rx.el.option(o.label, value=o.value)),
                id=f"{id_prefix}-folder_template", name="folder_template",
                default_value=_default(values, "folder_template") if values is not None else NO_TEMPLATE),
            rx.text(t("client.form.template.hint"), size="1", color_scheme="gray"),
            spacing="1", width="100%"),
        custom_inputs(state.account_inputs, id_prefix, values),
        spacing="4", width="100%",
    )


def _toggle(name: str, label_key: str, hint_key: str, id_prefix: str, checked) -> rx.Component:
    return rx.el.label(
        rx.hstack(
            rx.switch(name=name, default_checked=checked, size="2", id=f"{id_prefix}-{name}"),
            rx.vstack(rx.text(t(label_key), size="2", weight="bold"), rx.text(t(hint_key), size="1", color_scheme="gray"),
                      spacing="0"),
            spacing="3", align="start"),
        cursor="pointer", width="100%",
    )


def contact_toggles(*, id_prefix: str, values: rx.Var | None = None) -> rx.Component:
    """LOGIN, NOTIFY, SYNC and full access switches of an account link."""
    def checked(name: str, default: bool):
        return values[name].to(bool) if values is not None else default

    return rx.grid(
        _toggle("login", "contact.toggle.login", "contact.toggle.login.hint", id_prefix, checked("login", True)),
        _toggle("notify", "contact.toggle.notify", "contact.toggle.notify.hint", id_prefix, checked("notify", True)),
        _toggle("sync", "contact.toggle.sync", "contact.toggle.sync.hint", id_prefix, checked("sync", False)),
        _toggle("full_access", "contact.toggle.full", "contact.toggle.full.hint", id_prefix,
                checked("full_access", True)),
        columns=rx.breakpoints(initial="1", sm="2"), gap="12px", width="100%",
    )


def contact_fields(state, *, id_prefix: str, values: rx.Var | None = None) -> rx.Component:
    """Name, email, phone, address, tags and custom fields of a contact."""
    return rx.vstack(
        rx.grid(
            labelled_input(t("contact.first_name"), "first_name", id_prefix=id_prefix, values=values, max_length=100,
                           auto_complete="off"),
            labelled_input(t("contact.last_name"), "last_name", id_prefix=id_prefix, values=values, max_length=100,
                           auto_complete="off"),
            columns=rx.breakpoints(initial="1", sm="2"), gap="16px", width="100%"),
        labelled_input(t("contact.email"), "email", id_prefix=id_prefix, values=values, type="email",
                       max_length=254, auto_complete="off", hint=t("contact.email.hint")),
        rx.grid(
            labelled_input(t("contact.phone"), "phone", id_prefix=id_prefix, values=values, type="tel", max_length=50,
                           auto_complete="off"),
            labelled_input(t("contact.tags"), "contact_tags", id_prefix=id_prefix, values=values),
            columns=rx.breakpoints(initial="1", sm="2"), gap="16px", width="100%"),
        labelled_input(t("contact.address"), "address", id_prefix=id_prefix, values=values, max_length=500,
                       auto_complete="off"),
        custom_inputs(state.contact_inputs, id_prefix, values),
        spacing="4", width="100%",
    )


def _match(state, person) -> rx.Component:
    return rx.button(rx.icon("user-round-plus", size=14), person.label, variant="ghost", size="2",
                     type="button", on_click=state.choose_contact(person.value, person.label),
                     justify_content="start", width="100%")


def link_existing(state, *, id_prefix: str) -> rx.Component:
    """Search an existing contact to link, or show the one chosen."""
    return rx.vstack(
        rx.cond(
            state.chosen_id > 0,
            rx.callout(rx.hstack(rx.text(t("client.form.linked"), " ", rx.text.strong(state.chosen_name)), rx.spacer(),
                                 rx.button(t("client.form.change"), size="1", variant="soft", type="button",
                                           on_click=state.set_link_mode(True)), width="100%", align="center"),
                       icon="link", width="100%"),
            rx.vstack(
                rx.el.label(t("client.form.search_contact"), html_for=f"{id_prefix}-search", **LABEL),
                rx.input(id=f"{id_prefix}-search", value=state.search, on_change=state.search_contacts, debounce_timeout=300,
                         placeholder=t("client.form.search_contact.placeholder"), size="3", width="100%",
                         auto_complete="off"),
                rx.vstack(rx.foreach(state.matches, lambda person: _match(state, person)), spacing="1", width="100%"),
                spacing="1", width="100%"),
        ),
        spacing="3", width="100%",
    )
