"""The cache layer: the SQLite database, its migrations and its queries."""
