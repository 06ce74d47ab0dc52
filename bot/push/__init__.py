"""The fortnightly push: which chats are due, their digests planned into the ledger, sent within
Telegram's limits over our own transport. May import telegram, render, digest and storage."""
