"""The store: one interface (``Store``) over the backends, and opening and seeding a store.

Backends, each behind the same seam: ``OxigraphStore`` (embedded Oxigraph, on disk or in memory,
``store.oxigraph``) and ``RemoteStore`` (any SPARQL 1.1 store over HTTP, ``store.remote``).
"""

from __future__ import annotations

from pathlib import Path

from pyoxigraph import Literal, NamedNode, Quad

from .. import resources
from ..namespaces import KP
from ..settings import Settings
from .base import (
    FORMATS,
    NON_PUBLIC_GRAPHS,
    Dataset,
    Row,
    Store,
    StoreBadRequest,
    StoreError,
    StoreLocked,
    StoreTimeout,
    StoreUnavailable,
    Term,
    delta_update,
    quad_text,
    rdf_format,
)
from .oxigraph import OxigraphStore

__all__ = [
    "FORMATS", "NON_PUBLIC_GRAPHS", "Dataset", "OxigraphStore", "Row", "Store", "StoreBadRequest", "StoreError",
    "StoreLocked", "StoreTimeout", "StoreUnavailable", "Term", "delta_update", "load_seed", "open_store",
    "quad_text", "rdf_format", "seed_files",
]

# --- opening and seeding ------------------------------------------------------------------------
SEEDED = NamedNode(KP + "seededWith")


def open_store(settings: Settings, *, seed: bool = True) -> Store:
    """Open the store the settings name; an empty store gets the ontology and seed data."""
    if settings.is_remote:
        from .remote import RemoteStore

        store: Store = RemoteStore(settings)
    elif settings.is_memory:
        store = OxigraphStore(settings, None)
    else:
        store = OxigraphStore(settings, settings.store)
    if seed and store.is_empty():
        load_seed(store)
    return store


def seed_files() -> list[tuple[str, Path]]:
    """(graph name, file) for the ontology and every seed file, in load order."""
    files = [("ontology", p) for p in resources.turtle_files(resources.ontology_dir())]
    files += [(p.stem, p) for p in resources.turtle_files(resources.data_dir())]
    return files


def load_seed(store: Store) -> int:
    """Load the ontology and the seed dataset into their named graphs."""
    base = store.settings.base + "/"
    total = 0
    for name, path in seed_files():
        total += store.load(path, rdf_format(path), store.graph(name), base_iri=base)
    stamp = Quad(store.graph("system"), SEEDED, Literal(str(len(seed_files()))), store.graph("system"))
    store.apply_delta([], [stamp])
    return total
