"""Small building blocks: brand mark, headings, empty states, notices."""

import reflex as rx

ACCENT = "teal"


def brand_mark(size: str = "36px") -> rx.Component:
    """The square logo mark."""
    return rx.center(
        rx.icon("landmark", size=18, color="white"),
        width=size, height=size, border_radius="10px", flex_shrink="0",
        background=f"linear-gradient(135deg, var(--{ACCENT}-9), var(--{ACCENT}-11))",
        aria_hidden="true",
    )


def page_heading(title: rx.Var | str, subtitle: rx.Var | str | None = None) -> rx.Component:
    """The title block at the top of a page."""
    return rx.vstack(
        rx.heading(title, size="7", weight="bold", as_="h1"),
        rx.text(subtitle, color_scheme="gray", size="3") if subtitle is not None else rx.fragment(),
        spacing="1", margin_bottom="5",
    )


def empty_state(icon: str, title: rx.Var | str, text: rx.Var | str) -> rx.Component:
    """A friendly block shown where a list has nothing in it yet."""
    return rx.center(
        rx.vstack(
            rx.center(rx.icon(icon, size=26, color=f"var(--{ACCENT}-11)"), width="56px", height="56px",
                      border_radius="50%", background=f"var(--{ACCENT}-3)"),
            rx.heading(title, size="4", as_="h2"),
            rx.text(text, color_scheme="gray", align="center", max_width="420px"),
            align="center", spacing="3",
        ),
        padding_y="64px", padding_x="16px", border="1px dashed var(--gray-6)", border_radius="12px",
        width="100%",
    )


def notice(text: rx.Var, *, tone: str) -> rx.Component:
    """A callout shown only when ``text`` is not empty; errors are announced to screen readers."""
    error = tone == "error"
    return rx.cond(
        text != "",
        rx.callout(text, icon="triangle_alert" if error else "info", color_scheme="red" if error else ACCENT,
                   role="alert" if error else "status", width="100%"),
    )


def loading() -> rx.Component:
    """Full-area spinner shown until the session check has finished."""
    return rx.center(rx.spinner(size="3"), width="100%", min_height="60vh", aria_busy="true")
