"""The editors' pages (signed in, ``service.session``): the review queue, one proposal to edit,
approve or reject, the edit form of an existing resource, and what is missing.

- ``/redactie``: waiting proposals, oldest first, each with its likely duplicates;
- ``/redactie/voorstel/{id}``: the proposal's fields as an editable form; *save*, *approve* (one
  validated write through ``ingest.commit``: ``graph.curation.proposals.approve``) or *reject* with
  a reason;
- ``/redactie/bewerk?iri=…``: the fields of an existing resource; each field replaces what is there,
  a new name keeps the old one as ``skos:altLabel`` (``graph.curation.edits``); likely duplicates of
  a new name are shown before it is written;
- ``/redactie/ontbreekt?lijst=…&sorteer=…``: the curation views (``graph.curation.missing``),
  sortable, each row linking to its edit form.

Every form posts a CSRF token (``service.webforms``); without a session every page sends the
browser to ``/inloggen`` and every post is refused.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from knooppunt.graph.curation import edits, forms, missing, proposals
from knooppunt.graph.writes import ingest
from pyoxigraph import NamedNode
from starlette.concurrency import run_in_threadpool

from . import i18n, session, webforms
from . import pagedata as pd
from .proposals import checker, form_context, form_values

router = APIRouter(include_in_schema=False)
SORTS = ("label", "kind", "issue")


def _refused() -> webforms.FormRefused:
    return webforms.FormRefused(403, ("Niet ingelogd", "Not signed in"), (
        "Log in als redacteur om dit te doen.", "Sign in as an editor to do this."))


def _write_messages(result: ingest.WriteResult, lang: str) -> list[str]:
    out = [w.message_en if lang == "en" else w.message_nl for w in result.warnings]
    return out + [d.message(lang) for d in result.duplicates]


def _refusal_messages(exc: ingest.WriteError, lang: str) -> list[str]:
    if isinstance(exc, ingest.Refused):
        return [r.message_en if lang == "en" else r.message_nl for r in exc.report.violations]
    return [exc.detail]


# --- the queue and one proposal -------------------------------------------------------------------
@router.get("/redactie", response_class=HTMLResponse)
async def queue(request: Request) -> Response:
    from .pages import render

    if session.curator(request) is None:
        return session.sign_in_redirect(request)
    store = request.app.state.store
    waiting = await run_in_threadpool(proposals.listing, store, "pending")
    check = checker(request)
    for p in waiting:
        p.duplicates = await run_in_threadpool(proposals.find_duplicates, store, check, p, waiting)
    return render(request, "review_queue.html", proposals=waiting, kinds=forms.KINDS)


def _proposal_page(request: Request, p: proposals.Proposal, *, status: int = 200, values: dict | None = None,
                   errors: dict | None = None, messages: list[str] = (), done: str = "") -> Response:
    from .pages import render

    kind = forms.KINDS[p.kind]
    store = request.app.state.store
    p.duplicates = proposals.find_duplicates(store, checker(request), p) if p.status == "pending" else []
    preview = ""
    label = (values or p.fields).get("label")
    if p.status == "pending" and isinstance(label, str) and label:
        preview = pd.Site(store.settings.base).path(forms.free_iri(store, kind, label).value)
    return render(request, "review_proposal.html", status=status, p=p,
                  **form_context(request, kind, values if values is not None else p.fields, errors),
                  messages=list(messages), done=done, preview=preview,
                  resource_href=pd.Site(store.settings.base).path(p.resource) if p.resource else "")


@router.get("/redactie/voorstel/{proposal_id}", response_class=HTMLResponse)
async def proposal_page(request: Request, proposal_id: str) -> Response:
    if session.curator(request) is None:
        return session.sign_in_redirect(request)
    p = proposals.get(request.app.state.store, proposal_id)
    if p is None:
        raise webforms.FormRefused(404, ("Onbekend voorstel", "Unknown proposal"),
                                   ("Dit voorstel bestaat niet.", "This proposal does not exist."))
    return await run_in_threadpool(_proposal_page, request, p)


@router.post("/redactie/voorstel/{proposal_id}", response_class=HTMLResponse)
async def proposal_action(request: Request, proposal_id: str) -> Response:
    fields = await webforms.read(request)
    editor = session.curator(request)
    if editor is None:
        raise _refused()
    store = request.app.state.store
    lang = i18n.lang_of(request)
    p = proposals.get(store, proposal_id)
    if p is None:
        raise webforms.FormRefused(404, ("Onbekend voorstel", "Unknown proposal"),
                                   ("Dit voorstel bestaat niet.", "This proposal does not exist."))
    action = webforms.one(fields, "action")

    def run() -> Response:
        try:
            if action == "reject":
                done = proposals.reject(store, proposal_id, editor=editor.name, reason=webforms.one(fields, "reason"))
                return _proposal_page(request, done, done="rejected")
            raw = form_values(fields, forms.KINDS[p.kind])
            current = proposals.edit(store, proposal_id, raw)  # save the editor's changes first
            if action != "approve":
                return _proposal_page(request, current, done="saved")
            approved, result = proposals.approve(store, proposal_id, editor=editor.name, scope=editor.scope,
                                                 checker=checker(request))
            return _proposal_page(request, approved, done="approved", messages=_write_messages(result, lang))
        except forms.FormErrors as exc:
            return _proposal_page(request, p, status=422, values=form_values(fields, forms.KINDS[p.kind]),
                                  errors=exc.errors)
        except proposals.ProposalError as exc:
            return _proposal_page(request, proposals.get(store, proposal_id) or p, status=exc.status,
                                  messages=[exc.detail])
        except ingest.WriteError as exc:
            return _proposal_page(request, proposals.get(store, proposal_id) or p, status=exc.status,
                                  messages=[i18n.t("refused_by_shapes", lang), *_refusal_messages(exc, lang)])

    return await run_in_threadpool(run)


# --- editing an existing resource -------------------------------------------------------------------
def _resource(request: Request, iri: str) -> tuple[forms.Kind, NamedNode]:
    store = request.app.state.store
    kind = forms.kind_for(store, iri) if pd.safe_iri(iri) and iri.startswith(("http://", "https://")) else None
    if kind is None:
        raise webforms.FormRefused(404, ("Niet te bewerken", "Cannot be edited"), (
            "Dit is geen project, materiaal, organisatie of persoon in Knooppunt.",
            "This is not a project, material, organisation or person in Knooppunt."))
    return kind, NamedNode(iri)


def _edit_page(request: Request, kind: forms.Kind, iri: NamedNode, values: dict, *, status: int = 200,
               errors: dict | None = None, messages: list[str] = (), dups: list = (), done: bool = False) -> Response:
    from .pages import render

    store = request.app.state.store
    return render(request, "edit.html", status=status, iri=iri.value,
                  href=pd.Site(store.settings.base).path(iri.value), label=forms.label_of(store, iri) or iri.value,
                  **form_context(request, kind, values, errors, editing=True), messages=list(messages),
                  dups=list(dups), done=done)


@router.get("/redactie/bewerk", response_class=HTMLResponse)
async def edit_form(request: Request) -> Response:
    if session.curator(request) is None:
        return session.sign_in_redirect(request)
    kind, iri = _resource(request, request.query_params.get("iri", "")[:2000])
    values = await run_in_threadpool(forms.current, request.app.state.store, kind, iri)
    return await run_in_threadpool(_edit_page, request, kind, iri, values)


@router.post("/redactie/bewerk", response_class=HTMLResponse)
async def edit_post(request: Request) -> Response:
    fields = await webforms.read(request)
    editor = session.curator(request)
    if editor is None:
        raise _refused()
    kind, iri = _resource(request, webforms.one(fields, "iri")[:2000])
    store = request.app.state.store
    lang = i18n.lang_of(request)
    raw = form_values(fields, kind, editing=True)

    def run() -> Response:
        try:
            clean = forms.check(store, kind, raw, editing=True)
        except forms.FormErrors as exc:
            return _edit_page(request, kind, iri, raw, status=422, errors=exc.errors)
        check = checker(request)
        if webforms.one(fields, "confirm") != "ja":
            dups = check(edits.edit_delta(store, kind, iri, clean))  # shown before anything is written
            if dups:
                return _edit_page(request, kind, iri, raw, dups=dups)
        try:
            result = edits.edit(store, kind, iri, clean, agent=editor.name, scope=editor.scope)
        except ingest.WriteError as exc:
            return _edit_page(request, kind, iri, raw, status=exc.status,
                              messages=[i18n.t("refused_by_shapes", lang), *_refusal_messages(exc, lang)])
        return _edit_page(request, kind, iri, forms.current(store, kind, iri), messages=_write_messages(result, lang),
                          done=True)

    return await run_in_threadpool(run)


# --- what is missing ------------------------------------------------------------------------------------
def _missing(request: Request) -> missing.Missing:
    found = getattr(request.app.state, "missing", None)
    if found is None:
        found = request.app.state.missing = missing.Missing(request.app.state.store)
    return found


def sort_rows(rows: list[missing.Row], key: str, descending: bool) -> list[missing.Row]:
    def by(r: missing.Row) -> Any:
        if key == "kind":
            return (r.kind.casefold(), r.label.casefold())
        if key == "issue":
            return (" ".join(r.issues).casefold(), r.label.casefold())
        return (r.label.casefold(), r.iri)

    return sorted(rows, key=by, reverse=descending)


@router.get("/redactie/ontbreekt", response_class=HTMLResponse)
async def missing_page(request: Request) -> Response:
    from .pages import render

    if session.curator(request) is None:
        return session.sign_in_redirect(request)
    q = request.query_params
    view = q.get("lijst", "warnings") if q.get("lijst") in missing.VIEWS else "warnings"
    key = q.get("sorteer", "label") if q.get("sorteer") in SORTS else "label"
    descending = q.get("volgorde") == "af"
    lang = i18n.lang_of(request)
    rows = await run_in_threadpool(_missing(request).view, view, lang)
    site = pd.Site(request.app.state.settings.base)
    items = [{"row": r, "href": site.path(r.iri), "editable": forms.KIND_OF_IRI.get(site.kind(r.iri)) is not None}
             for r in sort_rows(rows, key, descending)]
    return render(request, "missing.html", view=view, views=missing.VIEWS, items=items, sort=key,
                  descending=descending)

