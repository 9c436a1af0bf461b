"""The client import page: upload a CSV, watch the progress, read the line report."""

import reflex as rx

from portal.i18n import translate
from portal.services import booking_transfer, client_import
from portal.services.access import AccessDenied
from portal.state.import_progress import PROBLEMS_SHOWN, ImportProgressMixin, ProblemView
from portal.state.session import Area, SessionState, require_actor, to_login

CLIENT_IMPORT_UPLOAD_ID = "client-import"


class ClientImportState(ImportProgressMixin, rx.State):
    """One import at a time per tab; the report stays until the next file."""

    invite: bool = False
    summary: str = ""
    problems: list[ProblemView] = []
    error: str = ""

    @rx.event
    async def load(self):
        """Staff only; a fresh page each visit."""
        if await require_actor(self, Area.STAFF) is None:
            return to_login(self)
        self.importing, self.stage, self.progress, self.summary, self.problems, self.error = \
            False, "", 0, "", [], ""
        return None

    @rx.event
    def set_invite(self, value: bool):
        """Whether the imported contacts with LOGIN get their invitation right away."""
        self.invite = bool(value)

    @rx.event(background=True)
    async def import_file(self, chunks: rx.UploadChunkIterator):
        """Check every line, write all accounts and contacts or none, then invite if asked."""
        async with self:
            actor = await require_actor(self, Area.STAFF)
            locale = (await self.get_state(SessionState)).locale
            invite = self.invite
            if actor is None or self.importing:
                return
            self.importing, self.summary, self.problems, self.error, self.progress = True, "", [], "", 0
        try:
            report = await self._run_import(chunks, lambda data, tick: client_import.import_clients(
                actor=actor, data=data, invite=invite, progress=tick))
        except booking_transfer.TransferError as err:
            async with self:
                self.importing, self.error = False, translate(locale, err.key)
            return
        except AccessDenied:
            async with self:
                self.importing, self.error = False, translate(locale, "clients.error.gone")
            return
        async with self:
            self.importing, self.progress = False, 100
            self.problems = [ProblemView(line=p.line, column=p.column,
                                         message=client_import.problem_text(locale, p))
                             for p in report.problems[:PROBLEMS_SHOWN]]
            if not report.problems:
                self.summary = translate(locale, "import.client.done", accounts=report.accounts,
                                         contacts=report.contacts, linked=report.linked, invited=report.invited)
