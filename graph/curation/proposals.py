"""Proposals: anyone proposes a resource; an editor edits, approves or rejects it.

A proposal lives in the ``proposals`` graph, one of the store's non-public graphs (``NON_PUBLIC_GRAPHS``:
in the embedded store's sidecar next to ``private`` and ``system``; on a remote store outside the
dataset every public query is given), so no public query, page or API answer shows it. No write
route reaches it either (``delta.PROTECTED``): only this module writes it.

One proposal is one node ``{base}/graph/proposals#{id}``::

    <…/graph/proposals#20250101T120000123456-1a2b3c> a kp:Proposal ;
        kp:proposalKind "initiatief" ; kp:proposalStatus "pending" ;   # pending | approved | rejected
        kp:proposalFields "{\"label\": \"…\", \"themes\": [\"…\"]}" ;   # the checked form values, JSON
        kp:proposedBy "Naam" ; dct:created "…"^^xsd:dateTime ;
        # once decided:
        kp:decidedBy "redacteur" ; kp:decidedAt "…"^^xsd:dateTime ;
        kp:rejectionReason "…" ;                                       # rejected
        kp:resultingResource <…/id/project/…> ; kp:approval <…/graph/provenance#…> .   # approved

The values are kept as the form's fields, not yet as triples: a proposal is a request, not
knowledge, and the editor may still change it. Approval turns them into triples
(``forms.triples``) and writes them through ``ingest.commit`` — validated against the shapes, atomic,
with a provenance record naming the proposer, the approving editor, the time and the source — and
the proposal's new status goes into the same transaction, so a proposal is approved exactly when
its resource exists. A rejected proposal stays here with its reason and never reaches a public graph.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from pyoxigraph import Literal, NamedNode, Quad

from ..namespaces import DCT, KP, RDF, XSD
from ..writes import ingest, provenance
from ..writes.delta import Delta
from . import duplicates, forms

GRAPH = "proposals"
MAX_PENDING = 500
"""Pending proposals at most: beyond it new ones are refused until editors catch up (a bound on
what anonymous senders can store)."""
MAX_NAME = 100
MAX_REASON = 2000

PROPOSAL = NamedNode(KP + "Proposal")
KIND = NamedNode(KP + "proposalKind")
STATUS = NamedNode(KP + "proposalStatus")
FIELDS = NamedNode(KP + "proposalFields")
BY = NamedNode(KP + "proposedBy")
CREATED = NamedNode(DCT + "created")
DECIDED_BY = NamedNode(KP + "decidedBy")
DECIDED_AT = NamedNode(KP + "decidedAt")
REASON = NamedNode(KP + "rejectionReason")
RESULT = NamedNode(KP + "resultingResource")
APPROVAL = NamedNode(KP + "approval")
TYPE = NamedNode(RDF + "type")
DATETIME = NamedNode(XSD + "dateTime")
STATUSES = ("pending", "approved", "rejected")


class ProposalError(Exception):
    """A proposal operation that cannot be done; ``status`` is the HTTP status to answer with."""

    def __init__(self, detail: str, status: int = 400) -> None:
        super().__init__(detail)
        self.detail, self.status = detail, status


@dataclass
class Proposal:
    id: str
    kind: str
    fields: dict[str, Any]
    status: str
    created: str
    proposed_by: str = ""
    decided_by: str = ""
    decided_at: str = ""
    reason: str = ""
    resource: str = ""
    approval: str = ""
    duplicates: list = field(default_factory=list)

    @property
    def label(self) -> str:
        return str(self.fields.get("label", ""))

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id, "kind": self.kind, "status": self.status, "label": self.label,
            "fields": self.fields, "created": self.created, "proposed_by": self.proposed_by,
            "decided_by": self.decided_by or None, "decided_at": self.decided_at or None,
            "reason": self.reason or None, "resource": self.resource or None, "approval": self.approval or None,
            "duplicates": [d.as_dict() for d in self.duplicates],
        }


def _graph(store) -> NamedNode:
    return store.graph(GRAPH)


def _node(store, proposal_id: str) -> NamedNode:
    return NamedNode(_graph(store).value + "#" + proposal_id)


def _now() -> Literal:
    return Literal(datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z"), datatype=DATETIME)


def kind(name: str) -> forms.Kind:
    if name not in forms.KINDS:
        raise ProposalError(f"unknown kind {name[:40]!r}; one of {', '.join(forms.KINDS)}", 404)
    return forms.KINDS[name]


def check_name(name: str) -> str:
    """The proposer's name as it will appear in the public provenance record (optional)."""
    f = forms.Field("proposed_by", ("Uw naam", "Your name"), "text", max_length=MAX_NAME)
    value, error = forms.check_text(name or "", f, person=True)
    if error:
        raise forms.FormErrors({"proposed_by": error})
    return value


