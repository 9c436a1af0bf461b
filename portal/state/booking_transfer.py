"""Import and export dialogs of the staff bookings page."""

import asyncio

import reflex as rx

from portal import routes
from portal.i18n import translate
from portal.services import booking_transfer
from portal.services.access import NotFound
from portal.state.bookings import StaffBookingsState
from portal.state.import_progress import PROBLEMS_SHOWN, ImportProgressMixin, ProblemView
from portal.state.session import Area, SessionState, require_actor

IMPORT_UPLOAD_ID = "booking-import"


class BookingTransferState(ImportProgressMixin, rx.State):
    """Import report and export choices for the account on screen."""

    import_open: bool = False
    imported: int = 0
    problems: list[ProblemView] = []
    import_error: str = ""

    export_open: bool = False
    years: list[str] = []
    year: str = ""
    fmt: str = "datev"
    consultant_number: str = ""
    client_number: str = ""
    export_error: str = ""
    export_notice: str = ""

    @rx.event
    def set_import_open(self, is_open: bool):
        """Open or close the import dialog (a fresh report each time)."""
        self.import_open = is_open
        if is_open:
            self.imported, self.problems, self.import_error, self.progress, self.stage = 0, [], "", 0, ""

    @rx.event(background=True)
    async def import_file(self, chunks: rx.UploadChunkIterator):
        """Read the file, check every line, write all bookings or none."""
        async with self:
            actor = await require_actor(self, Area.STAFF)
            account_id = (await self.get_state(StaffBookingsState))._account_id
            locale = (await self.get_state(SessionState)).locale
            self.importing, self.imported, self.problems, self.import_error = True, 0, [], ""
        try:
            if actor is None or not account_id:
                raise NotFound("account")
            report = await self._run_import(chunks, lambda data, tick: booking_transfer.import_bookings(
                actor=actor, account_id=account_id, data=data, progress=lambda done, total: tick("check", done, total)))
        except booking_transfer.TransferError as err:
            async with self:
                self.importing, self.import_error = False, translate(locale, err.key)
            return
        except NotFound:
            async with self:
                self.importing, self.import_error = False, translate(locale, "talk.error.gone")
            return
        async with self:
            self.importing, self.progress, self.imported = False, 100, report.imported
            self.problems = [ProblemView(line=p.line, column=p.column,
                                         message=translate(locale, p.message_key, line=p.line, column=p.column,
                                                           value=p.value))
                             for p in report.problems[:PROBLEMS_SHOWN]]
        if report.imported:
            yield StaffBookingsState.refresh

    @rx.event
    async def open_export(self):
        """Offer the years with unexported bookings and the DATEV numbers on file."""
        actor = await require_actor(self, Area.STAFF)
        if actor is None:
            return
        account_id = (await self.get_state(StaffBookingsState))._account_id
        options = await asyncio.to_thread(booking_transfer.export_options, actor=actor, account_id=account_id)
        self.years = [str(y) for y in options.years]
        self.year = self.years[0] if self.years else ""
        self.consultant_number = str(options.consultant_number or "")
        self.client_number = str(options.client_number or "")
        self.export_error, self.export_notice, self.export_open = "", "", True

    @rx.event
    def set_export_open(self, is_open: bool):
        """Close the export dialog."""
        self.export_open = is_open

    @rx.event
    def set_year(self, year: str):
        """Choose the year to export."""
        self.year = year

    @rx.event
    def set_fmt(self, fmt: str | list[str]):
        """DATEV ZIP or Excel CSV."""
        value = fmt[0] if isinstance(fmt, list) and fmt else fmt
        self.fmt = value if value in booking_transfer.FORMATS else "datev"

    @rx.event
    async def export(self, form: dict):
        """Export, mark exported, close the talks, and download the file."""
        actor = await require_actor(self, Area.STAFF)
        if actor is None:
            return None
        bookings_state = await self.get_state(StaffBookingsState)
        locale = (await self.get_state(SessionState)).locale
        consultant = str(form.get("consultant_number", "")).strip()
        client = str(form.get("client_number", "")).strip()
        if (consultant and not consultant.isdigit()) or (client and not client.isdigit()) or not self.year.isdigit():
            self.export_error = translate(locale, "export.error.numbers")
            return None
        try:
            result = await asyncio.to_thread(
                booking_transfer.export_bookings, actor=actor, account_id=bookings_state._account_id, fmt=self.fmt,
                year=int(self.year), consultant_number=int(consultant) if consultant else None,
                client_number=int(client) if client else None)
        except booking_transfer.TransferError as err:
            self.export_error = translate(locale, err.key)
            return None
        self.export_open = False
        self.export_notice = translate(locale, "export.done", bookings=result.bookings, talks=result.closed_talks)
        return [rx.download(url=routes.export(result.key), filename=result.filename), StaffBookingsState.refresh]
