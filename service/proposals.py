"""Proposals: the public forms (``/voorstellen``) and the API (``/api/proposals``).

Anyone may propose an initiative, project, material, organisation or person in a public role; the
proposal waits in the non-public ``proposals`` graph (``graph.curation.proposals``) until an editor
approves or rejects it (the review pages are ``service.review``; the API routes below). What
anyone can send is bounded: the form's size (``KNOOPPUNT_MAX_FORM_BYTES``), a rate per client
(``KNOOPPUNT_PROPOSAL_RATE``, ``service.ratelimit``), the number of waiting proposals
(``proposals.MAX_PENDING``), and every value's checks (``graph.curation.forms``: lengths, no markup,
http(s) links, no contact details). Likely duplicates are shown before anything is kept.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Body, FastAPI, Query, Request
from fastapi import Path as FastAPIPath
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from knooppunt.graph.analysis.knowledge import InvalidParameter, NotFound
from knooppunt.graph.curation import duplicates, forms, proposals
from knooppunt.graph.namespaces import KP
from knooppunt.graph.writes import ingest
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from pyoxigraph import NamedNode
from starlette.concurrency import run_in_threadpool

from . import bodies, i18n, lists, ratelimit, responses, webforms
from . import pagedata as pd
from .problems import Problem

router = APIRouter()
pages_router = APIRouter(include_in_schema=False)
SCHEMES = {KP + "Theme": "themas", KP + "Competency": "owr2", KP + "EducationLevel": "niveaus"}
INITIATIVE_PREFILL = {"title": "label", "description": "description", "themes": "themes",
                      "competencies": "competencies", "levels": "levels", "region": "region",
                      "organisation": "organisation"}
"""``/initiatief`` query parameters -> fields of the initiative proposal (its search becomes a proposal)."""


def setup(app: FastAPI) -> None:
    """HTML answers for refused forms, the proposal API's errors as problem+json."""
    from .pages import error_page

    @app.exception_handler(webforms.FormRefused)
    async def _refused(request: Request, exc: webforms.FormRefused) -> Response:
        return error_page(request, exc.status, exc.title, exc.detail, exc.headers)

    app.include_router(pages_router)


# --- shared by the proposal, review and edit pages ----------------------------------------------------
def checker(request: Request) -> duplicates.Checker:
    """A duplicate check over the service's search index (kept in step with writes)."""
    from .writes import duplicate_check

    return duplicate_check(request)


def choices(request: Request, kind: forms.Kind, lang: str) -> dict[str, list[tuple[int, str, str]]]:
    """(depth, IRI, label) for every choice field of ``kind``: concept trees with their depth,
    instances sorted by label, subclasses of the kind's class. Kept per store state and language
    (several fields share one list of organisations; a form page must not query them each time)."""
    store = request.app.state.store
    memo = getattr(request.app.state, "choice_lists", None)
    if memo is None:
        memo = request.app.state.choice_lists = {}
    key = (store.generation, kind.name, lang)
    found = memo.get(key)
    if found is None:
        found = _choices(request, kind, lang)
        for old in [k for k in list(memo) if k[0] != key[0]]:  # only the current store state is worth keeping
            memo.pop(old, None)
        memo[key] = found
    return found


