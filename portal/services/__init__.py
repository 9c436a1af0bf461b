"""Services: the only code that opens database sessions and commits."""
