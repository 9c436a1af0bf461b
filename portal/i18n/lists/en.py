"""Paging controls under lists (en)."""

MESSAGES: dict[str, str] = {
    "lists.load_more": "Load more",
}