# --- reading --------------------------------------------------------------------------------------
def get(store, proposal_id: str) -> Proposal | None:
    if not proposal_id or len(proposal_id) > 64 or not proposal_id.replace("-", "").isalnum():
        return None
    node = _node(store, proposal_id)
    values: dict[NamedNode, str] = {}
    for q in store.quads(node, None, None, _graph(store)):
        values[q.predicate] = q.object.value
    if not values:
        return None
    return Proposal(
        id=proposal_id, kind=values.get(KIND, ""), fields=json.loads(values.get(FIELDS, "{}")),
        status=values.get(STATUS, ""), created=values.get(CREATED, ""), proposed_by=values.get(BY, ""),
        decided_by=values.get(DECIDED_BY, ""), decided_at=values.get(DECIDED_AT, ""), reason=values.get(REASON, ""),
        resource=values.get(RESULT, ""), approval=values.get(APPROVAL, ""),
    )


def listing(store, status: str | None = "pending") -> list[Proposal]:
    """Proposals with ``status`` (all with ``None``), oldest first (a queue)."""
    g = _graph(store)
    ids = [q.subject.value.split("#", 1)[1] for q in store.quads(None, TYPE, PROPOSAL, g)]
    found = [p for p in (get(store, i) for i in ids) if p is not None and (status is None or p.status == status)]
    return sorted(found, key=lambda p: (p.created, p.id))


def pending_count(store) -> int:
    return sum(1 for _ in store.quads(None, STATUS, Literal("pending"), _graph(store)))


# --- duplicates -------------------------------------------------------------------------------------
def find_duplicates(store, checker: duplicates.Checker, p: Proposal,
                    pending: list[Proposal] | None = None) -> list[duplicates.Duplicate]:
    """Likely duplicates of a proposal: in the public graph, and among the other pending proposals
    (``pending``: that list, when the caller has read it already - a queue checks each of its
    proposals against the same list, which must not be read again for each)."""
    k = kind(p.kind)
    names = [n for n in (p.fields.get("label"), p.fields.get("label_en")) if n]
    candidate = duplicates.Candidate(None, k.iri_kind, names, list(p.fields.get("url", [])))
    found = checker.find([candidate])
    mine = {key for n in names for key in duplicates.keys(n)}
    for other in listing(store, "pending") if pending is None else pending:
        if other.id == p.id or duplicates.group(kind(other.kind).iri_kind) != duplicates.group(k.iri_kind):
            continue
        theirs = {key for key in duplicates.keys(other.label)}
        if mine & theirs:
            found.append(duplicates.Duplicate(None, p.label, _node(store, other.id).value,
                                              f"voorstel {other.id}: {other.label}", other.label, "same-name"))
    return found


# --- writing --------------------------------------------------------------------------------------
def _fields_literal(fields: dict[str, Any]) -> Literal:
    return Literal(json.dumps(fields, ensure_ascii=False, sort_keys=True))


def propose(store, kind_name: str, raw: dict[str, Any], *, proposed_by: str = "") -> Proposal:
    """Check and keep a new proposal (``forms.FormErrors`` for bad values, ``ProposalError`` 503
    when ``MAX_PENDING`` proposals wait already)."""
    k = kind(kind_name)
    clean = forms.check(store, k, raw)
    name = check_name(proposed_by)
    proposal_id = provenance.new_id()
    node = _node(store, proposal_id)
    g = _graph(store)
    created = _now()
    quads = [
        Quad(node, TYPE, PROPOSAL, g), Quad(node, KIND, Literal(k.name), g), Quad(node, STATUS, Literal("pending"), g),
        Quad(node, FIELDS, _fields_literal(clean), g), Quad(node, CREATED, created, g),
    ]
    if name:
        quads.append(Quad(node, BY, Literal(name), g))
    with store._write_lock:
        if pending_count(store) >= MAX_PENDING:
            raise ProposalError("too many proposals wait for review; please try again later", 503)
        store.apply_delta([], quads)
    return Proposal(proposal_id, k.name, clean, "pending", created.value, name)


