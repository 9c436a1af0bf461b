"""Paging controls under lists (fr)."""

MESSAGES: dict[str, str] = {
    "lists.load_older": "Charger les messages plus anciens",
    "lists.load_more": "Afficher plus",
}
