"""Outgoing notifications: email functions, templates, the outbox queue and the SMTP sender."""