def _choices(request: Request, kind: forms.Kind, lang: str) -> dict[str, list[tuple[int, str, str]]]:
    store, site = request.app.state.store, pd.Site(request.app.state.settings.base)
    shared: dict[tuple, list[tuple[int, str, str]]] = {}  # one list per class set, however many fields use it
    out: dict[str, list[tuple[int, str, str]]] = {}
    for f in kind.fields:
        if f.widget == "class":
            rows = store.select("SELECT ?base ?c ?l WHERE { ?c rdfs:subClassOf+ ?base . ?c rdfs:label ?l }",
                                {"base": NamedNode(f.classes[0])})
            labels: dict[str, dict[str, str]] = {}
            for r in rows:
                labels.setdefault(r["c"].value, {}).setdefault(r["l"].language or "", r["l"].value)
            out[f.name] = sorted(((0, c, pd.pick(ls, lang, pd.tail(c))) for c, ls in labels.items()),
                                 key=lambda x: x[2].casefold())
        elif f.widget in ("one", "many"):
            if f.classes not in shared:
                items: list[tuple[int, str, str]] = []
                for cls in f.classes:
                    if cls in SCHEMES:
                        items += [(d, c.link.iri, c.link.label)
                                  for d, c in pd.flat(pd.concept_tree(store, site, SCHEMES[cls], lang))]
                    else:
                        items += [(0, li.iri, li.label) for li in pd.instances(lists.knowledge(request), site, cls, lang)]
                seen: set[str] = set()
                shared[f.classes] = [x for x in items if not (x[1] in seen or seen.add(x[1]))]
            out[f.name] = shared[f.classes]
    return out


def form_values(fields: dict[str, list[str]], kind: forms.Kind, *, editing: bool = False) -> dict[str, Any]:
    """The kind's fields from a posted form (other names, such as buttons, left out)."""
    out: dict[str, Any] = {}
    for f in kind.fields:
        if editing and f.create_only:
            continue
        values = [v for v in fields.get(f.name, []) if v.strip()]
        if values:
            out[f.name] = values if f.widget == "many" else values[0]
    return out


def as_form(values: dict[str, Any]) -> dict[str, Any]:
    """Clean values as the form shows them (sets for choices, lines for addresses)."""
    out: dict[str, Any] = {}
    for k, v in values.items():
        out[k] = "\n".join(v) if isinstance(v, list) and k in ("url", "source") else (set(v) if isinstance(v, list) else v)
    return out


def form_context(request: Request, kind: forms.Kind, values: dict[str, Any], errors: dict | None = None,
                 *, editing: bool = False) -> dict[str, Any]:
    lang = i18n.lang_of(request)
    return {
        "kind": kind,
        "fields": [f for f in kind.fields if not (editing and f.create_only)],
        "values": as_form(values),
        "errors": {k: (v[1] if lang == "en" else v[0]) for k, v in (errors or {}).items()},
        "choices": choices(request, kind, lang),
    }


# --- the public pages ---------------------------------------------------------------------------------
@pages_router.get("/voorstellen", response_class=HTMLResponse)
def propose_index(request: Request) -> Response:
    from .pages import render

    return render(request, "propose_index.html", kinds=list(forms.KINDS.values()))


def _kind_or_404(name: str) -> forms.Kind:
    if name not in forms.KINDS:
        raise webforms.FormRefused(404, ("Onbekende soort", "Unknown kind"),
                                   ("Kies een soort voorstel op /voorstellen.", "Choose a kind of proposal at /voorstellen."))
    return forms.KINDS[name]


@pages_router.get("/voorstellen/bedankt", response_class=HTMLResponse)
def propose_thanks(request: Request) -> Response:
    from .pages import render

    return render(request, "propose_done.html")


@pages_router.get("/voorstellen/{kind_name}", response_class=HTMLResponse)
def propose_form(request: Request, kind_name: str) -> Response:
    """The form; ``/initiatief``'s parameters (title, description, themes ...) pre-fill an initiative."""
    from .pages import render

    kind = _kind_or_404(kind_name)
    values: dict[str, Any] = {}
    if kind.name == "initiatief":
        q = request.query_params
        for param, name in INITIATIVE_PREFILL.items():
            got = [v[:5000] for v in q.getlist(param) if v.strip()][: forms.MAX_VALUES]
            if got:
                values[name] = got if kind.field(name).widget == "many" else got[0]
    return render(request, "propose.html", **form_context(request, kind, values), proposed_by="", dups=[],
                  confirm=False)


