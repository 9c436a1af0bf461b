"""Paging controls shared by the lists that grow."""

import reflex as rx

from portal.state.session import t


def load_more(visible: rx.Var, on_click: rx.EventHandler) -> rx.Component:
    """A "load more" button under a list, shown while there is more to load."""
    return rx.cond(visible, rx.center(
        rx.button(t("lists.load_more"), variant="soft", on_click=on_click), width="100%"))
