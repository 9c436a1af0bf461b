"""Paging controls under lists (de)."""

MESSAGES: dict[str, str] = {
    "lists.load_older": "Ältere Nachrichten laden",
    "lists.load_more": "Mehr laden",
}