@pages_router.post("/voorstellen/{kind_name}", response_class=HTMLResponse)
async def propose_post(request: Request, kind_name: str) -> Response:
    from .pages import render

    kind = _kind_or_404(kind_name)
    fields = await webforms.read(request)
    lang = i18n.lang_of(request)
    store = request.app.state.store
    raw, name = form_values(fields, kind), webforms.one(fields, "proposed_by")

    def again(status: int, errors=None, dups=(), headers=None, message: str = "") -> Response:
        return render(request, "propose.html", status=status, headers=headers,
                      **form_context(request, kind, raw, errors), proposed_by=name, dups=list(dups),
                      confirm=bool(dups), message=message)

    try:  # every submission counts, before any work is done for it
        ratelimit.check(request, "proposal")
    except ratelimit.RateLimited as exc:
        return again(429, headers={"Retry-After": str(exc.retry_after)},
                     message=i18n.t("rate_limited", lang, n=exc.retry_after))
    try:
        clean = await run_in_threadpool(forms.check, store, kind, raw)  # store reads: off the event loop
        proposals.check_name(name)
    except forms.FormErrors as exc:
        return again(422, exc.errors)
    draft = proposals.Proposal("", kind.name, clean, "pending", "")
    dups = await run_in_threadpool(proposals.find_duplicates, store, checker(request), draft)
    if dups and webforms.one(fields, "confirm") != "ja":
        return again(200, dups=dups)
    try:
        await run_in_threadpool(proposals.propose, store, kind.name, clean, proposed_by=name)
    except proposals.ProposalError as exc:
        return again(exc.status, message=exc.detail)
    return RedirectResponse("/voorstellen/bedankt" + ("?lang=en" if lang == "en" else ""), status_code=303)


# --- the API ---------------------------------------------------------------------------------------------
class ProposalIn(BaseModel):
    """A proposal: its kind and the form's fields (see ``GET /api/proposals/fields``)."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"example": {
        "kind": "initiatief",
        "fields": {"label": "Proactieve zorgplanning in het mbo", "themes": ["proactieve-zorgplanning"],
                   "source": ["https://example.org/initiatief"]},
        "proposed_by": "",
    }})
    kind: Literal["initiatief", "project", "materiaal", "organisatie", "persoon"]
    fields: dict[str, str | list[str]] = Field(max_length=40)
    proposed_by: str = Field("", max_length=200)


class FieldsIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    fields: dict[str, str | list[str]] = Field(max_length=40)


class RejectIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    reason: str = Field(min_length=1, max_length=4000)


EDITOR_PROBLEMS = responses.problems(400, 401, 403, 404, 409, 422, *responses.STORE)
JSON_RESULT = {"description": "The proposal (and, for an approval, the write).", "content": {"application/json": {"schema": {}}}}


SLUG_KINDS = {KP + "Theme": ("thema",), KP + "Competency": ("competentie", "canmeds"), KP + "CanMEDSRole": ("canmeds",),
              KP + "EducationLevel": ("niveau",), KP + "Region": ("regio",), KP + "Organisation": ("organisatie",),
              KP + "Project": ("project", "programma"), KP + "Programme": ("programma",), KP + "PersonRole": ("rol",)}
"""Where a bare slug of a choice field's class is looked for (``/id/{kind}/{slug}``)."""


def _resolve_slugs(request: Request, kind: forms.Kind, raw: dict[str, Any]) -> dict[str, Any]:
    """Choice values may be IRIs, ``kind/slug`` or slugs, resolved as elsewhere in the API
    (``Knowledge.resolve``). A value that names nothing is left as it is: the form check refuses
    it with the field's own message."""
    kb = lists.knowledge(request)
    out = dict(raw)
    for f in kind.fields:
        if f.widget in ("one", "many") and f.name in raw:
            values = raw[f.name] if isinstance(raw[f.name], list) else [raw[f.name]]
            kinds = tuple(dict.fromkeys(k for c in f.classes for k in SLUG_KINDS.get(c, ())))
            fixed = []
            for v in values:
                if not isinstance(v, str):
                    continue
                try:
                    fixed.append(kb.resolve(v, kinds, param=f"fields.{f.name}", classes=set(f.classes)))
                except (InvalidParameter, NotFound):
                    fixed.append(v)
            out[f.name] = fixed if isinstance(raw[f.name], list) else (fixed[0] if fixed else raw[f.name])
    return out


