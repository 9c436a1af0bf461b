"""A panel sliding in from the right: full screen on phones, a side sheet on desktops.

Built on the drawer (a Radix dialog underneath): focus stays inside, Escape closes.
"""

import reflex as rx


def side_sheet(*children: rx.Component, is_open: rx.Var, on_open_change, label: rx.Var,
               header: rx.Component | None = None, footer: rx.Component | None = None,
               desktop_width: str = "520px") -> rx.Component:
    """The sheet with its dimmed overlay.

    Args:
        *children: The sheet's scrolling content.
        is_open: Whether it is shown.
        on_open_change: Event receiving the new open state (close button, Escape, overlay).
        label: Accessible name of the sheet.
        header: Stays pinned above the content (title and close button).
        footer: Stays pinned under the content (the message box), above a phone's keyboard.
        desktop_width: Width from tablet size up.
    """
    padding_x = ["16px", "16px", "20px"]
    pinned_header = rx.box(header, width="100%", flex_shrink="0", padding_x=padding_x, padding_top="12px",
                           padding_bottom="8px", border_bottom="1px solid var(--gray-a4)")
    return rx.drawer.root(
        rx.drawer.portal(
            rx.drawer.overlay(background="rgba(0,0,0,0.35)", z_index="40"),
            rx.drawer.content(
                rx.flex(
                    pinned_header if header is not None else rx.fragment(),
                    rx.vstack(*children, spacing="4", width="100%", padding_x=padding_x, padding_y="16px",
                              overflow_y="auto", flex="1", min_height="0",
                              # Scroll, never squeeze: a receipt preview would shrink to a line.
                              style={"& > *": {"flex_shrink": "0"}}),
                    rx.box(footer, width="100%", flex_shrink="0", padding_x=padding_x, padding_top="12px",
                           # Above the home indicator of notched phones.
                           padding_bottom="calc(12px + env(safe-area-inset-bottom))",
                           border_top="1px solid var(--gray-a5)", max_height="70%", overflow_y="auto",
                           style={"&:empty": {"display": "none"}})
                    if footer is not None else rx.fragment(),
                    direction="column", width="100%", height="100%",
                ),
                # Pinned to the layout viewport, which the keyboard shrinks (interactive-widget in the viewport meta).
                position="fixed", top="0", right="0", left="auto", bottom="0", z_index="50", height="100%",
                outline="none", width=["100%", "100%", desktop_width], background="var(--color-panel-solid)",
                box_shadow="-8px 0 24px rgba(0,0,0,0.12)", aria_label=label,
            ),
        ),
        open=is_open, on_open_change=on_open_change, direction="right",
        # The layout itself follows the keyboard; vaul's own resizing would keep the sheet at the
        # keyboard-open height after the keyboard closes. And vaul leaves the focus on the page
        # when the sheet opens unless told to move it in.
        custom_attrs={"repositionInputs": False, "autoFocus": True},
    )
