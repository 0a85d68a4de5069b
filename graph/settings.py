"""One settings object for the library, the CLI and the service.

Values come from ``KNOOPPUNT_*`` environment variables; CLI flags override them. Every setting is
documented in the README's settings table; keep the two in step.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, fields, replace
from pathlib import Path

DEFAULT_BASE_IRI = "https://w3id.org/knooppunt"


def _default_store() -> str:
    return str(Path.home() / ".local" / "share" / "knooppunt" / "store")


@dataclass(frozen=True)
class Settings:
    store: str = field(default_factory=_default_store)
    """A directory (embedded Oxigraph on disk), ``memory``, or an http(s) URL of a SPARQL store."""
    base_iri: str = DEFAULT_BASE_IRI
    query_timeout: float = 10.0
    """Seconds before a SPARQL query on /sparql is stopped."""
    row_cap: int = 10_000
    """Most rows (or triples) one SPARQL query returns."""
    max_concurrent_queries: int = 4
    """SPARQL queries that run at once; further ones wait briefly, then get 503."""
    max_query_bytes: int = 64 * 1024
    max_upload_bytes: int = 20 * 1024 * 1024
    max_update_bytes: int = 1024 * 1024
    """Longest SPARQL Update text (rdflib's parser reads ~130 characters per ms: larger changes go
    through imports or the Graph Store Protocol)."""
    body_idle_timeout: float = 10.0
    """Seconds a request body may pause between two chunks before the request gets 408."""
    body_timeout: float = 120.0
    """Seconds a whole request body may take to arrive before the request gets 408."""
    token_file: str = ""
    """Where write tokens are kept (hashes only); default: ``tokens.json`` beside the store."""
    session_secret: str = ""
    """Keys that sign curators' session cookies and form tokens, comma-separated, the newest first
    (older ones still verify, for a rotation); default: a random key kept in ``session.key``
    beside the token file."""
    session_max_age: int = 8 * 3600
    """Seconds a curator's browser session lasts after signing in."""
    proposal_rate: str = "10/minute;60/hour"
    """Proposal submissions one client (IP address) may send, counted before anything is checked
    (``limits`` notation)."""
    signin_rate: str = "10/minute;50/hour"
    """Sign-in attempts one client may make."""
    max_form_bytes: int = 64 * 1024
    """Largest accepted web form or proposal body."""
    store_user: str = ""
    store_password: str = ""
    store_token: str = ""
    store_update_url: str = ""
    store_gsp_url: str = ""
    store_timeout: float = 30.0
    store_engine: str = "auto"
    """The remote store's engine profile (``store.profiles``): auto (from its Server header),
    standard, oxigraph or virtuoso."""
    store_private: str = ""
    """URL of a second SPARQL store for the non-public graphs (``private``, ``system``); empty:
    they stay in the main store, hidden by the protocol dataset."""

    @property
    def base(self) -> str:
        return self.base_iri.rstrip("/")

    def graph_iri(self, name: str) -> str:
        return f"{self.base}/graph/{name}"

    def id_iri(self, kind: str, slug: str) -> str:
        return f"{self.base}/id/{kind}/{slug}"

    @property
    def is_remote(self) -> bool:
        return self.store.startswith(("http://", "https://"))

    @property
    def is_memory(self) -> bool:
        return self.store == "memory"

    def resolved_token_file(self) -> Path:
        if self.token_file:
            return Path(self.token_file)
        if self.is_memory or self.is_remote:
            return Path.home() / ".config" / "knooppunt" / "tokens.json"
        return Path(self.store) / "tokens.json"

    def resolved_session_key_file(self) -> Path:
        return self.resolved_token_file().with_name("session.key")

    def with_overrides(self, **overrides: object) -> Settings:
        return replace(self, **{k: v for k, v in overrides.items() if v is not None})


def _convert(value: str, default: object) -> object:
    if isinstance(default, bool):
        return value.lower() in {"1", "true", "yes", "on"}
    if isinstance(default, int):
        return int(value)
    if isinstance(default, float):
        return float(value)
    return value


def from_env(environ: dict[str, str] | None = None, **overrides: object) -> Settings:
    """Settings from ``KNOOPPUNT_<NAME>`` variables, then explicit overrides (CLI flags)."""
    environ = dict(os.environ if environ is None else environ)
    defaults = Settings()
    values: dict[str, object] = {}
    for f in fields(Settings):
        raw = environ.get(f"KNOOPPUNT_{f.name.upper()}")
        if raw is not None and raw != "":
            values[f.name] = _convert(raw, getattr(defaults, f.name))
    return replace(defaults, **values).with_overrides(**overrides)
