"""Reading Dutch free text (``graph.analysis.dutch``) on the real concept names of the seed data.

The oracle is the ontology itself: each expectation names the concept whose label or alternative
label (in ``ontology/schemes-*.ttl``) the text uses, written as an ambassador would write it -
other case, accents, plurals, hyphens, compounds. The property test rewrites every concept label
in ways that must not change what is found (case, accents, hyphenation, surrounding text).
"""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from knooppunt.graph.analysis import dutch
from knooppunt.graph.analysis.connections import LEXICON_CLASSES
from knooppunt.graph.analysis.search import SearchIndex
from knooppunt.graph.settings import Settings
from knooppunt.graph.store import open_store

ID = "https://w3id.org/knooppunt/id/"


@pytest.fixture(scope="module")
def names():
    store = open_store(Settings(store="memory", base_iri="https://w3id.org/knooppunt", token_file=""))
    return SearchIndex(store).names_of(LEXICON_CLASSES)


@pytest.fixture(scope="module")
def lexicon(names):
    return dutch.Lexicon(names, compound_kinds=("theme", "competency", "setting"))


def found(lexicon, text):
    return {m.iri.removeprefix(ID) for m in lexicon.find(dutch.words(text))}


@pytest.mark.parametrize("text, expected", [
    # compounds: the issue's own example, and the plural of a compound
    ("Oefenen met het proactieve-zorgplanningsgesprek", {"thema/proactieve-zorgplanning"}),
    ("Twee proactieve zorgplanningsgesprekken per stage", {"thema/proactieve-zorgplanning"}),
    ("dementiezorg in de wijk", {"thema/dementie"}),
    ("een kinderhospice", {"zorgsetting/hospice", "thema/kinderpalliatieve-zorg"}),
    # case and accents
    ("PROACTIEVE ZORGPLANNING", {"thema/proactieve-zorgplanning"}),
    ("Patiëntenparticipatie en patientparticipatie", {"thema/patientenparticipatie"}),
    # plurals and inflection
    ("zorg in verpleeghuizen", {"zorgsetting/verpleeghuis"}),
    ("ondersteuning van mantelzorgers", {"thema/naasten-en-mantelzorg"}),
    ("palliatieve zorg voor dak- en thuisloze mensen", {"thema/dak-en-thuislozen"}),
    # level, setting and variant words
    ("lessen in het mbo", {"niveau/mbo"}),
    ("voor studenten hbo-v", {"niveau/hbo"}),
    ("verzorgenden IG in de thuiszorg", {"niveau/mbo-3", "zorgsetting/thuiszorg"}),
    ("BBL leerjaar 2", {"variant/bbl"}),
    ("mbo-3 en mbo niveau 4", {"niveau/mbo-3", "niveau/mbo-4"}),
    ("in de wijkverpleging", {"zorgsetting/thuiszorg"}),
    # names that hold shorter names, regions and organisations
    ("de master Advanced Nursing Practice", {"niveau/manp"}),
    ("samen met het LUMC in Zuid-Holland Noord", {"organisatie/lumc", "regio/zuid-holland-noord"}),
    ("in Noord-Holland en Flevoland", {"regio/noord-holland-en-flevoland"}),
    # acronyms only in capitals; words that merely contain a name are not it
    ("ACP en PZP", {"thema/proactieve-zorgplanning"}),
    ("mijn pa en de ut", set()),
    ("de PA-opleiding", {"niveau/pa"}),
])
def test_names_found_as_an_ambassador_writes_them(lexicon, text, expected):
    assert found(lexicon, text) == expected


def test_longest_name_wins_and_a_word_is_used_once(lexicon):
    matches = lexicon.find(dutch.words("Noord-Holland en Flevoland"))
    assert [m.iri.removeprefix(ID) for m in matches] == ["regio/noord-holland-en-flevoland"]
    assert (matches[0].start, matches[0].end, matches[0].how) == (0, 4, "exact")
    assert lexicon.find(dutch.words("zorgplanningsgesprek")) == []  # "zorgplanning" alone names nothing
    compound = lexicon.find(dutch.words("proactieve zorgplanningsgesprek"))
    assert [(m.iri.removeprefix(ID), m.how) for m in compound] == [("thema/proactieve-zorgplanning", "compound")]


@pytest.mark.parametrize("text, years", [
    ("BBL leerjaar 2", [2]),
    ("studenten in het 2e jaar en 3e jaar", [2, 3]),
    ("tweedejaars en derde leerjaar", [2, 3]),
    ("studiejaar 2 en 3", [2, 3]),
    ("jaar 7 of 2025", []),
    ("eerste jaar", [1]),
])
def test_study_years(text, years):
    assert dutch.study_years(dutch.words(text)) == years


def test_words_fold_like_the_search_index():
    ws = dutch.words("O²PZ: Patiënten-participatie")
    assert [w.folded for w in ws] == ["o2pz", "patienten", "participatie"]
    assert [w.original for w in ws] == ["O²PZ", "Patiënten", "participatie"]
    assert dutch.light_stem("huisartsen") == "huisarts" and dutch.light_stem("wo") == "wo"


def _accented(text: str, flags: list[bool]) -> str:
    """Put an accent on vowels where ``flags`` says so (folding must take it off again)."""
    out = []
    for ch, flag in zip(text, flags + [False] * len(text), strict=False):
        out.append(unicodedata.normalize("NFC", ch + "\u0308") if flag and ch in "aeiou" else ch)
    return "".join(out)


@settings(max_examples=150, derandomize=True, deadline=None)
@given(data=st.data())
def test_every_concept_label_is_found_however_it_is_written(names, lexicon, data):
    """Any theme, setting or level label, in any case, with accents, hyphens for spaces, inside a
    sentence, is found (its own concept, or one that shares the name, e.g. two labels "mbo")."""
    concepts = sorted({(iri, name) for iri, kind, name in names if kind in ("theme", "setting", "level") and len(name) > 3})
    iri, name = data.draw(st.sampled_from(concepts))
    written = data.draw(st.sampled_from([name, name.upper(), name.lower(), name.title()]))
    written = _accented(written, data.draw(st.lists(st.booleans(), max_size=len(written))))
    if data.draw(st.booleans()):
        written = written.replace(" ", "-")
    before = data.draw(st.sampled_from(["", "Wij willen ", "Lessen over"]))
    text = f"{before} {written}, graag!"
    owners = {i for i, k, n in names if vocab_fold(n) == vocab_fold(name)}
    assert {m.iri for m in lexicon.find(dutch.words(text))} & owners, text


def vocab_fold(text: str) -> str:
    from knooppunt.graph import vocab

    return vocab.fold(text)
