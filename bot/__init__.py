"""digestbot: a fortnightly bilingual digest of AI/LLM papers, in Telegram."""

__version__ = "0.1.0"

import os

# python-telegram-bot 22 hands time periods (RetryAfter.retry_after…) over as timedelta only
# when asked to; it will always do so in its next major version, and this code reads both.
os.environ.setdefault("PTB_TIMEDELTA", "1")
