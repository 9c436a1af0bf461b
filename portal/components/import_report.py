"""The line report of a refused import (bookings and clients)."""

import reflex as rx

from portal.state.import_progress import ProblemView
from portal.state.session import t


def _problem_row(problem: ProblemView) -> rx.Component:
    return rx.table.row(rx.table.cell(problem.line), rx.table.cell(problem.column),
                        rx.table.cell(problem.message))


def problem_report(problems: rx.Var, *, max_height: str = "280px") -> rx.Component:
    """"Nothing was imported" and a scrollable table of line, column and problem."""
    return rx.vstack(
        rx.callout(t("import.refused"), icon="triangle_alert", color_scheme="red", role="alert", width="100%"),
        rx.box(
            rx.table.root(
                rx.table.header(rx.table.row(rx.table.column_header_cell(t("import.col.line")),
                                             rx.table.column_header_cell(t("import.col.column")),
                                             rx.table.column_header_cell(t("import.col.problem")))),
                rx.table.body(rx.foreach(problems, _problem_row)),
                size="1", width="100%",
            ),
            max_height=max_height, overflow_y="auto", width="100%",
        ),
        width="100%",
    )
