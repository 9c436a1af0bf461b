"""The installable app in the UI: the new-version notice and the "install app" card.

Whether they show is the browser's business (a waiting service worker, an install
offer, iOS, standalone mode), so ``assets/pwa.js`` flips classes on ``<html>`` and
``assets/pwa.css`` shows or hides the wrappers here; the buttons call ``window.portalPwa``
directly, which also works while the server is unreachable. The toggled wrappers are
plain elements that never set ``display``: a styled one would fight the stylesheet.
"""

import reflex as rx

from portal.components.common import ACCENT
from portal.state.session import SessionState, t


def update_notice() -> rx.Component:
    """The small "new version available / reload" notice, on every page.

    Its ``lang`` tells pwa.js the user's language, for the offline page.
    """
    return rx.el.div(
        rx.card(
            rx.hstack(
                rx.icon("refresh-cw", size=18, color=f"var(--{ACCENT}-11)", aria_hidden="true", flex_shrink="0"),
                rx.text(t("pwa.update.text"), size="2", weight="medium", flex="1"),
                rx.button(t("pwa.update.reload"), size="2",
                          on_click=rx.call_script("window.portalPwa && window.portalPwa.applyUpdate()")),
                align="center", spacing="3",
            ),
            size="2",
        ),
        id="pwa-update", class_name="pwa-update", role="status", lang=SessionState.locale,
    )


def install_card(*, dismissible: bool) -> rx.Component:
    """The hint to put the portal on the home screen, where the browser can do it.

    Args:
        dismissible: Offer a close button whose choice the device remembers (home page);
            the profile page keeps the hint as long as it applies.
    """
    close = rx.icon_button(rx.icon("x", size=16), variant="ghost", color_scheme="gray", size="2",
                           aria_label=t("pwa.install.dismiss"),
                           on_click=rx.call_script("window.portalPwa.dismissInstall()"))
    return rx.el.div(
        rx.card(
            rx.hstack(
                rx.image(src="/icon-192.png", width="44px", height="44px", border_radius="10px", alt="",
                         flex_shrink="0"),
                rx.vstack(
                    rx.heading(t("pwa.install.title"), size="3", as_="h2"),
                    rx.text(t("pwa.install.text"), size="2", color_scheme="gray"),
                    rx.el.div(
                        rx.button(rx.icon("download", size=16), t("pwa.install.button"), size="3",
                                  on_click=rx.call_script("window.portalPwa.install()"), width=["100%", "auto"]),
                        class_name="pwa-install-prompt", width="100%",
                    ),
                    rx.el.div(
                        rx.hstack(rx.icon("share", size=16, color=f"var(--{ACCENT}-11)", aria_hidden="true",
                                          flex_shrink="0"),
                                  rx.text(t("pwa.install.ios"), size="2", weight="medium"),
                                  align="center", spacing="2"),
                        class_name="pwa-install-ios",
                    ),
                    spacing="2", flex="1", min_width="0",
                ),
                close if dismissible else rx.fragment(),
                align="start", spacing="3", width="100%",
            ),
            width="100%", size="2",
        ),
        class_name="pwa-install pwa-install-dismissible" if dismissible else "pwa-install",
        width="100%",
    )
