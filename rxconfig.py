"""Reflex configuration. Runtime settings live in portal/settings.py."""

import reflex as rx

config = rx.Config(
    app_name="portal",
    telemetry_enabled=False,
    show_built_with_reflex=False,
    plugins=[rx.plugins.SitemapPlugin(), rx.plugins.TailwindV4Plugin()] if False else [],
)