def _form_problem(exc: forms.FormErrors) -> Problem:
    return Problem(422, "Invalid fields", str(exc), errors=exc.as_list())


def _proposal_problem(exc: proposals.ProposalError) -> Problem:
    return Problem(exc.status, {404: "Not found", 409: "Conflict", 503: "Service unavailable"}.get(exc.status, "Bad request"),
                   exc.detail)


@router.get("/api/proposals/fields", tags=["proposals"], responses=responses.merge({200: JSON_RESULT}))
def proposal_fields() -> dict:
    """The fields of each kind of proposal: name, label (nl, en), kind of value, whether required."""
    return {"kinds": {k.name: {"label": {"nl": k.label[0], "en": k.label[1]}, "fields": [
        {"name": f.name, "label": {"nl": f.label[0], "en": f.label[1]}, "widget": f.widget,
         "required": f.required, "max_length": f.max_length, "predicate": f.predicate,
         "classes": list(f.classes), "create_only": f.create_only}
        for f in k.fields]} for k in forms.KINDS.values()}}


@router.post(
    "/api/proposals", tags=["proposals"], status_code=201,
    responses=responses.merge({201: {**JSON_RESULT, "description": "The proposal, waiting for review, with its likely duplicates."}},
                              responses.problems(400, 408, 413, 415, 422, 429, 503, *responses.STORE)),
    openapi_extra={"requestBody": {"required": True, "content": {"application/json": {"schema": ProposalIn.model_json_schema()}}}},
)
async def create_proposal(request: Request) -> JSONResponse:
    """Propose a resource (no token needed). Answers 201 with the proposal's id and any likely
    duplicates (existing IRIs) as warnings; an editor approves or rejects it later. The body is
    read with a cap (``KNOOPPUNT_MAX_FORM_BYTES``) before it is parsed: anyone can send it."""
    store = request.app.state.store
    try:  # every submission counts, before any work is done for it
        ratelimit.check(request, "proposal")
    except ratelimit.RateLimited as exc:
        raise Problem(429, "Too many requests", str(exc), headers={"Retry-After": str(exc.retry_after)}) from None
    body = await _proposal_body(request)
    kind = forms.KINDS[body.kind]
    raw = await run_in_threadpool(_resolve_slugs, request, kind, body.fields)
    try:
        p = await run_in_threadpool(proposals.propose, store, kind.name, raw, proposed_by=body.proposed_by)
    except forms.FormErrors as exc:
        raise _form_problem(exc) from None
    except proposals.ProposalError as exc:
        raise _proposal_problem(exc) from None
    p.duplicates = await run_in_threadpool(proposals.find_duplicates, store, checker(request), p)
    return JSONResponse(p.as_dict(), status_code=201, headers={"Location": f"/api/proposals/{p.id}"})


async def _proposal_body(request: Request) -> ProposalIn:
    if request.headers.get("content-type", "").split(";")[0].strip().lower() != "application/json":
        raise Problem(415, "Unsupported media type", "send the proposal as application/json")
    try:
        raw = await bodies.read_body(request, request.app.state.settings.max_form_bytes, what="the proposal")
    except bodies.BodyError as exc:
        raise Problem(exc.status, exc.title, exc.detail) from None
    try:
        return ProposalIn.model_validate_json(raw)
    except ValidationError as exc:
        errors = [{"parameter": ".".join(str(p) for p in e["loc"]), "message": e["msg"]} for e in exc.errors()]
        raise Problem(422, "Invalid parameter", "; ".join(f"{e['parameter']}: {e['message']}" for e in errors),
                      errors=errors) from None


def _editor(request: Request):
    from .writes import require

    return require(request, "editor")


