"""Public onboarding pages: activating an invitation and the self sign-up form."""

import asyncio

import reflex as rx

from portal.domain.errors import UserError
from portal.i18n import translate
from portal.services import onboarding
from portal.state.client_forms import error_text
from portal.state.session import SessionState, path_tail

# Errors the activation endpoint may name in the URL after a refused form.
_ACTIVATE_ERRORS = ("password.mismatch", "password.too_short", "password.too_long")


class ActivationState(rx.State):
    """The set-password form behind an invitation's activation link."""

    token: str = ""
    checked: bool = False
    problem: str = ""
    name: str = ""
    email: str = ""
    error: str = ""

    @rx.event
    async def load(self):
        """Check the link before showing the form: unknown, used or expired links get a clear page."""
        session = await self.get_state(SessionState)
        await session.load_public()
        self.token = path_tail(self)
        result = await asyncio.to_thread(onboarding.activation, token=self.token,
                                         client=self.router.session.client_ip or "unknown")
        locale = session.locale
        self.problem = translate(locale, f"activate.{result.problem.value}") if result.problem else ""
        self.name, self.email = result.name, result.email
        error_key = self.router.url.query_parameters.get("error", "")
        self.error = translate(locale, error_key) if error_key in _ACTIVATE_ERRORS else ""
        self.checked = True


class SignupState(rx.State):
    """The public sign-up page: a pending client account the firm then invites."""

    checked: bool = False
    open: bool = False
    done: bool = False
    error: str = ""

    @rx.event
    async def load(self):
        """Say whether the firm takes sign-ups; a closed page says so instead of showing the form."""
        session = await self.get_state(SessionState)
        await session.load_public()
        self.open = await asyncio.to_thread(onboarding.signup_open)
        self.done, self.error, self.checked = False, "", True

    @rx.event
    async def submit(self, form: dict):
        """Register the new client; known addresses get the same answer (nothing leaks)."""
        session = await self.get_state(SessionState)
        data = onboarding.SignupForm(
            first_name=str(form.get("first_name", ""))[:200], last_name=str(form.get("last_name", ""))[:200],
            email=str(form.get("email", ""))[:320], company_name=str(form.get("company_name", ""))[:200],
            phone=str(form.get("phone", ""))[:50], locale=session.locale)
        try:
            await asyncio.to_thread(onboarding.sign_up, form=data, client=self.router.session.client_ip or "unknown")
        except UserError as err:
            self.error = error_text(session.locale, err)
            if err.key == "signup.closed":
                self.open = False
            return
        self.error, self.done = "", True
