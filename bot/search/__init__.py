"""Finding papers: an arXiv id or a link first, then full-text search, and the paper card's
contents. May import storage, the basics, and render's card view."""
