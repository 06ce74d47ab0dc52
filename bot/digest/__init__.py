"""Fortnights and their digests: periods, the ranking of a topic's issue, and a chat's digest
composed from its subscriptions. May import storage and the basics; rendering is bot.render's."""
