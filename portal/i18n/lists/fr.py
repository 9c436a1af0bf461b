"""Paging controls under lists (fr)."""

MESSAGES: dict[str, str] = {
    "lists.load_more": "Afficher plus",
}
