"""Paging controls under lists (de)."""

MESSAGES: dict[str, str] = {
    "lists.load_more": "Mehr laden",
}
