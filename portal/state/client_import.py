"""The client import page: upload a CSV, watch the progress, read the line report."""

import asyncio

import reflex as rx

from portal.i18n import translate
from portal.services import booking_transfer, client_import
from portal.services.access import AccessDenied
from portal.state.booking_transfer import PROBLEMS_SHOWN, ProblemView, file_bytes
from portal.state.session import Area, SessionState, require_actor, to_login

CLIENT_IMPORT_UPLOAD_ID = "client-import"


class ClientImportState(rx.State):
    """One import at a time per tab; the report stays until the next file."""

    invite: bool = False
    importing: bool = False
    stage: str = ""
    progress: int = 0
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

    @rx.event
    def set_upload_progress(self, progress: dict):
        """Bytes sent so far (0..1) while the file uploads."""
        self.stage, self.progress = "upload", round(float(progress.get("progress", 0)) * 100)

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
        ticks = {"stage": "check", "done": 0, "total": 1}
        try:
            data = await booking_transfer.read_upload(file_bytes(chunks))
            work = asyncio.create_task(asyncio.to_thread(
                client_import.import_clients, actor=actor, data=data, invite=invite,
                progress=lambda stage, done, total: ticks.update(stage=stage, done=done, total=max(total, 1))))
            while not work.done():
                await asyncio.sleep(0.25)
                async with self:
                    self.stage, self.progress = ticks["stage"], round(100 * ticks["done"] / ticks["total"])
            report = await work
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
