"""A client's protocol exported as CSV (streamed) or PDF ("Protokoll exportieren").

The export is recorded in the protocol before a byte of it leaves, in its own
transaction: a download the browser breaks off still counts as handed out.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlmodel import select

from portal.domain.actor import Actor
from portal.domain.audit import Action, Category, category
from portal.domain.clock import utcnow
from portal.domain.datev import neutralise_formula
from portal.i18n import format as fmt
from portal.i18n import translate
from portal.models import Firm
from portal.services import access, audit, db

FORMATS = ("csv", "pdf")
# Events read per query while a CSV streams.
CSV_BATCH = 500
# A PDF is built in memory; beyond this many events the CSV export has them all.
MAX_PDF_ENTRIES = 5000
# Unicode fonts looked for on the machine (Debian's fonts-dejavu-core first); without one
# the PDF falls back to a built-in font, which shows Latin-1 (umlauts, ß) but not more.
FONT_CANDIDATES = (
    ("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf", "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"),
    ("/usr/share/fonts/TTF/DejaVuSans.ttf", "/usr/share/fonts/TTF/DejaVuSans-Bold.ttf"),
    ("/usr/share/fonts/dejavu-sans-fonts/DejaVuSans.ttf", "/usr/share/fonts/dejavu-sans-fonts/DejaVuSans-Bold.ttf"),
    ("/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf",
     "/usr/share/fonts/truetype/liberation/LiberationSans-Bold.ttf"),
)


@dataclass(frozen=True)
class ProtocolFile:
    """An export ready to hand out: its name, type and bytes (streamed for CSV)."""

    filename: str
    content_type: str
    chunks: Iterator[bytes]


@dataclass(frozen=True)
class _Export:
    account_id: int
    account_name: str
    firm_name: str
    actor_name: str
    kind: Category | None
    since: dt.date | None
    until: dt.date | None
    formats: fmt.Formats
    created_at: dt.datetime


def export_protocol(*, actor: Actor, public_id: str, file_format: str, kind: str = "", since: dt.date | None = None,
                    until: dt.date | None = None, formats: fmt.Formats, ip: str = "") -> ProtocolFile:
    """Record the export, then build it: CSV as a stream, PDF in one piece.

    Args:
        actor: An admin, or staff assigned to the client.
        public_id: The client's id from the URL.
        file_format: ``csv`` or ``pdf``.
        kind: A filter group (:class:`~portal.domain.audit.Category`); anything else: all.
        since: First local day of the period, or None.
        until: Last local day of the period, or None.
        formats: The actor's language and time zone.
        ip: The requester's address.

    Raises:
        NotFound: If the actor may not read the client's protocol, or for an unknown format.
    """
    if file_format not in FORMATS:
        raise access.NotFound("format")
    if since and until and since > until:
        since, until = until, since
    group = category(kind)
    now = utcnow()
    with db.session() as s:
        account = audit.protocol_account_by_public_id(s, actor, public_id)
        firm = s.exec(select(Firm)).first()
        audit.record(s, actor=actor, action=Action.AUDIT_EXPORTED, account_id=account.id, object_kind="account",
                     object_id=account.id, ip=ip,
                     detail={"name": account.name, "format": file_format, "filter": group.value if group else "",
                             "since": since.isoformat() if since else "", "until": until.isoformat() if until else ""})
        s.commit()
        job = _Export(account_id=account.id, account_name=account.name, firm_name=firm.name if firm else "",
                      actor_name=actor.name, kind=group, since=since, until=until, formats=formats, created_at=now)
    filename = export_filename(account_name=job.account_name, file_format=file_format, formats=formats, now=now)
    if file_format == "csv":
        return ProtocolFile(filename=filename, content_type="text/csv; charset=utf-8", chunks=_csv(job))
    return ProtocolFile(filename=filename, content_type="application/pdf", chunks=iter([_pdf(job)]))


def export_filename(*, account_name: str, file_format: str, formats: fmt.Formats, now: dt.datetime) -> str:
    """The export's file name, e.g. ``Protokoll_Baeckerei_GmbH_2026-12-02.csv`` (the local day)."""
    day = now.astimezone(ZoneInfo(formats.timezone)).date().isoformat()
    return f"{translate(formats.locale, 'audit.file.stem')}_{_slug(account_name)}_{day}.{file_format}"


def _slug(name: str) -> str:
    cleaned = "".join(ch if ch.isalnum() else "_" for ch in name)
    return "_".join(part for part in cleaned.split("_") if part)[:60] or "Mandant"


def _entries(job: _Export, *, batch: int, limit: int | None = None) -> Iterator[audit.Entry]:
    """The job's events newest first, read in batches (one short session each)."""
    since, until = audit.day_bounds(job.since, job.until, job.formats.timezone)
    before, handed = None, 0
    while limit is None or handed < limit:
        step = batch if limit is None else min(batch, limit - handed)
        with db.session() as s:
            rows = audit.fetch(s, account_id=job.account_id, kind=job.kind, before=before, limit=step,
                               since=since, until=until)
        yield from rows
        handed += len(rows)
        if len(rows) < step:
            return
        before = rows[-1].id


# CSV


