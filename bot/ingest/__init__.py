"""Papers coming in: arXiv RSS and API, Hugging Face Daily Papers, editors' articles; fetching
apart from parsing, bounded. May import topics, summarize (offline extracts), digest and storage."""
