"""digestbot: a fortnightly bilingual digest of AI/LLM papers, in Telegram."""

__version__ = "0.1.0"
