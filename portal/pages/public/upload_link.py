"""The upload page of a request link (``/u/<token>``): no login, phone first.

It shows who asks and what for, takes files by drag and drop or the file chooser, and
lists what arrived; nothing of the folder's contents. Bad links never get here in
production: :mod:`portal.api.upload_links` answers them with 404/410 first, and the
problem view below covers the rest (client-side navigation, the dev server).
"""

import reflex as rx

from portal.components.common import ACCENT, brand_mark, loading
from portal.components.document_language import document_language
from portal.components.upload_zone import upload_zone
from portal.state.session import t
from portal.state.upload_requests import PUBLIC_UPLOAD_ID, ReceivedItem
from portal.state.upload_requests import UploadLinkState as U


def _header() -> rx.Component:
    return rx.el.header(
        rx.hstack(brand_mark("32px"),
                  rx.text(rx.cond(U.firm_name != "", U.firm_name, "Kanzleiportal"), weight="bold", size="3",
                          style={"overflow_wrap": "anywhere"}),
                  align="center", spacing="3", width="100%", max_width="640px", margin_x="auto"),
        padding_x="16px", padding_y="12px", background="var(--color-panel-solid)",
        border_bottom="1px solid var(--gray-5)",
    )


def _problem() -> rx.Component:
    def view(icon: str, key: str) -> rx.Component:
        return rx.vstack(
            rx.center(rx.icon(icon, size=26, color="var(--gray-11)"), width="56px", height="56px",
                      border_radius="50%", background="var(--gray-3)"),
            rx.heading(t(f"request.problem.{key}.title"), size="6", as_="h1"),
            rx.text(t(f"request.problem.{key}.text"), color_scheme="gray"),
            spacing="3", padding_y="32px",
        )

    return rx.match(U.problem, ("expired", view("clock", "expired")), ("revoked", view("ban", "revoked")),
                    view("link-2-off", "unknown"))


def _received(item: ReceivedItem) -> rx.Component:
    return rx.hstack(rx.icon("circle-check", size=18, color="var(--green-10)", flex_shrink="0"),
                     rx.text(item.name, size="2", weight="medium", flex="1", min_width="0",
                             style={"overflow_wrap": "anywhere"}),
                     rx.text(item.size, size="1", color_scheme="gray", white_space="nowrap"),
                     align="center", spacing="2", width="100%", role="listitem")


def _request() -> rx.Component:
    return rx.vstack(
        rx.vstack(
            rx.heading(t("request.page.title"), size="7", as_="h1"),
            rx.text(t("request.page.intro"), color_scheme="gray"),
            spacing="2",
        ),
        rx.cond(U.message != "", rx.box(
            rx.text(t("request.page.message"), size="1", weight="bold", color=f"var(--{ACCENT}-11)",
                    text_transform="uppercase", letter_spacing="0.04em"),
            rx.text(U.message, white_space="pre-wrap", style={"overflow_wrap": "anywhere"}, margin_top="4px"),
            padding="14px 16px", border_radius="10px", background=f"var(--{ACCENT}-a2)",
            border_left=f"3px solid var(--{ACCENT}-9)", width="100%",
        )),
        rx.cond(U.expires != "", rx.hstack(rx.icon("calendar-clock", size=16, color="var(--gray-10)"),
                                           rx.text(t("request.page.valid_until"), " ", U.expires, size="2",
                                                   color_scheme="gray"),
                                           spacing="2", align="center")),
        rx.vstack(
            rx.el.label(t("request.page.name"), html_for="uploader-name", font_size="14px", font_weight="500"),
            rx.input(id="uploader-name", value=U.uploader_name, on_change=U.set_uploader_name, max_length=200,
                     auto_complete="name", size="3", width="100%", aria_describedby="uploader-name-hint"),
            rx.text(t("request.page.name.hint"), id="uploader-name-hint", size="1", color_scheme="gray"),
            spacing="1", width="100%",
        ),
        upload_zone(U, PUBLIC_UPLOAD_ID, receive=U.receive),
        rx.cond(U.received.length() > 0, rx.card(
            rx.vstack(
                rx.hstack(rx.icon("party-popper", size=18, color="var(--green-11)"),
                          rx.heading(t("request.page.done.title"), size="4", as_="h2"), spacing="2",
                          align="center"),
                rx.text(t("request.page.done.text"), size="2", color_scheme="gray"),
                rx.vstack(rx.foreach(U.received, _received), spacing="2", width="100%", role="list",
                          aria_label=t("request.page.done.title")),
                spacing="3", width="100%",
            ),
            width="100%", role="status", background="var(--green-a2)",
        )),
        rx.hstack(rx.icon("shield-check", size=16, color="var(--gray-10)", flex_shrink="0"),
                  rx.text(t("request.page.privacy"), size="1", color_scheme="gray"), spacing="2", align="start"),
        spacing="5", width="100%",
    )


def upload_link_page() -> rx.Component:
    """The page at :data:`portal.routes.UPLOAD_LINK`."""
    return rx.box(
        document_language(),
        _header(),
        rx.el.main(
            rx.cond(U.loaded, rx.cond(U.problem != "", _problem(), _request()), loading()),
            max_width="640px", margin_x="auto", padding=["20px 16px 40px", "32px 24px 48px"],
        ),
        min_height="100vh", background="var(--gray-1)",
    )
