"""The HTTP layer (FastAPI) and the command line over the ``graph`` library."""