def _pending(store, proposal_id: str) -> Proposal:
    p = get(store, proposal_id)
    if p is None:
        raise ProposalError(f"no proposal {proposal_id[:64]!r}", 404)
    if p.status != "pending":
        raise ProposalError(f"proposal {proposal_id} is {p.status} already", 409)
    return p


def edit(store, proposal_id: str, raw: dict[str, Any]) -> Proposal:
    """An editor's change of a pending proposal's values (checked like a new one)."""
    with store._write_lock:
        p = _pending(store, proposal_id)
        clean = forms.check(store, kind(p.kind), raw)
        node, g = _node(store, proposal_id), _graph(store)
        new = Quad(node, FIELDS, _fields_literal(clean), g)
        old = [q for q in store.quads(node, FIELDS, None, g) if q != new]
        if old:  # a delta removes only what changes (the sidecar adds before it removes)
            store.apply_delta(old, [new])
        p.fields = clean
    return p


def _decision(store, p: Proposal, status: str, editor: str) -> Delta:
    node, g = _node(store, p.id), _graph(store)
    return Delta(
        removed=list(store.quads(node, STATUS, None, g)),
        added=[Quad(node, STATUS, Literal(status), g), Quad(node, DECIDED_BY, Literal(editor), g),
               Quad(node, DECIDED_AT, _now(), g)],
    )


def reject(store, proposal_id: str, *, editor: str, reason: str) -> Proposal:
    """Reject with a reason (required): the proposal stays here, out of every public graph."""
    f = forms.Field("reason", ("Reden", "Reason"), "textarea", max_length=MAX_REASON)
    reason, error = forms.check_text(reason or "", f)
    if error or not reason:
        raise forms.FormErrors({"reason": error or ("Geef een reden.", "Give a reason.")})
    with store._write_lock:
        p = _pending(store, proposal_id)
        change = _decision(store, p, "rejected", editor)
        change.added.append(Quad(_node(store, p.id), REASON, Literal(reason), _graph(store)))
        store.apply_delta(change.removed, change.added)
    return get(store, proposal_id)  # type: ignore[return-value]


def approve(store, proposal_id: str, *, editor: str, scope: str, checker: duplicates.Checker | None = None) -> tuple[Proposal, ingest.WriteResult]:
    """Write the proposal's resource: one validated, atomic write with its provenance.

    The resource gets a new IRI from its label (``forms.free_iri``) in a graph of its own,
    ``{base}/graph/voorstel/{kind}/{slug}`` (an admin can undo it as one import). Without a source
    of its own, its ``dct:source`` is the provenance record of this approval, which names the
    proposer, the editor and the time. Raises ``ingest.Refused`` (422) if it breaks a shape; the
    proposal then stays pending.
    """
    with store._write_lock:
        p = _pending(store, proposal_id)
        k = kind(p.kind)
        clean = forms.check(store, k, p.fields)  # the graph may have changed since it was proposed
        iri = forms.free_iri(store, k, clean["label"])
        graph = store.graph(f"voorstel/{k.iri_kind}/{iri.value.rsplit('/', 1)[-1]}")
        record_id = provenance.new_id()
        record = NamedNode(store.graph(provenance.GRAPH).value + "#" + record_id)
        triples = forms.triples(store, k, clean, iri, source_fallback=record)
        data = Delta(added=[Quad(t.subject, t.predicate, t.object, graph) for t in triples])
        extra = [(provenance.STARTED, Literal(p.created, datatype=DATETIME))]
        if p.proposed_by:
            extra.append((provenance.PROPOSED_BY, Literal(p.proposed_by)))

        def bookkeeping() -> Delta:
            change = _decision(store, p, "approved", editor)
            node = _node(store, p.id)
            change.added += [Quad(node, RESULT, iri, _graph(store)), Quad(node, APPROVAL, record, _graph(store))]
            return change

        sources = clean.get("source") or []
        result = ingest.commit(
            store, data, agent=editor, scope=scope, operation="proposal", graph=graph,
            source=sources[0] if sources else f"voorstel {p.id}", duplicates=checker, record_id=record_id,
            provenance_extra=extra, bookkeeping=bookkeeping,
        )
    return get(store, proposal_id), result  # type: ignore[return-value]
