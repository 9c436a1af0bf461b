"""Custom fields section of the admin settings page."""

import reflex as rx

from portal.components.client_forms import LABEL, native_select
from portal.components.common import notice
from portal.state.custom_fields import CustomFieldsState as F
from portal.state.custom_fields import FieldRow
from portal.state.session import SessionState, t

KINDS = ("text", "number", "date", "choice")


def _row(row: FieldRow) -> rx.Component:
    return rx.hstack(
        rx.vstack(rx.text(row.label, weight="medium"),
                  rx.text(SessionState.messages[row.kind_key], rx.cond(row.options != "", ": " + row.options, ""),
                          size="1", color_scheme="gray"),
                  spacing="0", flex="1", min_width="0"),
        rx.icon_button(rx.icon("trash-2", size=16), variant="ghost", color_scheme="red", size="2",
                       aria_label=t("field.remove") + ": " + row.label, on_click=F.remove(row.id)),
        align="center", width="100%", padding_y="6px", border_bottom="1px solid var(--gray-a4)",
    )


def _list(title_key: str, rows) -> rx.Component:
    return rx.vstack(
        rx.text(t(title_key), weight="bold", size="2"),
        rx.cond(rows.length() > 0, rx.vstack(rx.foreach(rows, _row), spacing="0", width="100%"),
                rx.text(t("field.none"), size="2", color_scheme="gray")),
        spacing="2", width="100%",
    )


def _add_form() -> rx.Component:
    return rx.form(
        rx.vstack(
            rx.grid(
                rx.vstack(rx.el.label(t("field.target"), html_for="field-target", **LABEL),
                          native_select(rx.el.option(t("field.target.account"), value="account"),
                                        rx.el.option(t("field.target.contact"), value="contact"),
                                        id="field-target", name="target"),
                          spacing="1", width="100%"),
                rx.vstack(rx.el.label(t("field.kind"), html_for="field-kind", **LABEL),
                          native_select(*[rx.el.option(t(f"field.kind.{k}"), value=k) for k in KINDS],
                                        id="field-kind", value=F.kind, on_change=F.set_kind),
                          spacing="1", width="100%"),
                columns=rx.breakpoints(initial="1", sm="2"), gap="12px", width="100%"),
            rx.vstack(rx.el.label(t("field.label"), html_for="field-label", **LABEL),
                      rx.input(id="field-label", name="label", max_length=100, size="3", width="100%"),
                      spacing="1", width="100%"),
            rx.cond(F.kind == "choice", rx.vstack(
                rx.el.label(t("field.options"), html_for="field-options", **LABEL),
                rx.text_area(id="field-options", name="options", rows="3", size="3", width="100%",
                             placeholder=t("field.options.placeholder")),
                spacing="1", width="100%")),
            notice(F.error, tone="error"),
            rx.hstack(rx.button(rx.icon("plus", size=16), t("field.add"), type="submit"), justify="end",
                      width="100%"),
            spacing="3", width="100%",
        ),
        on_submit=F.add, reset_on_submit=True, width="100%",
    )


def custom_fields_section() -> rx.Component:
    """Heading, the defined fields for accounts and contacts, and the form to add one."""
    return rx.vstack(
        rx.heading(t("field.title"), size="4", as_="h2", margin_top="12px"),
        rx.text(t("field.help"), size="2", color_scheme="gray"),
        rx.card(rx.vstack(_list("field.target.account", F.account_fields),
                          _list("field.target.contact", F.contact_fields),
                          rx.divider(), _add_form(), spacing="4", width="100%"),
                width="100%", on_mount=F.load),
        spacing="2", width="100%",
    )
