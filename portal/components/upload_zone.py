"""A drag-and-drop zone for several files, with a progress bar, status and cancel per file."""

import reflex as rx

from reflex_base.event import parse_args_spec, passthrough_event_spec
from reflex_components_core.core.upload import UploadFile

from portal.components.common import ACCENT
from portal.settings import get_settings
from portal.state.file_upload import CANCELLED, DONE, REFUSED, UploadItem
from portal.state.session import t


# The JS name under which on_drop hands its handlers the dropped File objects.
_DROPPED = parse_args_spec(passthrough_event_spec(list[UploadFile]))[0][0]


def _file_input(upload: rx.Component) -> rx.Component:
    # rx.upload.root renders Upload > div (the zone) > [input, *children].
    return upload.children[0].children[0]


def name_file_input(upload: rx.Component, label: rx.Var | str) -> rx.Component:
    """Give the file input inside an ``rx.upload.root`` an accessible name.

    react-dropzone renders that input (visually hidden, still in the accessibility tree)
    without a label, so screen readers announce an unnamed "Choose File" control.

    Args:
        upload: What ``rx.upload.root`` returned.
        label: The input's name, usually what the zone says.

    Returns:
        The same component.
    """
    _file_input(upload).custom_attrs["aria-label"] = label
    return upload


def hide_file_input(upload: rx.Component) -> rx.Component:
    """Hide the file input of a zone with its own visible button from screen readers.

    The input is out of the Tab order already; in the accessibility tree it would be a
    second, unnamed copy of the button.

    Args:
        upload: What ``rx.upload.root`` returned.

    Returns:
        The same component.
    """
    _file_input(upload).custom_attrs["aria-hidden"] = "true"
    return upload


def _status(item: UploadItem) -> rx.Component:
    return rx.match(
        item.status,
        (DONE, rx.hstack(rx.icon("circle-check", size=16, color="var(--green-10)"),
                         rx.text(t("upload.status.done"), size="1", color_scheme="green"), spacing="1",
                         align="center")),
        (REFUSED, rx.hstack(rx.icon("circle-x", size=16, color="var(--red-10)"),
                            rx.text(item.message, size="1", color_scheme="red"), spacing="1", align="center")),
        (CANCELLED, rx.text(rx.cond(item.message != "", item.message, t("upload.status.cancelled")), size="1",
                            color_scheme="gray")),
        rx.text(item.percent, " %", size="1", color_scheme="gray"),
    )


def _row(item: UploadItem) -> rx.Component:
    return rx.vstack(
        rx.flex(
            rx.icon("file", size=16, color="var(--gray-10)", flex_shrink="0"),
            rx.text(item.name, size="2", weight="medium", flex="1", min_width="0",
                    style={"overflow_wrap": "anywhere"}),
            rx.text(item.size, size="1", color_scheme="gray", white_space="nowrap"),
            align="center", gap="8px", width="100%",
        ),
        rx.cond((item.status == "uploading") | (item.status == "waiting"),
                rx.progress(value=item.percent, max=100, width="100%", aria_label=item.name)),
        _status(item),
        spacing="1", width="100%", padding_y="8px", border_bottom="1px solid var(--gray-a4)",
    )


def upload_zone(state: type[rx.State], upload_id: str, *, receive: rx.EventHandler,
                hint: rx.Var | None = None) -> rx.Component:
    """The zone and the list of files of the current upload.

    Args:
        state: A state with :class:`~portal.state.file_upload.FileUploadMixin`.
        upload_id: Unique id of this zone on the page.
        receive: The state's background handler taking ``rx.UploadChunkIterator``.
        hint: Line under the zone's title (what may be uploaded).
    """
    limit = get_settings().max_upload_mb
    zone = rx.upload.root(
        rx.vstack(
            rx.icon("cloud-upload", size=30, color=f"var(--{ACCENT}-11)"),
            rx.text(t("upload.zone.title"), weight="bold", align="center"),
            rx.text(hint if hint is not None else t("upload.zone.hint"), size="1", color_scheme="gray",
                    align="center"),
            rx.button(rx.icon("folder-open", size=16), t("upload.zone.choose"), type="button", variant="soft",
                      size="3"),
            rx.text(t("upload.zone.limit"), " ", limit, " ", t("unit.megabytes"), size="1", color_scheme="gray"),
            align="center", spacing="2", padding="24px 16px",
        ),
        id=upload_id, multiple=True, max_size=limit * 1024 * 1024,
        border=f"2px dashed var(--{ACCENT}-7)", border_radius="12px", width="100%", cursor="pointer",
        background=f"var(--{ACCENT}-a2)",
        drag_active_style={"background": f"var(--{ACCENT}-a4)", "border_color": f"var(--{ACCENT}-9)"},
        # Sizes first, so the request's progress can be shown per file.
        on_drop=[
            state.queue_files(rx.Var(f"({_DROPPED}).map((f) => ({{name: f.name, size: f.size}}))")),
            receive(rx.upload_files_chunk(upload_id=upload_id, on_upload_progress=state.upload_progress)),
        ],
    )
    return rx.vstack(
        hide_file_input(zone),
        rx.cond(
            state.upload_items.length() > 0,
            rx.vstack(
                rx.box(rx.foreach(state.upload_items, _row), width="100%", role="list",
                       aria_label=t("upload.list"), aria_live="polite"),
                rx.hstack(
                    rx.cond(state.uploading,
                            rx.button(rx.icon("x", size=16), t("upload.cancel"), variant="soft", color_scheme="red",
                                      on_click=state.cancel_upload(upload_id), type="button"),
                            rx.button(t("upload.clear"), variant="ghost", color_scheme="gray",
                                      on_click=state.clear_uploads, type="button")),
                    justify="end", width="100%",
                ),
                spacing="2", width="100%",
            ),
        ),
        spacing="3", width="100%",
    )
