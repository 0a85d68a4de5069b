"""Knooppunt: the knowledge graph of Dutch palliative-care education, as a library.

Everything here works without HTTP: a notebook, the CLI and the web service all open a store
the same way (``knooppunt.graph.store.open_store``) and ask it the same named questions.
"""

__version__ = "0.1.0"
