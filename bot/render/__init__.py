"""Rendering, pure: papers, cards, digests, topics and why-lines in, Telegram HTML and keyboards
out, split as Telegram counts. May import telegram, the basics and the dataclasses of digest and
storage; never the database or a service."""
