"""Reflex states: thin handlers that ask one service and keep plain view data."""
