"""Reflex build configuration. Runtime settings live in portal/settings.py."""

import reflex as rx

config = rx.Config(
    app_name="portal",
    telemetry_enabled=False,
    show_built_with_reflex=False,
    plugins=[
        rx.plugins.RadixThemesPlugin(
            theme=rx.theme(accent_color="teal", gray_color="slate", radius="large", scaling="100%"),
        ),
    ],
    disable_plugins=[rx.plugins.SitemapPlugin],
)
