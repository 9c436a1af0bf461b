"""Importing the firm's client list from CSV (staff): columns explained, drop zone,
progress, and the line report or what was created."""

import reflex as rx

from portal import routes
from portal.components.common import ACCENT, notice, page_heading
from portal.components.import_report import problem_report
from portal.components.shell import staff_shell
from portal.components.upload_zone import name_file_input
from portal.state.client_import import CLIENT_IMPORT_UPLOAD_ID
from portal.state.client_import import ClientImportState as S
from portal.state.session import t

# (column as written in the header, what it holds)
COLUMNS = (
    ("Kontoname", "import.client.col.account_name"),
    ("Kontotyp", "import.client.col.kind"),
    ("Firmenname", "import.client.col.company_name"),
    ("Firmenadresse", "import.client.col.company_address"),
    ("Schlagwörter", "import.client.col.tags"),
    ("Mandantennummer", "import.client.col.client_number"),
    ("Buchhalter", "import.client.col.accountants"),
    ("Vorname, Nachname", "import.client.col.names"),
    ("E-Mail, Telefon, Adresse", "import.client.col.contact"),
    ("LOGIN, NOTIFY, SYNC, Voller Zugriff", "import.client.col.toggles"),
)


def _columns() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.heading(t("import.client.columns"), size="3", as_="h2"),
            rx.text(t("import.client.columns.text"), size="2", color_scheme="gray"),
            rx.box(
                rx.table.root(
                    rx.table.body(*[rx.table.row(rx.table.row_header_cell(rx.code(name, size="1")),
                                                 rx.table.cell(t(key), white_space="normal"))
                                    for name, key in COLUMNS]),
                    size="1", width="100%",
                ),
                overflow_x="auto", width="100%",
            ),
            rx.text(t("import.client.columns.example"), size="1", color_scheme="gray"),
            rx.code("Kontoname;Firmenname;Vorname;Nachname;E-Mail;LOGIN\n;Bäckerei Hofmann GmbH;Maria;Hofmann;"
                    "maria@hofmann.de;ja", size="1", white_space="pre-wrap", word_break="break-all"),
            spacing="3", width="100%",
        ),
        width="100%",
    )


def _drop_zone() -> rx.Component:
    return name_file_input(rx.upload.root(
        rx.vstack(rx.icon("file-spreadsheet", size=28, color=f"var(--{ACCENT}-11)"),
                  rx.text(t("import.drop"), weight="bold", text_align="center"),
                  rx.text(t("import.client.drop_hint"), size="1", color_scheme="gray", text_align="center"),
                  align="center", spacing="1"),
        id=CLIENT_IMPORT_UPLOAD_ID, max_files=1, multiple=False, disabled=S.importing,
        accept={"text/csv": [".csv"], "text/plain": [".txt"], "application/vnd.ms-excel": [".csv"]},
        on_drop=S.import_file(rx.upload_files_chunk(upload_id=CLIENT_IMPORT_UPLOAD_ID,
                                                    on_upload_progress=S.set_upload_progress)),
        border=f"2px dashed var(--{ACCENT}-7)", border_radius="12px", padding="28px 16px", width="100%",
        cursor="pointer", aria_label=t("import.drop"),
    ), t("import.drop"))


def _progress() -> rx.Component:
    stage = rx.match(S.stage, ("upload", t("upload.progress")), ("write", t("import.client.writing")),
                     ("invite", t("import.client.inviting")), t("import.checking"))
    return rx.vstack(
        rx.progress(value=S.progress, max=100, width="100%", aria_label=t("import.client.progress")),
        rx.text(stage, " ", S.progress, " %", size="1", role="status"),
        width="100%", spacing="1",
    )


def client_import_page() -> rx.Component:
    """The page at :data:`routes.STAFF_CLIENT_IMPORT`."""
    return staff_shell(
        rx.vstack(
            rx.link(rx.hstack(rx.icon("arrow-left", size=16), t("clients.title"), align="center", spacing="1"),
                    href=routes.STAFF_CLIENTS, size="2"),
            page_heading(t("import.client.title"), t("import.client.text")),
            rx.flex(
                rx.vstack(
                    rx.card(
                        rx.vstack(
                            rx.el.label(
                                rx.hstack(rx.switch(checked=S.invite, on_change=S.set_invite, size="2",
                                                    disabled=S.importing),
                                          rx.text(t("import.client.invite"), size="2"), spacing="2", align="center"),
                                cursor="pointer"),
                            rx.text(t("import.client.invite.hint"), size="1", color_scheme="gray"),
                            _drop_zone(),
                            rx.cond(S.importing, _progress()),
                            spacing="3", width="100%",
                        ),
                        width="100%",
                    ),
                    notice(S.error, tone="error"),
                    rx.cond(S.problems.length() > 0, problem_report(S.problems, max_height="420px")),
                    rx.cond(S.summary != "", rx.callout(
                        rx.vstack(rx.text(S.summary), rx.link(t("import.client.to_clients"), href=routes.STAFF_CLIENTS),
                                  spacing="1"),
                        icon="circle-check", color_scheme="green", role="status", width="100%")),
                    spacing="3", flex="1", min_width="0", width="100%",
                ),
                rx.box(_columns(), flex="1", min_width="0", width="100%"),
                direction=rx.breakpoints(initial="column", md="row"), gap="16px", width="100%", align="start",
            ),
            spacing="3", width="100%",
        ),
        active=routes.STAFF_CLIENTS,
    )
