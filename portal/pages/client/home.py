"""Client home: the contact's accounts and the receipts the firm is waiting for."""

import reflex as rx

from portal import realtime, routes
from portal.components.common import ACCENT, loading
from portal.components.paging import load_more
from portal.components.pwa import install_card
from portal.components.questionnaires import questionnaire_links
from portal.components.shell import portal_shell
from portal.components.threads import thread_sheet
from portal.state.portal_home import AccountView, OpenItemView, PortalHomeState, QuestionView
from portal.state.thread_panel import ThreadPanelState
from portal.state.session import SessionState, t


def _summary() -> rx.Component:
    total = PortalHomeState.open_total
    return rx.card(
        rx.hstack(
            rx.center(rx.cond(total > 0, rx.icon("receipt-euro", size=24, color="var(--orange-11)"),
                              rx.icon("circle-check", size=24, color="var(--green-11)")),
                      width="48px", height="48px", border_radius="12px",
                      background=rx.cond(total > 0, "var(--orange-3)", "var(--green-3)")),
            rx.vstack(
                rx.text(rx.cond(total > 0, t("home.open.title"), t("home.done.title")), weight="bold", size="4"),
                rx.text(rx.cond(total > 0, t("home.open.text"), t("home.done.text")), color_scheme="gray", size="2"),
                spacing="1", flex="1",
            ),
            rx.cond(total > 0, rx.text(total, size="8", weight="bold", color="var(--orange-11)",
                                       aria_label=t("home.open.title"))),
            align="center", spacing="4", width="100%",
        ),
        width="100%", size="3",
    )


def _item(item: OpenItemView) -> rx.Component:
    return rx.hstack(
        rx.vstack(
            rx.text(item.counterparty, weight="medium", size="3"),
            rx.text(item.text, size="2", color_scheme="gray"),
            rx.text(item.date, size="1", color_scheme="gray"),
            spacing="0", min_width="0", flex="1",
        ),
        rx.vstack(
            rx.text(item.amount, weight="bold", size="3", white_space="nowrap",
                    color=rx.cond(item.incoming, "var(--green-11)", "var(--gray-12)")),
            rx.badge(rx.icon("file-question", size=12), t("home.receipt_missing"), color_scheme="orange",
                     variant="soft"),
            align="end", spacing="1",
        ),
        padding_y="12px", border_bottom="1px solid var(--gray-4)", style={"&:last-child": {"border_bottom": "none"}},
        width="100%", align="center", spacing="3",
    )


def _account(account: AccountView) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.hstack(rx.icon("building-2", size=18, color=f"var(--{ACCENT}-11)"),
                      rx.heading(account.name, size="4", as_="h2"), align="center", spacing="2"),
            rx.cond(
                account.full_access,
                rx.cond(
                    account.total > 0,
                    rx.vstack(rx.foreach(account.open_items, _item), spacing="0", width="100%"),
                    rx.text(t("home.account_done"), color_scheme="gray", size="2"),
                ),
                rx.text(t("home.limited"), color_scheme="gray", size="2"),
            ),
            spacing="3", width="100%",
        ),
        width="100%", size="2",
    )


def _question(q: QuestionView) -> rx.Component:
    return rx.el.button(
        rx.card(
            rx.vstack(
                rx.hstack(
                    rx.cond(q.unread, rx.box(width="10px", height="10px", border_radius="50%",
                                             background=f"var(--{ACCENT}-9)", title=t("home.unread"),
                                             flex_shrink="0")),
                    rx.text(q.counterparty, weight="bold", size="3"),
                    rx.spacer(),
                    rx.text(q.amount, weight="bold", white_space="nowrap",
                            color=rx.cond(q.incoming, "var(--green-11)", "var(--gray-12)")),
                    width="100%", align="center",
                ),
                rx.text(q.date, " · ", q.text, size="1", color_scheme="gray"),
                rx.hstack(rx.icon("message-circle", size=16, color=f"var(--{ACCENT}-11)", flex_shrink="0"),
                          rx.text(q.question, size="2", trim="both", style={"overflow_wrap": "anywhere"}),
                          align="start", spacing="2"),
                rx.cond(q.unread, rx.text(t("home.unread"), class_name="sr-only")),
                spacing="2", width="100%", align="stretch",
            ),
            width="100%", size="2",
        ),
        on_click=ThreadPanelState.open_thread(q.thread_id, ""), type="button",
        style={"all": "unset", "cursor": "pointer", "display": "block", "width": "100%"},
        aria_label=t("home.open_question") + ": " + q.counterparty,
    )