@router.get("/api/proposals", tags=["proposals"], responses=responses.merge({200: JSON_RESULT}, EDITOR_PROBLEMS))
async def list_proposals(
    request: Request,
    status: Annotated[Literal["pending", "approved", "rejected", "all"], Query()] = "pending",
) -> dict:
    """Proposals (editor): the waiting ones by default, oldest first, each with its likely duplicates."""
    _editor(request)
    store = request.app.state.store
    found = await run_in_threadpool(proposals.listing, store, None if status == "all" else status)
    check = checker(request)
    waiting = [p for p in found if p.status == "pending"]
    for p in waiting:
        p.duplicates = await run_in_threadpool(proposals.find_duplicates, store, check, p, waiting)
    return {"proposals": [p.as_dict() for p in found], "count": len(found)}


ProposalId = Annotated[str, FastAPIPath(max_length=64, pattern=r"^[0-9A-Za-z-]+$", description="A proposal's id.")]


def _get(request: Request, proposal_id: str) -> proposals.Proposal:
    p = proposals.get(request.app.state.store, proposal_id)
    if p is None:
        raise Problem(404, "Not found", f"no proposal {proposal_id[:64]!r}")
    return p


@router.get("/api/proposals/{proposal_id}", tags=["proposals"], responses=responses.merge({200: JSON_RESULT}, EDITOR_PROBLEMS))
async def get_proposal(request: Request, proposal_id: ProposalId) -> dict:
    """One proposal (editor), with its likely duplicates."""
    _editor(request)
    p = _get(request, proposal_id)
    p.duplicates = await run_in_threadpool(proposals.find_duplicates, request.app.state.store, checker(request), p)
    return p.as_dict()


@router.put("/api/proposals/{proposal_id}", tags=["proposals"], responses=responses.merge({200: JSON_RESULT}, EDITOR_PROBLEMS))
async def edit_proposal(request: Request, proposal_id: ProposalId, body: Annotated[FieldsIn, Body()]) -> dict:
    """Change a waiting proposal's fields (editor): they are checked like a new proposal's."""
    _editor(request)
    store = request.app.state.store
    p = _get(request, proposal_id)
    raw = await run_in_threadpool(_resolve_slugs, request, forms.KINDS[p.kind], body.fields)
    try:
        p = await run_in_threadpool(proposals.edit, store, proposal_id, raw)
    except forms.FormErrors as exc:
        raise _form_problem(exc) from None
    except proposals.ProposalError as exc:
        raise _proposal_problem(exc) from None
    return p.as_dict()


@router.post("/api/proposals/{proposal_id}/approve", tags=["proposals"], responses=responses.merge({200: JSON_RESULT}, EDITOR_PROBLEMS))
async def approve_proposal(request: Request, proposal_id: ProposalId) -> Response:
    """Approve (editor): one validated, atomic write of the resource with its provenance; the answer
    is the proposal (with the new resource's IRI) and the write (warnings, duplicates)."""
    token = _editor(request)
    try:
        p, result = await run_in_threadpool(
            lambda: proposals.approve(request.app.state.store, proposal_id, editor=token.name, scope=token.scope,
                                      checker=checker(request)))
    except forms.FormErrors as exc:
        raise _form_problem(exc) from None
    except proposals.ProposalError as exc:
        raise _proposal_problem(exc) from None
    except ingest.WriteError as exc:
        from .writes import write_problem

        return write_problem(exc)
    return JSONResponse({"proposal": p.as_dict(), "write": result.as_dict()})


@router.post("/api/proposals/{proposal_id}/reject", tags=["proposals"], responses=responses.merge({200: JSON_RESULT}, EDITOR_PROBLEMS))
async def reject_proposal(request: Request, proposal_id: ProposalId, body: Annotated[RejectIn, Body()]) -> dict:
    """Reject with a reason (editor): the proposal never reaches a public graph."""
    token = _editor(request)
    try:
        p = await run_in_threadpool(proposals.reject, request.app.state.store, proposal_id,
                                    editor=token.name, reason=body.reason)
    except forms.FormErrors as exc:
        raise _form_problem(exc) from None
    except proposals.ProposalError as exc:
        raise _proposal_problem(exc) from None
    return p.as_dict()

