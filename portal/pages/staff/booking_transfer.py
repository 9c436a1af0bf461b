"""Import and export dialogs on a client's bookings page."""

import reflex as rx

from portal.components.common import ACCENT, notice
from portal.components.import_report import problem_report
from portal.components.upload_zone import name_file_input
from portal.state.booking_transfer import IMPORT_UPLOAD_ID, BookingTransferState
from portal.state.session import t

T = BookingTransferState


def import_dialog() -> rx.Component:
    """Upload a CSV or DATEV file; see how many rows came in or why none did."""
    report = rx.cond(
        T.problems.length() > 0,
        problem_report(T.problems),
        rx.cond(T.imported > 0,
                rx.callout(rx.text(t("import.done"), " ", T.imported), icon="circle-check", color_scheme="green",
                           role="status", width="100%")),
    )
    return rx.dialog.root(
        rx.dialog.trigger(rx.button(rx.icon("upload", size=16), t("import.button"), variant="soft")),
        rx.dialog.content(
            rx.dialog.title(t("import.title")),
            rx.dialog.description(t("import.text"), size="2", color_scheme="gray"),
            rx.vstack(
                name_file_input(rx.upload.root(
                    rx.vstack(rx.icon("file-spreadsheet", size=26, color=f"var(--{ACCENT}-11)"),
                              rx.text(t("import.drop"), weight="bold"), align="center", spacing="1"),
                    id=IMPORT_UPLOAD_ID, max_files=1, multiple=False,
                    accept={"text/csv": [".csv"], "text/plain": [".txt"], "application/vnd.ms-excel": [".csv"]},
                    on_drop=T.import_file(rx.upload_files_chunk(upload_id=IMPORT_UPLOAD_ID,
                                                                on_upload_progress=T.set_upload_progress)),
                    border=f"2px dashed var(--{ACCENT}-7)", border_radius="12px", padding="24px", width="100%",
                    cursor="pointer", aria_label=t("import.drop"),
                ), t("import.drop")),
                rx.cond(T.importing, rx.vstack(
                    rx.progress(value=T.progress, max=100, width="100%"),
                    rx.text(rx.cond(T.stage == "check", t("import.checking"), t("upload.progress")), " ",
                            T.progress, " %", size="1"),
                    width="100%", spacing="1")),
                notice(T.import_error, tone="error"),
                report,
                rx.hstack(rx.spacer(), rx.dialog.close(rx.button(t("talk.close_flyout"), variant="soft",
                                                                 color_scheme="gray")), width="100%"),
                spacing="3", width="100%", margin_top="12px",
            ),
            max_width="640px",
        ),
        open=T.import_open, on_open_change=T.set_import_open,
    )


def export_dialog() -> rx.Component:
    """Choose format and year; DATEV needs consultant and client number."""
    numbers = rx.cond(
        T.fmt == "datev",
        rx.hstack(
            rx.vstack(rx.el.label(t("export.consultant"), html_for="export-consultant", font_size="14px"),
                      rx.input(id="export-consultant", name="consultant_number", default_value=T.consultant_number,
                               input_mode="numeric", max_length=7, width="100%"), width="100%", spacing="1"),
            rx.vstack(rx.el.label(t("export.client"), html_for="export-client", font_size="14px"),
                      rx.input(id="export-client", name="client_number", default_value=T.client_number,
                               input_mode="numeric", max_length=5, width="100%"), width="100%", spacing="1"),
            width="100%", spacing="3",
        ),
    )
    form = rx.form(
        rx.vstack(
            rx.radio_group.root(
                rx.vstack(
                    rx.radio_group.item(t("export.fmt.datev"), value="datev"),
                    rx.radio_group.item(t("export.fmt.csv"), value="csv"),
                    spacing="2",
                ),
                value=T.fmt, on_change=T.set_fmt, aria_label=t("export.format"),
            ),
            rx.vstack(
                rx.el.label(t("export.year"), html_for="export-year", font_size="14px"),
                rx.select.root(rx.select.trigger(id="export-year", width="100%"),
                               rx.select.content(rx.foreach(T.years, lambda y: rx.select.item(y, value=y)), z_index="60"),
                               value=T.year, on_change=T.set_year),
                width="100%", spacing="1",
            ),
            numbers,
            rx.callout(t("export.effect"), icon="info", color_scheme="gray", size="1", width="100%"),
            notice(T.export_error, tone="error"),
            rx.hstack(rx.dialog.close(rx.button(t("talk.close_flyout"), variant="soft", color_scheme="gray",
                                                type="button")),
                      rx.spacer(), rx.button(rx.icon("download", size=16), t("export.submit"), type="submit"),
                      width="100%"),
            spacing="4", width="100%",
        ),
        on_submit=T.export, reset_on_submit=False, width="100%",
    )
    return rx.fragment(
        rx.button(rx.icon("download", size=16), t("export.button"), variant="soft", on_click=T.open_export),
        rx.dialog.root(
            rx.dialog.content(
                rx.dialog.title(t("export.title")),
                rx.cond(T.years.length() > 0, form,
                        rx.vstack(rx.text(t("export.error.nothing")),
                                  rx.dialog.close(rx.button(t("talk.close_flyout"), variant="soft")), spacing="3")),
                max_width="520px",
            ),
            open=T.export_open, on_open_change=T.set_export_open,
        ),
    )
