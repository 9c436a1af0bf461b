"""Login, forgotten password and password reset pages."""

import asyncio

import reflex as rx

from portal import routes
from portal.domain.enums import SessionScope
from portal.i18n import translate
from portal.services import auth, oidc
from portal.state.session import SessionState, path_tail

_SSO_ERRORS = ("sso_denied", "sso_expired", "sso_failed", "sso_unknown", "sso_unverified", "sso_conflict")
_LOGIN_ERRORS = {"invalid": "login.error.invalid", "locked": "login.error.locked",
                 "link_used": "link.used", "link_expired": "link.expired", "link_revoked": "link.revoked",
                 **{key: f"login.error.{key}" for key in _SSO_ERRORS}}
_LOGIN_NOTICES = {"logged_out": "login.notice.logged_out", "reset_sent": "login.notice.reset_sent",
                  "password_changed": "login.notice.password_changed", "talk_password": "link.talk_password"}
_RESET_ERRORS = ("reset.invalid", "password.mismatch", "password.too_short", "password.too_long")


class LoginState(rx.State):
    """The login form's messages and where to go afterwards."""

    error: str = ""
    notice: str = ""
    next_path: str = ""
    # Staff single sign-on is configured: the page offers its button.
    sso: bool = False
    # Where the single sign-on button leads (a link: a form's redirect to the provider would
    # break the page's form-action 'self' policy).
    sso_href: str = routes.API_SSO

    @rx.event
    async def load(self):
        """Send logged-in users on; otherwise show messages carried in the URL."""
        session = await self.get_state(SessionState)
        query = self.router.url.query_parameters
        next_path = routes.safe_next(query.get("next"))
        actor = await session._current_actor()
        # A link-opened session reaches the talk area only; everything else asks for the password.
        by_link = actor is not None and actor.scope != SessionScope.FULL
        if actor is not None and not by_link and not next_path:
            return rx.redirect(routes.home_for(actor.kind.value))
        if actor is not None and routes.may_open(actor.kind.value, next_path) and not (
                by_link and (not next_path or routes.needs_password(next_path))):
            return rx.redirect(next_path)
        await session.load_public()
        self.next_path = next_path
        self.sso = oidc.enabled()
        self.sso_href = routes.sso(next_path=next_path)
        locale = session.locale
        minutes = query.get("minutes", "15")
        error_key = _LOGIN_ERRORS.get(query.get("error", ""))
        # Logged in, but the page asked for belongs to the other area (e.g. a client on /staff).
        notice_key = _LOGIN_NOTICES.get(query.get("notice", ""))
        if actor is not None:
            notice_key = "link.password_needed" if by_link else "login.notice.other_area"
        self.error = translate(locale, error_key, minutes=minutes if minutes.isdigit() else "15") if error_key else ""
        self.notice = translate(locale, notice_key) if notice_key else ""
        return None


class ResetState(rx.State):
    """The set-new-password form behind an emailed link."""

    token: str = ""
    valid: bool = False
    checked: bool = False
    error: str = ""

    @rx.event
    async def load(self):
        """Check the link before showing the form."""
        session = await self.get_state(SessionState)
        await session.load_public()
        self.token = path_tail(self)
        self.valid = await asyncio.to_thread(auth.reset_token_is_valid, token=self.token)
        error_key = self.router.url.query_parameters.get("error", "")
        self.error = translate(session.locale, error_key) if error_key in _RESET_ERRORS and self.valid else ""
        self.checked = True
