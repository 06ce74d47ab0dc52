"""Storage: SQLite through aiosqlite; SQL in, dataclasses out."""
