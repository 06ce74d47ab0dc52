"""Saved papers as files a reference manager imports: BibTeX (bibtex.py) and RIS (ris.py). Pure."""