def _questions() -> rx.Component:
    return rx.cond(
        PortalHomeState.questions.length() > 0,
        rx.vstack(
            rx.hstack(rx.heading(t("home.questions.title"), size="5", as_="h2"),
                      # "50+" while older questions wait behind "load more".
                      rx.badge(PortalHomeState.questions.length().to_string()
                               + rx.cond(PortalHomeState.more_questions, "+", ""),
                               color_scheme=ACCENT, radius="full"),
                      align="center"),
            rx.text(t("home.questions.text"), size="2", color_scheme="gray"),
            rx.foreach(PortalHomeState.questions, _question),
            load_more(PortalHomeState.more_questions, PortalHomeState.load_more_questions),
            spacing="2", width="100%",
        ),
    )


def _messages_card() -> rx.Component:
    return rx.link(
        rx.card(
            rx.hstack(
                rx.center(rx.icon("messages-square", size=22, color=f"var(--{ACCENT}-11)"), width="44px",
                          height="44px", border_radius="12px", background=f"var(--{ACCENT}-3)"),
                rx.vstack(rx.text(t("home.messages.title"), weight="bold"),
                          rx.text(rx.cond(SessionState.action_count > 0, t("home.messages.waiting"),
                                          t("home.messages.none")), size="2", color_scheme="gray"),
                          spacing="0", flex="1"),
                rx.cond(SessionState.action_count > 0,
                        rx.badge(SessionState.action_count, color_scheme="orange", variant="solid", radius="full",
                                 size="3")),
                rx.icon("chevron-right", size=18, color="var(--gray-9)"),
                align="center", spacing="3", width="100%",
            ),
            width="100%",
        ),
        href=routes.PORTAL_CONVERSATIONS, underline="none", width="100%", color="inherit",
    )


def _choice(account: AccountView) -> rx.Component:
    # Height follows the name: a long one wraps on a phone instead of running out of the button.
    return rx.button(rx.icon("building-2", size=18, flex_shrink="0"),
                     rx.text(account.name, flex="1", text_align="left", style={"overflow_wrap": "anywhere"}),
                     rx.icon("chevron-right", size=18, flex_shrink="0"),
                     on_click=PortalHomeState.choose_account(account.id.to_string()),
                     variant="surface", size="3", width="100%", justify="start", height="auto", min_height="56px",
                     padding_y="10px")


def _account_chooser() -> rx.Component:
    """After login: a contact with several accounts says which one to work on."""
    return rx.card(
        rx.vstack(
            rx.heading(t("home.choose.title"), size="5", as_="h2"),
            rx.text(t("home.choose.text"), size="2", color_scheme="gray"),
            rx.vstack(rx.foreach(PortalHomeState.accounts, _choice), spacing="2", width="100%"),
            spacing="3", width="100%",
        ),
        width="100%", size="3",
    )


def _account_switch() -> rx.Component:
    """Change to another account later; shown only to contacts with several."""
    return rx.cond(
        PortalHomeState.accounts.length() > 1,
        rx.hstack(
            rx.el.label(t("home.switch"), html_for="account-switch", font_size="14px", white_space="nowrap"),
            rx.select.root(
                rx.select.trigger(id="account-switch", flex="1", min_width="0"),
                rx.select.content(rx.foreach(PortalHomeState.accounts,
                                             lambda a: rx.select.item(a.name, value=a.id.to_string()))),
                value=PortalHomeState.current_account, on_change=PortalHomeState.choose_account, size="3"),
            align="center", spacing="3", width="100%",
        ),
    )


def home_page() -> rx.Component:
    """The page at :data:`routes.PORTAL`."""
    return portal_shell(
        rx.vstack(
            rx.vstack(
                rx.text(t("home.greeting"), color_scheme="gray", size="2"),
                rx.heading(SessionState.name, size="7", as_="h1"),
                spacing="0",
            ),
            rx.cond(PortalHomeState.loaded,
                    rx.vstack(_questions(),
                              # A session from an email link sees its open questions only.
                              rx.cond(SessionState.talk_only, rx.fragment(),
                                      rx.cond(PortalHomeState.must_choose, _account_chooser(),
                                              rx.fragment(_account_switch(),
                                                          questionnaire_links(PortalHomeState.questionnaire_list),
                                                          _messages_card(), _summary()))),
                              rx.foreach(PortalHomeState.shown_accounts, _account),
                              install_card(dismissible=True),
                              spacing="4", width="100%"),
                    loading()),
            realtime.reload_on_change(realtime.LiveState.user, PortalHomeState.refresh),
            thread_sheet(),
            spacing="4", width="100%",
        ),
        active=routes.PORTAL,
    )
