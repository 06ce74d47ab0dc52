"""Paper summaries: the offline extract of an abstract, and the backends that write more."""
