"""Messages of the installable app: offline page, new-version notice, install hints."""
