"""One resource as a person wants to read it: type(s), labels, description, source, and all its
links out and in, grouped by relation, each with labels.

Read from the store (public dataset only) with the named queries in ``queries/internal/api_*``,
the IRI always a bound value. Links in are counted per relation and sampled (``IN_SAMPLE`` per
relation), so a theme that thousands of projects address answers as fast as a leaf.
"""

from __future__ import annotations

import threading
from typing import Any

from pyoxigraph import BlankNode, Literal, NamedNode

from .. import vocab
from ..queries import internal
from ..store import Store

IN_SAMPLE = 50
OUT_CAP = 500


class Describer:
    """Describes resources; caches the labels of predicates and classes per store generation."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self._labels: dict[str, dict[str, str]] = {}
        self._generation: int | None = None
        self._lock = threading.Lock()

    def exists(self, iri: str) -> bool:
        return self.store.ask(internal("api_resource_exists").text, {"s": NamedNode(iri)})

    def term_labels(self, iri: str) -> dict[str, str]:
        with self._lock:
            if self._generation != self.store.generation:
                self._labels.clear()
                self._generation = self.store.generation
            found = self._labels.get(iri)
        if found is None:
            found = {}
            for row in self.store.select(internal("api_term_labels").text, {"t": NamedNode(iri)}):
                label = row.get("label")
                if isinstance(label, Literal):
                    found.setdefault(label.language or "", label.value)
            for lang, text in vocab.ONTOLOGY_LABELS.get(iri, {}).items():
                found.setdefault(lang, text)
            if iri in vocab.BUILTIN_LABELS:
                nl, en = vocab.BUILTIN_LABELS[iri]
                found.setdefault("nl", nl)
                found.setdefault("en", en)
            with self._lock:
                self._labels[iri] = found
        return found

    def term_label(self, iri: str, lang: str = "nl") -> str:
        return vocab.pick_label(self.term_labels(iri), vocab.local_name(iri), lang)

    def inverse_label(self, iri: str, lang: str = "nl") -> str:
        """How the predicate ``iri`` reads from its object (``kp:inverseLabel``)."""
        labels = self.term_labels(iri)  # first: drops the cache of an older store generation
        with self._lock:
            key = "inverse " + iri
            found = self._labels.get(key)
        if found is None:
            found = vocab.inverse_labels(self.store, [iri])[iri]
            with self._lock:
                self._labels[key] = found
        return vocab.inverse_label(labels, found, lang)

    def describe(self, iri: str, lang: str = "nl") -> dict[str, Any] | None:
        """The resource, or None if no public statement mentions it."""
        s = NamedNode(iri)
        rows = self.store.select(internal("api_resource_out").text, {"s": s})
        if not rows and not self.exists(iri):
            return None
        types: dict[str, None] = {}
        labels: dict[str, list[str]] = {}
        descriptions: dict[str, list[str]] = {}
        sources: dict[str, None] = {}
        out: dict[str, dict[str, dict[str, Any]]] = {}
        for row in rows:
            p, o = row["p"].value, row["o"]
            if p == vocab.TYPE and isinstance(o, NamedNode):
                types[o.value] = None
            elif p in vocab.LABEL_PREDICATES and isinstance(o, Literal):
                _add_text(labels, o)
            elif p == vocab.DCT + "description" and isinstance(o, Literal):
                _add_text(descriptions, o)
            elif p == vocab.DCT + "source" and isinstance(o, NamedNode):
                sources[o.value] = None
            if p != vocab.TYPE:
                group = out.setdefault(p, {})
                key = _key(o)
                item = group.get(key)
                if item is None:
                    if len(group) >= OUT_CAP:
                        continue
                    item = group[key] = _value(o)
                olabel = row.get("olabel")
                if isinstance(olabel, Literal) and isinstance(o, NamedNode):
                    item.setdefault("labels", {}).setdefault(olabel.language or "", olabel.value)
        links_in = []
        for row in self.store.select(internal("api_resource_in_counts").text, {"o": s}):
            p = row["p"]
            total = int(row["n"].value)
            items: dict[str, dict[str, Any]] = {}
            for r in self.store.select(internal("api_resource_in").text, {"o": s, "p": p})[: IN_SAMPLE * 4]:
                item = items.setdefault(r["s"].value, {"iri": r["s"].value})
                if isinstance(r.get("slabel"), Literal):
                    item.setdefault("labels", {}).setdefault(r["slabel"].language or "", r["slabel"].value)
            rendered = sorted((_finish(i, lang) for i in items.values()), key=lambda i: (i["label"], i["iri"]))[:IN_SAMPLE]
            links_in.append({"predicate": p.value, "label": self.inverse_label(p.value, lang), "predicate_label": self.term_label(p.value, lang), "total": total, "items": rendered, "truncated": total > len(rendered)})
        links_in.sort(key=lambda g: (g["label"], g["predicate"]))
        links_out = [
            {
                "predicate": p,
                "label": self.term_label(p, lang),
                "items": sorted((_finish(i, lang) for i in group.values()), key=lambda i: (i.get("label", ""), i.get("iri", i.get("value", "")))),
            }
            for p, group in out.items()
        ]
        links_out.sort(key=lambda g: (g["label"], g["predicate"]))
        label = vocab.pick_label({lang_: v[0] for lang_, v in labels.items()}, vocab.local_name(iri), lang)
        return {
            "iri": iri,
            "label": label,
            "labels": labels,
            "types": [{"iri": t, "label": self.term_label(t, lang)} for t in types],
            "description": vocab.pick_label({lang_: v[0] for lang_, v in descriptions.items()}, "", lang),
            "descriptions": descriptions,
            "sources": list(sources),
            "links_out": links_out,
            "links_in": links_in,
        }


def _add_text(bucket: dict[str, list[str]], literal: Literal) -> None:
    values = bucket.setdefault(literal.language or "", [])
    if literal.value not in values:
        values.append(literal.value)


def _key(term: NamedNode | BlankNode | Literal) -> str:
    return str(term)


def _value(term: NamedNode | BlankNode | Literal) -> dict[str, Any]:
    if isinstance(term, NamedNode):
        return {"iri": term.value}
    if isinstance(term, BlankNode):
        return {"blank": term.value}
    out: dict[str, Any] = {"value": term.value}
    if term.language:
        out["lang"] = term.language
    elif term.datatype.value != vocab.XSD_STRING:
        out["datatype"] = term.datatype.value
    return out


def _finish(item: dict[str, Any], lang: str) -> dict[str, Any]:
    labels = item.pop("labels", None)
    if "iri" in item:
        item["label"] = vocab.pick_label(labels or {}, vocab.local_name(item["iri"]), lang)
    return item