def csv_row(cells: list[str]) -> str:
    """One line of the export; every cell neutralised against spreadsheet formulas."""
    out = io.StringIO()
    csv.writer(out, delimiter=";", lineterminator="\r\n").writerow([neutralise_formula(c) for c in cells])
    return out.getvalue()


def _csv(job: _Export) -> Iterator[bytes]:
    """UTF-8 with BOM, semicolons, CRLF: what Excel opens right in German locales."""
    locale, zone = job.formats.locale, job.formats.timezone
    header = [translate(locale, "audit.csv.at", zone=zone), translate(locale, "audit.csv.who"),
              translate(locale, "audit.csv.side"), translate(locale, "audit.csv.what"),
              translate(locale, "audit.csv.action"), translate(locale, "audit.csv.object"),
              translate(locale, "audit.csv.details")]
    yield ("\ufeff" + csv_row(header)).encode()
    lines: list[str] = []
    for entry in _entries(job, batch=CSV_BATCH):
        text = audit.line(entry, job.formats)
        # ISO moments in the user's zone: sortable, and unambiguous in every language.
        at = entry.at.astimezone(ZoneInfo(zone)).strftime("%Y-%m-%d %H:%M:%S")
        lines.append(csv_row([at, text.who, text.side, text.what, text.action, text.object, text.details]))
        if len(lines) >= 100:
            yield "".join(lines).encode()
            lines = []
    if lines:
        yield "".join(lines).encode()


# PDF


def _font_files() -> tuple[str, str] | None:
    for regular, bold in FONT_CANDIDATES:
        if Path(regular).is_file():
            return regular, bold if Path(bold).is_file() else regular
    return None


def _pdf(job: _Export) -> bytes:
    from fpdf import FPDF
    from fpdf.fonts import FontFace

    locale = job.formats.locale
    entries = list(_entries(job, batch=CSV_BATCH, limit=MAX_PDF_ENTRIES + 1))
    truncated = len(entries) > MAX_PDF_ENTRIES
    entries = entries[:MAX_PDF_ENTRIES]
    page_label = translate(locale, "audit.pdf.page", page="{page}", pages="{pages}")

    class _Document(FPDF):
        def footer(self) -> None:
            self.set_y(-12)
            self.set_font(family, size=8)
            self.set_text_color(110)
            self.cell(0, 6, text(page_label.replace("{page}", str(self.page_no())).replace("{pages}", "{nb}")),
                      align="C")

    pdf = _Document(orientation="L", unit="mm", format="A4")
    pdf.set_title(translate(locale, "audit.pdf.title", client=job.account_name))
    pdf.set_creator("Kanzleiportal")
    fonts = _font_files()
    if fonts:
        family = "portal"
        pdf.add_font(family, "", fonts[0])
        pdf.add_font(family, "B", fonts[1])

        def text(value: str) -> str:
            return value
    else:
        family = "helvetica"

        def text(value: str) -> str:
            # The built-in fonts know Latin-1 only; anything else shows as "?".
            return value.encode("latin-1", "replace").decode("latin-1")

    pdf.alias_nb_pages("{nb}")
    pdf.set_auto_page_break(auto=True, margin=16)
    pdf.set_margins(12, 12, 12)
    pdf.add_page()
    pdf.set_font(family, "B", 15)
    pdf.multi_cell(0, 8, text(translate(locale, "audit.pdf.title", client=job.account_name)),
                   new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(family, size=9.5)
    filter_name = translate(locale, f"audit.filter.{job.kind.value}" if job.kind else "audit.filter.all")
    facts = [
        translate(locale, "audit.pdf.firm", firm=job.firm_name or "—"),
        translate(locale, "audit.pdf.period", period=audit.period_text(locale, job.since, job.until)),
        translate(locale, "audit.pdf.filter", filter=filter_name),
        translate(locale, "audit.pdf.generated", at=fmt.precise_datetime(job.created_at, locale, job.formats.timezone),
                  name=job.actor_name),
        translate(locale, "audit.pdf.count", count=len(entries)),
    ]
    if truncated:
        facts.append(translate(locale, "audit.pdf.truncated", count=MAX_PDF_ENTRIES))
    for fact in facts:
        pdf.multi_cell(0, 5, text(fact), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)
    if not entries:
        pdf.multi_cell(0, 6, text(translate(locale, "audit.pdf.empty")), new_x="LMARGIN", new_y="NEXT")
        return bytes(pdf.output())
    pdf.set_font(family, size=8)
    headings = [translate(locale, key) for key in ("audit.col.at", "audit.col.who", "audit.col.what",
                                                   "audit.col.object", "audit.col.details")]
    with pdf.table(col_widths=(35, 42, 44, 58, 94), text_align="LEFT", line_height=4.2, padding=1.2,
                   borders_layout="HORIZONTAL_LINES", repeat_headings=1,
                   headings_style=FontFace(emphasis="BOLD", fill_color=(230, 242, 240))) as table:
        table.row([text(h) for h in headings])
        for entry in entries:
            shown = audit.line(entry, job.formats)
            table.row([text(shown.at), text(f"{shown.who} ({shown.side})" if shown.side else shown.who), text(shown.what), text(shown.object),
                       text(shown.details)])
    return bytes(pdf.output())
