"""Topics: the configured set (packaged or an operator's file), their phrases, and the matcher that
files a paper under them. Pure: may import only the storage dataclasses."""
