"""Labelled form fields for native (server-posted) forms."""

import reflex as rx


def text_field(label: rx.Var | str, *, name: str, type_: str = "text", autocomplete: str,
               extra: rx.Component | None = None, **props) -> rx.Component:
    """A label above an input; the label is bound to the input for screen readers.

    Args:
        label: Visible label text.
        name: Form field name (also the element id).
        type_: Input type.
        autocomplete: The HTML autocomplete hint.
        extra: Optional element shown at the right of the label (e.g. a link).
        **props: Passed to the input.
    """
    return rx.vstack(
        rx.hstack(rx.el.label(label, html_for=name, font_weight="500", font_size="14px"), rx.spacer(),
                  extra or rx.fragment(), width="100%", align="center"),
        rx.input(id=name, name=name, type=type_, auto_complete=autocomplete, size="3", width="100%", **props),
        spacing="1", width="100%",
    )
