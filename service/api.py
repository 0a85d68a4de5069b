"""``/api``: JSON for people who are not SPARQL users. Thin handlers over ``graph.analysis.knowledge``.

Every answer carries its evidence (explanation paths: chains of labelled edges). Errors are
``application/problem+json``: unknown ids 404 with a message, bad parameters 422 naming the
parameter and why, limits capped. Parameters that name things take an IRI, ``kind/slug`` or a
slug. No parameter is ever pasted into SPARQL: the search, people, related, connections, path,
coverage, gaps and graph answers come from the in-memory projection and index; ``/api/resource``
binds the IRI as a value.

``setup(app)`` makes one ``Knowledge`` per app (``app.state.knowledge``); the app's lifespan
fills its projection and search index in the background once the server starts (read from their
snapshot when it fits the data, else built from the store, ``graph.analysis.snapshot``), and
requests that need them wait for them. Writes keep them in step (``graph.analysis.live``).
"""

from __future__ import annotations

import json
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Body, FastAPI, Path, Query, Request
from fastapi.responses import Response, StreamingResponse
from knooppunt.graph.analysis import views
from knooppunt.graph.analysis.connections import DEFAULT_WEIGHTS as CONNECTION_WEIGHTS
from knooppunt.graph.analysis.connections import Initiative
from knooppunt.graph.analysis.connections import parse_weights as parse_connection_weights
from knooppunt.graph.analysis.knowledge import InvalidParameter, Knowledge, NotFound
from knooppunt.graph.analysis.paths import DEFAULT_HOPS, MAX_HOPS
from knooppunt.graph.analysis.related import DEFAULT_WEIGHTS as RELATED_WEIGHTS
from knooppunt.graph.analysis.related import parse_weights
from knooppunt.graph.analysis.weights import pattern as weights_pattern
from knooppunt.graph.namespaces import KP
from pydantic import BaseModel, ConfigDict, Field

from . import responses
from .problems import Problem

router = APIRouter(prefix="/api", tags=["api"])

Lang = Annotated[Literal["nl", "en"], Query(description="Language of labels in the answer.")]
PROBLEMS = responses.problems(400, 404, 422, *responses.STORE)
_PCHAR = r"(?:[A-Za-z0-9._~:@!$&'()*+,;=/-]|%[0-9A-Fa-f]{2})"
_IRI = rf"https?://[A-Za-z0-9.-]+(?::[0-9]{{1,5}})?(?:/{_PCHAR}*)?(?:\?(?:{_PCHAR}|\?)*)?(?:#(?:{_PCHAR}|\?)*)?"
_SLUG = r"[A-Za-z0-9][A-Za-z0-9._~-]{0,199}"
IRI_PATTERN = rf"^{_IRI}$"
"""An absolute http(s) IRI, as the OpenAPI document states it: what ``check_iri`` accepts."""
ID_PATTERN = rf"^(?:{_IRI}|[a-z]+/{_SLUG}|{_SLUG})$"
"""An IRI, ``kind/slug`` or slug (``Knowledge.resolve``)."""
SLUG_PATTERN = rf"^{_SLUG}$"

PROJECTS = {KP + "Project", KP + "Programme"}
ORGANISATIONS = {KP + "Organisation"}
CONCEPTS = {KP + "Competency", KP + "CanMEDSRole", KP + "Theme"}


def setup(app: FastAPI) -> None:
    """One ``Knowledge`` (projection + search index) per app, kept in step by writes."""
    kb = Knowledge(app.state.store)
    app.state.knowledge = kb
    app.state.search_index = kb.index  # the web pages' search uses the same index


def _kb(request: Request) -> Knowledge:
    return request.app.state.knowledge


def _invalid(exc: InvalidParameter) -> Problem:
    return Problem(422, "Invalid parameter", str(exc), errors=[{"parameter": exc.parameter, "message": exc.message}])


def _json(data: Any) -> Response:
    """An answer as JSON, encoded once by the C encoder: returning a ``Response`` skips FastAPI's
    ``jsonable_encoder`` walk and pydantic validation, which cost more than the answer itself for
    large ones (the response models stay, for the OpenAPI description)."""
    return Response(json.dumps(data, ensure_ascii=False, separators=(",", ":"), allow_nan=False).encode(), media_type="application/json")


def _run(fn, *args: Any, **kwargs: Any) -> Any:
    """Call the library; its InvalidParameter/NotFound become 422/404 problems."""
    try:
        return fn(*args, **kwargs)
    except InvalidParameter as exc:
        raise _invalid(exc) from None
    except NotFound as exc:
        raise Problem(404, "Not found", str(exc)) from None


