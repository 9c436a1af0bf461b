"""Paging controls under lists (en)."""

MESSAGES: dict[str, str] = {
    "lists.load_older": "Load older messages",
    "lists.load_more": "Load more",
}
