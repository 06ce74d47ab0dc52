"""Telegram handlers, one module per feature, each with `register(app)`: parse the update, call a
service, render, reply. May import telegram, every service, render and storage; never the CLI."""