# --- models ------------------------------------------------------------------------------------
class Node(BaseModel):
    iri: str
    label: str
    type: str = ""
    type_label: str = ""


class Step(BaseModel):
    """One labelled edge: the statement behind it (``via`` names a folded membership/coverage)."""

    subject: str
    subject_label: str
    predicate: str
    predicate_label: str
    object: str
    object_label: str
    label: str = Field(description="The relation as it reads in the direction of the path: the predicate's label, or its inverse label where the statement points back.")
    via: str | None = None
    qualifier: str | None = None


class PathOut(BaseModel):
    nodes: list[str]
    edges: list[Step]
    text: str = Field(description="The path as one readable line.")
    length: int


class SearchResult(Node):
    types: list[str]
    score: int
    match: Literal["exact", "prefix", "word", "contains", "description"]
    matched_field: str
    matched_text: str
    snippet: str


class SearchOut(BaseModel):
    query: str
    total: int
    results: list[SearchResult]


class PathsOut(BaseModel):
    model_config = ConfigDict(populate_by_name=True)
    from_: Node = Field(alias="from")
    to: Node
    hops: int
    truncated: bool
    paths: list[PathOut]


class InitiativeIn(BaseModel):
    """A new initiative: a title, a description, or both (a description alone is enough), and
    optionally themes, competencies, levels, a region and your organisation (IRIs or slugs). Theme,
    competency, level, care-setting, BOL/BBL, study-year, region and organisation names in the
    text are recognised (see ``initiative.recognised``)."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "example": {
                "title": "Proactieve zorgplanning in het mbo",
                "description": "Lessen over gesprekken over de laatste levensfase met verzorgenden.",
                "themes": ["proactieve-zorgplanning"],
                "levels": ["mbo"],
                "region": "noord-holland",
            },
            # What the route checks, said in the schema: at least one of these describes it.
            "anyOf": [
                {"required": ["title"], "properties": {"title": {"pattern": "\\S"}}},
                {"required": ["description"], "properties": {"description": {"pattern": "\\S"}}},
                {"required": ["themes"], "properties": {"themes": {"minItems": 1}}},
                {"required": ["competencies"], "properties": {"competencies": {"minItems": 1}}},
            ],
        },
    )
    title: str = Field("", max_length=300)
    description: str = Field("", max_length=5000)
    competencies: list[Annotated[str, Field(max_length=2000, pattern=ID_PATTERN)]] = Field(default_factory=list, max_length=50)
    themes: list[Annotated[str, Field(max_length=2000, pattern=ID_PATTERN)]] = Field(default_factory=list, max_length=50)
    region: str | None = Field(None, max_length=2000, pattern=ID_PATTERN)
    levels: list[Annotated[str, Field(max_length=2000, pattern=ID_PATTERN)]] = Field(default_factory=list, max_length=20)
    organisation: str | None = Field(None, max_length=2000, pattern=ID_PATTERN)


# --- 1. search ----------------------------------------------------------------------------------
@router.get("/search", response_model=SearchOut, responses=PROBLEMS)
def search(
    request: Request,
    q: Annotated[str, Query(min_length=1, max_length=200, description="Words to find in labels and descriptions (nl and en; case and accents do not matter).")],
    type: Annotated[str | None, Query(max_length=200, description="Only instances of this class: `Project`, `kp:Organisation`, a class IRI (subclasses included).")] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    lang: Lang = "nl",
) -> dict:
    """Ranked: exact name > name prefix > every word starts a word > name contains > description."""
    kb = _kb(request)
    cls = _run(kb.resolve_type, type) if type else None
    return _json(kb.search(q, type=cls, limit=limit, lang=lang))


# --- 2. resource ---------------------------------------------------------------------------------
@router.get("/resource", responses=PROBLEMS)
def resource(
    request: Request,
    iri: Annotated[str, Query(max_length=2000, pattern=IRI_PATTERN, description="The resource's IRI.")],
    lang: Lang = "nl",
) -> dict:
    """Type(s), labels, description, sources, and links out and in grouped by relation."""
    kb = _kb(request)
    from knooppunt.graph.analysis.knowledge import check_iri

    checked = _run(check_iri, iri, "iri")
    return _json(_run(kb.describe, checked, lang))


@router.get("/resource/{path:path}", responses=PROBLEMS)
def resource_by_path(
    request: Request,
    path: Annotated[str, Path(description="A path under the base IRI, e.g. `id/project/dedicated`.")],
    lang: Lang = "nl",
) -> dict:
    """The same for ``{base}/{path}``: ``/api/resource/id/project/dedicated``."""
    kb = _kb(request)
    if not path.startswith("id/") or len(path) > 500:
        raise Problem(404, "Not found", f"no resource at {path[:200]!r}: paths start with id/{{kind}}/{{slug}}")
    from knooppunt.graph.analysis.knowledge import check_iri

    iri = _run(check_iri, f"{kb.base}/{path}", "path")
    return _json(_run(kb.describe, iri, lang))


# --- 3. people ------------------------------------------------------------------------------------
@router.get("/people", responses=PROBLEMS)
def people(
    request: Request,
    competency: Annotated[str | None, Query(max_length=2000, pattern=ID_PATTERN, description="Competency or CanMEDS role (IRI or slug); narrower ones count.")] = None,
    theme: Annotated[str | None, Query(max_length=2000, pattern=ID_PATTERN, description="Theme (IRI or slug); narrower themes count.")] = None,
    organisation: Annotated[str | None, Query(max_length=2000, pattern=ID_PATTERN, description="Organisation (IRI or slug); its member organisations count.")] = None,
    project: Annotated[str | None, Query(max_length=2000, pattern=ID_PATTERN, description="Project or programme (IRI or slug).")] = None,
    region: Annotated[str | None, Query(max_length=2000, pattern=ID_PATTERN, description="Region (IRI or slug); regions within it count.")] = None,
    level: Annotated[str | None, Query(max_length=2000, pattern=ID_PATTERN, description="Education level (IRI or slug), e.g. `mbo`.")] = None,
    role: Annotated[str | None, Query(max_length=2000, pattern=ID_PATTERN, description="Role (IRI or slug), e.g. `ambassadeur`.")] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    offset: Annotated[int, Query(ge=0, le=10_000)] = 0,
    lang: Lang = "nl",
) -> dict:
    """People and what they work on, each with one qualifying path per filter."""
    kb = _kb(request)
    given = {"competency": competency, "theme": theme, "organisation": organisation, "project": project, "region": region, "level": level, "role": role}
    given = {k: v for k, v in given.items() if v is not None}
    if not given:
        raise Problem(422, "Invalid parameter", "give at least one filter: " + ", ".join(KINDS), errors=[{"parameter": "competency", "message": "no filter given"}])
    filters = {name: _run(kb.resolve, value, KINDS[name], param=name) for name, value in given.items()}
    return _json(kb.people(filters, limit=limit, offset=offset, lang=lang))


KINDS: dict[str, tuple[str, ...]] = {
    "competency": ("competentie", "canmeds"),
    "theme": ("thema",),
    "organisation": ("organisatie",),
    "project": ("project", "programma"),
    "region": ("regio",),
    "level": ("niveau",),
    "role": ("rol",),
}


# --- 4. related projects --------------------------------------------------------------------------
def _weights(text: str | None) -> dict[str, float] | None:
    if not text:
        return None
    try:
        return parse_weights(text)
    except ValueError as exc:
        raise _invalid(InvalidParameter("weights", str(exc))) from None


WeightsParam = Annotated[str | None, Query(max_length=500, pattern=weights_pattern(RELATED_WEIGHTS), description="Override weights, e.g. `theme=3,person=2` (kinds: " + ", ".join(RELATED_WEIGHTS) + "; each 0-100).")]


@router.get("/projects/related", responses=PROBLEMS)
def related_by_iri(
    request: Request,
    iri: Annotated[str, Query(max_length=2000, pattern=ID_PATTERN, description="The project's IRI.")],
    limit: Annotated[int, Query(ge=1, le=100)] = 10,
    weights: WeightsParam = None,
    lang: Lang = "nl",
) -> dict:
    """Related projects of the project with this IRI (see ``/api/projects/{id}/related``)."""
    kb = _kb(request)
    project = _run(kb.resolve, iri, ("project",), param="iri", classes=PROJECTS)
    return _json(kb.related(project, limit=limit, weights=_weights(weights), lang=lang))


@router.get("/projects/{id}/related", responses=PROBLEMS)
def related(
    request: Request,
    id: Annotated[str, Path(max_length=200, pattern=SLUG_PATTERN, description="Slug of `/id/project/{slug}` (or `/id/programma/{slug}`).")],
    limit: Annotated[int, Query(ge=1, le=100)] = 10,
    weights: WeightsParam = None,
    lang: Lang = "nl",
) -> dict:
    """Related projects ranked by a transparent score; each lists the shared items, their
    weights, how many projects share them and their contribution (see docs/api.md)."""
    kb = _kb(request)
    project = _run(kb.resolve, id, ("project", "programma"), param="id", classes=PROJECTS)
    return _json(kb.related(project, limit=limit, weights=_weights(weights), lang=lang))


# --- 5. connections ---------------------------------------------------------------------------------
ConnectionWeights = Annotated[str | None, Query(max_length=500, pattern=weights_pattern(CONNECTION_WEIGHTS), description="Override weights, e.g. `region=1,text=0` (kinds: " + ", ".join(CONNECTION_WEIGHTS) + "; each 0-100; see docs/api.md).")]


@router.post("/connections", responses=PROBLEMS)
def connect(
    request: Request,
    initiative: Annotated[InitiativeIn, Body()],
    limit: Annotated[int, Query(ge=1, le=50, description="Suggestions per list.")] = 10,
    weights: ConnectionWeights = None,
    lang: Lang = "nl",
) -> dict:
    """Ranked people, organisations, projects, materials and open needs for a new initiative.
    Each suggestion has a ``rank``, a ``relevance`` (0-1, relative to the best of its list),
    ``reasons`` (one or two sentences, in ``lang``), ``factors`` (what adds up to its score) and
    explanation ``paths``; ``initiative.recognised`` lists what was found in the text."""
    kb = _kb(request)
    if not (initiative.title.strip() or initiative.description.strip() or initiative.themes or initiative.competencies):
        raise Problem(422, "Invalid parameter", "describe the initiative: give a title, a description, themes or competencies",
                      errors=[{"parameter": "description", "message": "title, description, themes and competencies are all empty"}])
    chosen = None
    if weights:
        try:
            chosen = parse_connection_weights(weights)
        except ValueError as exc:
            raise _invalid(InvalidParameter("weights", str(exc))) from None
    resolved = Initiative(
        title=initiative.title,
        description=initiative.description,
        competencies=_run(kb.resolve_many, initiative.competencies, KINDS["competency"], param="competencies", classes=CONCEPTS),
        themes=_run(kb.resolve_many, initiative.themes, KINDS["theme"], param="themes", classes=CONCEPTS),
        levels=_run(kb.resolve_many, initiative.levels, KINDS["level"], param="levels"),
        region=_run(kb.resolve, initiative.region, KINDS["region"], param="region") if initiative.region else None,
        organisation=_run(kb.resolve, initiative.organisation, KINDS["organisation"], param="organisation", classes=ORGANISATIONS) if initiative.organisation else None,
    )
    return _json(kb.connect(resolved, limit=limit, lang=lang, weights=chosen))


# --- 6. paths ----------------------------------------------------------------------------------------
@router.get("/path", response_model=PathsOut, response_model_by_alias=True, responses=PROBLEMS)
def path(
    request: Request,
    from_: Annotated[str, Query(alias="from", max_length=2000, pattern=ID_PATTERN, description="Start: IRI or kind/slug (e.g. `organisatie/iknl`).")],
    to: Annotated[str, Query(max_length=2000, pattern=ID_PATTERN, description="End: IRI or kind/slug.")],
    max: Annotated[int, Query(ge=1, le=10, description="How many paths (k shortest).")] = 3,
    hops: Annotated[int, Query(ge=1, le=MAX_HOPS, description="Longest path, in edges.")] = DEFAULT_HOPS,
    lang: Lang = "nl",
) -> dict:
    """Up to ``max`` shortest connection paths over meaningful relations, with labelled edges."""
    kb = _kb(request)
    source = _run(kb.resolve, from_, (), param="from")
    target = _run(kb.resolve, to, (), param="to")
    return _json(kb.paths(source, target, k=max, hops=hops, lang=lang))


# --- 7. coverage and gaps ---------------------------------------------------------------------------
@router.get("/competencies/coverage", responses=PROBLEMS)
def coverage_by_iri(
    request: Request,
    iri: Annotated[str, Query(max_length=2000, pattern=ID_PATTERN, description="IRI of a competency, CanMEDS role or theme.")],
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    lang: Lang = "nl",
) -> dict:
    """Coverage of the concept with this IRI (see ``/api/competencies/{id}/coverage``)."""
    kb = _kb(request)
    concept = _run(kb.resolve, iri, (), param="iri", classes=CONCEPTS)
    return _json(kb.coverage(concept, limit=limit, lang=lang))


@router.get("/competencies/{id}/coverage", responses=PROBLEMS)
def coverage(
    request: Request,
    id: Annotated[str, Path(max_length=200, pattern=SLUG_PATTERN, description="Slug of a competency (`/id/competentie/`), CanMEDS role (`/id/canmeds/`) or theme (`/id/thema/`).")],
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    lang: Lang = "nl",
) -> dict:
    """Materials, courses, projects, events, needs, experts and curricula for a competency,
    CanMEDS role or theme (narrower ones included), each with its path."""
    kb = _kb(request)
    concept = _run(kb.resolve, id, ("competentie", "canmeds", "thema"), param="id", classes=CONCEPTS)
    return _json(kb.coverage(concept, limit=limit, lang=lang))


@router.get("/gaps", responses=PROBLEMS)
def gaps(
    request: Request,
    level: Annotated[str | None, Query(max_length=2000, pattern=ID_PATTERN, description="Education level (IRI or slug).")] = None,
    region: Annotated[str | None, Query(max_length=2000, pattern=ID_PATTERN, description="Region (IRI or slug).")] = None,
    curriculum: Annotated[str | None, Query(max_length=2000, pattern=ID_PATTERN, description="A curriculum (IRI or slug): its uncovered competencies.")] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 50,
    lang: Lang = "nl",
) -> dict:
    """Competencies and themes without material, expert or curriculum coverage, open needs
    nobody answers, and (with ``curriculum``) what that curriculum covers in no year."""
    kb = _kb(request)
    return _json(
        kb.gaps(
            level=_run(kb.resolve, level, KINDS["level"], param="level") if level else None,
            region=_run(kb.resolve, region, KINDS["region"], param="region") if region else None,
            curriculum=_run(kb.resolve, curriculum, ("curriculum",), param="curriculum", classes={KP + "Curriculum"}) if curriculum else None,
            limit=limit,
            lang=lang,
        )
    )


# --- 8. graph views and exports ------------------------------------------------------------------------
@router.get("/graph", responses=PROBLEMS)
def graph_view(
    request: Request,
    focus: Annotated[str | None, Query(max_length=2000, pattern=ID_PATTERN, description="Centre entity (IRI or kind/slug); without it, the best connected entities.")] = None,
    depth: Annotated[int, Query(ge=1, le=views.MAX_DEPTH)] = 1,
    types: Annotated[str | None, Query(max_length=500, description="Comma-separated classes to keep, e.g. `Project,Organisation`.")] = None,
    limit: Annotated[int, Query(ge=1, le=views.MAX_NODES, description="Most nodes.")] = 150,
    lang: Lang = "nl",
) -> dict:
    """``{nodes, links}`` for d3/cytoscape: links carry the predicate and its label."""
    kb = _kb(request)
    center = _run(kb.resolve, focus, (), param="focus") if focus else None
    classes = {_run(kb.resolve_type, t.strip(), "types") for t in types.split(",") if t.strip()} if types else None
    return _json(kb.view(center, depth=depth, types=classes, limit=limit, lang=lang))


@router.get("/export.graphml", response_class=StreamingResponse, responses={200: {"content": {"application/graphml+xml": {}}}})
def export_graphml(request: Request) -> StreamingResponse:
    """The whole projection as GraphML (Gephi, yEd, Cytoscape)."""
    kb = _kb(request)
    kb.warm()
    return StreamingResponse(views.graphml_lines(kb.net), media_type="application/graphml+xml", headers={"Content-Disposition": 'attachment; filename="knooppunt.graphml"'})


@router.get("/export.gexf", response_class=StreamingResponse, responses={200: {"content": {"application/gexf+xml": {}}}})
def export_gexf(request: Request) -> StreamingResponse:
    """The whole projection as GEXF (Gephi)."""
    kb = _kb(request)
    kb.warm()
    return StreamingResponse(views.gexf_lines(kb.net), media_type="application/gexf+xml", headers={"Content-Disposition": 'attachment; filename="knooppunt.gexf"'})


# --- 9. projection stats ------------------------------------------------------------------------------
@router.get("/stats/projection")
def projection_stats(request: Request) -> dict:
    """Nodes, edges, build time, memory (RSS added by the build and a sampled estimate), how
    often it was built and how many deltas it applied, for the projection and the search index."""
    return _kb(request).stats()
