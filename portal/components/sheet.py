"""A panel sliding in from the right: full screen on phones, a side sheet on desktops.

Built on the drawer (a Radix dialog underneath): focus stays inside, Escape closes.
"""

import reflex as rx


def side_sheet(*children: rx.Component, is_open: rx.Var, on_open_change, label: rx.Var,
               desktop_width: str = "520px") -> rx.Component:
    """The sheet with its dimmed overlay.

    Args:
        *children: The sheet's content.
        is_open: Whether it is shown.
        on_open_change: Event receiving the new open state (close button, Escape, overlay).
        label: Accessible name of the sheet.
        desktop_width: Width from tablet size up.
    """
    return rx.drawer.root(
        rx.drawer.portal(
            rx.drawer.overlay(background="rgba(0,0,0,0.35)", z_index="40"),
            rx.drawer.content(
                rx.vstack(*children, spacing="4", width="100%", padding=["16px", "16px", "20px"],
                          overflow_y="auto", height="100%"),
                position="fixed", top="0", right="0", left="auto", bottom="0", z_index="50", height="100%",
                outline="none", width=["100%", "100%", desktop_width], background="var(--color-panel-solid)",
                box_shadow="-8px 0 24px rgba(0,0,0,0.12)", aria_label=label,
            ),
        ),
        open=is_open, on_open_change=on_open_change, direction="right",
        # vaul leaves the focus on the page when the sheet opens unless told to move it in.
        custom_attrs={"autoFocus": True},
    )
