"""Reasons people can read: one or two sentences per suggestion, built from its factors.

A factor is a step of the score with the path behind it (``graph.analysis.connections``); this
module says it in Dutch (or English), e.g. for a person: "Projectleider van I-HARP, een project
over hartfalen en proactieve zorgplanning in Limburg en Zuidoost-Brabant." The strongest
positive factors come first, at most ``MAX_SENTENCES`` sentences; a penalty (``other_level``) is
never a reason. Names are kept as parts with their IRI, so a page can link them::

    {"text": "Werkt aan DEDICATED, een project over dementie.",
     "parts": [{"text": "Werkt aan "}, {"text": "DEDICATED", "iri": "…/id/project/dedicated"},
               {"text": ", een project over dementie."}]}
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..namespaces import KP
from .network import Projection

MAX_SENTENCES = 2
MAX_NAMES = 3

PROJECTS = frozenset({KP + "Project", KP + "Programme"})
T: dict[str, tuple[str, str]] = {
    "and": ("en", "and"),
    "about": ("over", "about"),
    "for": ("voor", "for"),
    "in": ("in", "in"),
    "project": ("Project", "Project"),
    "programme": ("Programma", "Programme"),
    "need": ("Open vraag", "Open need"),
    "a_project": ("een project", "a project"),
    "a_programme": ("een programma", "a programme"),
    "a_material": ("{kind}", "{kind}"),
    "rel_around": ("rond uw regio", "around your region"),
    "rel_near": ("in de buurt van uw regio", "near your region"),
    "rel_national": ("landelijk", "nationwide"),
    "name_words": ("de naam noemt {words}", "its name mentions {words}"),
    "text_words": ("de beschrijving noemt {words}", "its description mentions {words}"),
    "made_in": ("Gemaakt in {0}.", "Made in {0}."),
    "raised_in": ("Gesteld in {0}.", "Raised in {0}."),
    "led_by": ("Geleid door {0}.", "Led by {0}."),
    "setting": ("Zorgsetting: {setting}.", "Care setting: {setting}."),
    "org_" + KP + "leadOrganisation": (", dat {0} leidt", ", which leads {0}"),
    "org_" + KP + "partnerOrganisation": (", partner in {0}", ", a partner in {0}"),
    "org_" + KP + "involvedOrganisation": (", betrokken bij {0}", ", involved in {0}"),
    "org_" + KP + "provider": (", dat {0} aanbiedt", ", which provides {0}"),
    "org_" + KP + "funder": (", dat {0} financiert", ", which funds {0}"),
    "role_" + KP + "leadOrganisation": ("Leidt {0}", "Leads {0}"),
    "role_" + KP + "partnerOrganisation": ("Partner in {0}", "Partner in {0}"),
    "role_" + KP + "involvedOrganisation": ("Betrokken bij {0}", "Involved in {0}"),
    "role_" + KP + "provider": ("Biedt {0} aan", "Provides {0}"),
    "role_" + KP + "funder": ("Financiert {0}", "Funds {0}"),
    "body_" + KP + "EducationHub": ("Het onderwijsknooppunt van {region}", "The education hub of {region}"),
    "body_" + KP + "Consortium": ("Het consortium palliatieve zorg van {region}", "The palliative-care consortium of {region}"),
    "body_" + KP + "CareNetwork": ("Netwerk palliatieve zorg in {region}", "Palliative-care network in {region}"),
    "member_of": ("Lid van {0}", "Member of {0}"),
    "part_of": ("Hoort bij {0}", "Part of {0}"),
    "anchor_of": ("Het verankeringspunt van {0}", "The anchor of {0}"),
    "took_part": ("Nam deel aan {0}", "Took part in {0}"),
    "lies_in": ("Ligt in {region}", "Located in {region}"),
    "placed_in": (", in {region}", ", in {region}"),
    "your_body": ("Uw organisatie hoort bij {0}.", "Your organisation belongs to {0}."),
    "fellow": ("Hoort net als uw organisatie bij {0}.", "Belongs to {0}, as your organisation does."),
    "body_member": ("{0} hoort hierbij", "{0} belongs to it"),
    "body_anchor": ("Verankerd bij {0}", "Anchored at {0}"),
    "made": (", dat {0} maakte", ", which made {0}"),
    "teaches": ("Onderwijsinstelling voor {level}.", "Education institution for {level}."),
    "works_on": ("Werkt aan {0}", "Works on {0}"),
    "works_at": ("Werkt bij {0}", "Works at {0}"),
    "role_at": ("{role} bij {0}", "{role} at {0}"),
    "role_of": ("{role} van {0}", "{role} of {0}"),
    "expert": ("Deskundig in {concepts}.", "Expert in {concepts}."),
}
GENERIC_ROLES = {"medewerker", "lid"}


def t(key: str, lang: str) -> str:
    nl, en = T[key]
    return en if lang == "en" else nl


class Writer:
    """Sentences for the suggestions of one answer. ``about(iri)`` says what a ranked thing is
    about (its matched concepts, best first) and where (``(relation, region, path)`` or None)."""

    def __init__(self, net: Projection, lang: str, about: Callable[[str], dict[str, Any]]) -> None:
        self.net, self.lang, self.about = net, lang, about

    # --- words -----------------------------------------------------------------------------------
    def label(self, iri: str) -> str:
        return self.net.label(iri, self.lang) if self.net.has(iri) else self.net.term_label(iri, self.lang)

    def concept(self, iri: str) -> str:
        """A concept's label as it reads inside a sentence: "Dementie" -> "dementie", "COPD" stays,
        "communicator | communiceren" -> "communicator"."""
        text = self.label(iri).split("|", 1)[0].strip()
        if len(text) > 1 and text[0].isupper() and not text[1].isupper():
            return text[0].lower() + text[1:]
        return text

    def listing(self, names: list[str]) -> str:
        names = names[:MAX_NAMES]
        if len(names) <= 1:
            return "".join(names)
        return ", ".join(names[:-1]) + f" {t('and', self.lang)} " + names[-1]

    def where(self, relation: str | None, region: str) -> str:
        """"in Limburg", "in Limburg en Zuidoost-Brabant, rond uw regio", "landelijk"."""
        if relation == "national":
            return t("rel_national", self.lang)
        text = f"{t('in', self.lang)} {self.label(region)}"
        return text if relation in (None, "in") else f"{text}, {t('rel_' + relation, self.lang)}"

    def region_in(self, path: list[str]) -> str:
        """The region nearest the thing on a region path (the path starts at the asked region)."""
        return next((n for n in reversed(path) if self.net.is_a(n, KP + "Region")), path[0])

    def about_phrase(self, iri: str) -> str:
        """", een project over dementie en pijn in Limburg" for a ranked project (or "")."""
        info = self.about(iri)
        net = self.net
        if net.is_any(iri, PROJECTS):
            what = t("a_programme" if net.is_a(iri, KP + "Programme") else "a_project", self.lang)
        elif net.is_a(iri, KP + "Material"):
            what = t("a_material", self.lang).format(kind=self.concept(net.attrs(iri).get("type", "")) if net.attrs(iri).get("type") else "")
        else:
            return ""
        parts = []
        if info["concepts"]:
            parts.append(f"{t('about', self.lang)} " + self.listing([self.concept(c) for c in info["concepts"]]))
        if info["region"]:
            relation, _, path = info["region"]
            parts.append(self.where(relation, self.region_in(path)))
        return f", {what} " + " ".join(parts) if parts else ""

    # --- sentences -----------------------------------------------------------------------------------
    def sentences(self, iri: str, list_name: str, factors: list[Any]) -> list[dict[str, Any]]:
        positive = [f for f in factors if f.weight > 0 and f.kind != "other_level"]
        if list_name == "people":
            out = self._person(positive)
        elif list_name == "organisations":
            out = self._organisation(iri, positive)
        else:
            out = self._item(iri, list_name, positive)
        return [s for s in out if s["text"]][:MAX_SENTENCES]

    def _sentence(self, *pieces: Any) -> dict[str, Any]:
        """Pieces are text or ``(iri,)`` names; the first letter is a capital, the end a full stop."""
        parts: list[dict[str, str]] = []
        for piece in pieces:
            if isinstance(piece, tuple):
                parts.append({"text": self.label(piece[0]), "iri": piece[0]})
            elif piece:
                parts.append({"text": piece})
        text = "".join(p["text"] for p in parts).strip()
        if not text:
            return {"text": "", "parts": []}
        if not text.endswith("."):
            parts.append({"text": "."})
            text += "."
        first = parts[0]
        if "iri" not in first and first["text"][:1].islower():
            first["text"] = first["text"][0].upper() + first["text"][1:]
            text = text[0].upper() + text[1:]
        return {"text": text, "parts": parts}

    def _with_names(self, template: str, names: list[str], **values: str) -> list[Any]:
        """A template with ``{0}`` filled by linked names (joined with "en"/"and")."""
        before, _, after = template.partition("{0}")
        pieces: list[Any] = [before.format(**values)]
        for i, name in enumerate(names[:MAX_NAMES]):
            if i:
                pieces.append(", " if i < min(len(names), MAX_NAMES) - 1 else f" {t('and', self.lang)} ")
            pieces.append((name,))
        pieces.append(after.format(**values))
        return pieces

    def _item(self, iri: str, list_name: str, factors: list[Any]) -> list[dict[str, Any]]:
        net, lang = self.net, self.lang
        concepts = [f.detail["concept"] for f in factors if f.kind == "topic"]
        if net.is_any(iri, PROJECTS):
            head = t("programme" if net.is_a(iri, KP + "Programme") else "project", lang)
        elif list_name == "needs":
            head = t("need", lang)
        else:
            head = net.term_label(net.attrs(iri).get("type", ""), lang) or t("project", lang)
        pieces: list[Any] = [head]
        if concepts:
            pieces.append(f" {t('about', lang)} " + self.listing([self.concept(c) for c in concepts]))
        level = next((f for f in factors if f.kind == "level"), None)
        if level:
            pieces.append(f", {t('for', lang)} " + self.concept(level.nodes[-2] if len(level.nodes) >= 2 else level.detail["level"]))
        region = next((f for f in factors if f.kind == "region"), None)
        if region and region.nodes:
            pieces.append(" " + self.where(region.detail.get("relation"), self.region_in(region.nodes)))
        out = [self._sentence(*pieces)]
        text = next((f for f in factors if f.kind == "text"), None)
        if text and not concepts:
            out.append(self._sentence(self._words(text.detail)))
        setting = next((f for f in factors if f.kind == "setting"), None)
        if setting:
            out.append(self._sentence(t("setting", lang).format(setting=self.concept(setting.detail["setting"]))))
        elif list_name == "needs":
            raised = net.out(iri, KP + "raisedIn")
            if raised:
                out.append(self._sentence(*self._with_names(t("raised_in", lang), raised[:1])))
        elif net.is_a(iri, KP + "Material"):
            made = net.out(iri, KP + "producedBy")
            if made:
                out.append(self._sentence(*self._with_names(t("made_in", lang), made[:1])))
        else:
            leads = net.out(iri, KP + "leadOrganisation")
            if leads:
                out.append(self._sentence(*self._with_names(t("led_by", lang), leads[:2])))
        return out

    def _words(self, detail: dict[str, Any]) -> str:
        """"De naam noemt ‘ggz’" (or the description, when no word is in the name)."""
        field = "name" if detail.get("name_words") else "text"
        words = detail.get("name_words") or detail.get("description_words") or []
        return t(f"{field}_words", self.lang).format(words=self.listing([f"‘{w}’" for w in words]))

    def _organisation(self, iri: str, factors: list[Any]) -> list[dict[str, Any]]:
        lang = self.lang
        out: list[dict[str, Any]] = []
        roles: dict[str, list[str]] = {}
        for f in factors:
            if f.kind == "role":
                roles.setdefault(f.detail["predicate"], []).append(f.detail["item"])
        done_place = False
        for f in factors:
            if len(out) >= 2:
                break
            if f.kind == "role" and f.detail["predicate"] in roles:
                items = roles.pop(f.detail["predicate"])
                pieces = self._with_names(t("role_" + f.detail["predicate"], lang), items)
                if len(items) == 1:
                    pieces.append(self.about_phrase(items[0]))
                out.append(self._sentence(*pieces))
            elif f.kind in ("region", "membership") and not done_place and f.nodes:
                done_place = True
                out.append(self._place(iri, f, factors))
            elif f.kind == "text":
                out.append(self._sentence(self._words(f.detail)))
            elif f.kind == "setting":
                out.append(self._sentence(t("setting", lang).format(setting=self.concept(f.detail["setting"]))))
        return out

    def _place(self, iri: str, f: Any, factors: list[Any]) -> dict[str, Any]:
        """Where an organisation is, as the path says: the body of the region, a member of one,
        the anchor of a consortium, at an event, or just there."""
        net, lang = self.net, self.lang
        relation = f.detail.get("relation")
        if relation == "yours":
            return self._sentence(*self._with_names(t("your_body", lang), [f.nodes[-1]]))
        if relation == "fellow":
            return self._sentence(*self._with_names(t("fellow", lang), [f.nodes[-2]]))
        if relation == "body_of":
            member = f.nodes[0]
            key = "body_anchor" if member in net.out(iri, KP + "anchoredAt") else "body_member"
            return self._sentence(*self._with_names(t(key, lang), [member]))
        region_factor = next((g for g in factors if g.kind == "region"), None)
        if any(g.kind == "membership" and g.detail.get("relation") == "regional" for g in factors):
            relation = "regional"
        path = (region_factor or f).nodes
        nearness = region_factor.detail.get("relation") if region_factor else None
        region = self.region_in(path)
        around = "" if nearness in (None, "in") else f" ({t('rel_' + nearness, lang)})"
        level = next((g for g in factors if g.kind == "level"), None)
        prefix = t("teaches", lang).format(level=self.concept(level.detail["level"]))[:-1] + ", " if level else ""
        body = next((c for c in (KP + "EducationHub", KP + "Consortium", KP + "CareNetwork") if net.is_a(iri, c)), None)
        if body and relation == "regional":
            return self._sentence(prefix, t("body_" + body, lang).format(region=self.label(region)), around)
        via = path[-2] if len(path) >= 2 else None
        if via and not net.is_a(via, KP + "Region"):
            if via in net.out(iri, KP + "memberOf"):
                key = "member_of"
            elif via in net.out(iri, KP + "consortium"):
                key = "part_of"
            elif iri in net.out(via, KP + "anchoredAt"):
                key = "anchor_of"
            elif net.is_a(via, KP + "Event"):
                key = "took_part"
            else:
                key = "member_of"
            template = t(key, lang)
            if prefix:
                template = template[0].lower() + template[1:]
            return self._sentence(prefix, *self._with_names(template, [via]), t("placed_in", lang).format(region=self.label(region)), around)
        return self._sentence(prefix, t("lies_in", lang).format(region=self.label(region)), around)

    def _person(self, factors: list[Any]) -> list[dict[str, Any]]:
        lang = self.lang
        out: list[dict[str, Any]] = []
        told: set[str] = set()
        for f in factors:
            if len(out) >= 2:
                break
            if f.kind == "member":
                target, role = f.detail["target"], f.detail["role"]
                if target in told:
                    continue
                told.add(target)
                slug = role.rsplit("/", 1)[-1] if role else ""
                is_project = self.net.is_any(target, PROJECTS)
                if not role or slug in GENERIC_ROLES and is_project:
                    pieces = self._with_names(t("works_on", lang), [target])
                elif slug == "medewerker":
                    pieces = self._with_names(t("works_at", lang), [target])
                elif slug == "lid":
                    pieces = self._with_names(t("member_of", lang), [target])
                else:
                    pieces = self._with_names(t("role_of" if is_project else "role_at", lang), [target], role=self.label(role))
                made = f.detail.get("made")
                if made:
                    about = ""
                    pieces += self._with_names(t("made", lang), [made])
                else:
                    about = self.about_phrase(target) if is_project or self.net.is_a(target, KP + "Material") else self._org_phrase(target)
                out.append(self._sentence(*pieces, *(about if isinstance(about, list) else [about])))
            elif f.kind == "expertise":
                out.append(self._sentence(t("expert", lang).format(concepts=self.listing([self.concept(c) for c in f.detail["terms"]]))))
            elif f.kind == "text":
                out.append(self._sentence(self._words(f.detail)))
        return out

    def _org_phrase(self, org: str) -> Any:
        """", dat I-HARP leidt" for an organisation behind a ranked item, ", het
        onderwijsknooppunt van Zuid-Holland Noord" for a regional body (or "")."""
        info = self.about(org)
        if info.get("role"):
            predicate, item = info["role"]
            return self._with_names(t("org_" + predicate, self.lang), [item])
        if not info["region"]:
            return ""
        relation, _, path = info["region"]
        region = self.region_in(path)
        body = next((c for c in (KP + "EducationHub", KP + "Consortium", KP + "CareNetwork") if self.net.is_a(org, c)), None)
        where = self.where(relation, region)
        if body and relation in ("in", "around"):
            text = t("body_" + body, self.lang).format(region=self.label(region))
            return ", " + text[0].lower() + text[1:]
        return ", " + where
