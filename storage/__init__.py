"""Storage: SQLite through aiosqlite, one module per aggregate; SQL in, dataclasses out. The only
place that imports aiosqlite or sqlite3 or writes SQL; imports nothing from bot."""
