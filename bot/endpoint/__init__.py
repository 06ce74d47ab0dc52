"""OpenAI-compatible endpoints, whoever asks them: the HTTP exchange (auth, deadlines, retries,
errors in one line), JSON read without trusting it, and error text made safe to keep. The
summaries' and the embeddings' clients both stand on it. May import the basics only."""
