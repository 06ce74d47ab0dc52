"""Paper summaries: the offline extract of an abstract, and an OpenAI-compatible model that writes
both languages within budgets. May import digest (periods), the basics and storage."""
