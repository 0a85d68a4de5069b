"""Reading Dutch free text: words, stems, compounds, study years, and the names of things in it.

An ambassador writes "proactieve-zorgplanningsgesprekken met verzorgenden IG in het verpleeghuis,
BBL leerjaar 2". To find the theme *Proactieve zorgplanning*, the level *mbo niveau 3*, the care
setting *verpleeghuis*, the variant *BBL* and study year 2 in that, text is read in four steps:

1. **words**: split and folded as the search index folds (``vocab.fold``: case, accents and
   punctuation do not matter, "O²PZ" is "o2pz", a hyphen separates words), keeping each word's
   original spelling for acronyms;
2. **stems**: the Snowball Dutch stemmer (Kraaij-Pohlmann), so "verpleeghuizen" and
   "verpleeghuis", "proactieve" and "proactief", "mantelzorgers" and "mantelzorger" compare equal;
3. **compounds**: Dutch writes compounds as one word. A name's last word also matches as the
   first part of a longer word ("zorgplanning" in "zorgplanningsgesprek"; what follows, a
   linking *s* included, must be at least ``REST_MIN`` letters), and a one-word name of at least
   ``HEAD_MIN`` letters as its last part ("hospice" in "kinderhospice"). Compound matches are marked ``compound`` (callers weigh them
   less), and only concept names take part (not organisations or regions);
4. **names** (:class:`Lexicon`): every label and alternative label of the concepts, regions and
   organisations of the graph (and the shorter names a name holds, :func:`name_variants`),
   matched longest phrase first; a word belongs to one match only.
   Short acronyms ("PZP", "PA", "UT") must be written in capitals unless a source spells them in
   lower case ("mbo", "wo", "bbl").

Study years ("leerjaar 2", "2e jaar", "tweedejaars") are read by :func:`study_years`. Everything
here is pure and bounded by the length of the text (``MAX_WORDS``); it does not touch the store.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

import snowballstemmer

from .. import vocab

MAX_WORDS = 2000
MAX_PHRASE = 8
PREFIX_MIN = 4  # shortest name word that matches as the first part of a compound
REST_MIN = 3  # shortest rest of the compound after it
HEAD_MIN = 6  # shortest one-word name that matches as the last part of a compound
_WORD = re.compile(r"\w+", re.UNICODE)
_STEMMER = snowballstemmer.stemmer("dutch")

# Function words and the words of any initiative in this field: they say nothing about which
# resource fits (used for word matching, not for names, which are matched as whole phrases).
STOPWORDS = frozenset(
    """
    aan al alle als ander andere bij binnen daar dan dat de deze die dit door een eigen en er
    graag heb hebben hem het hier hoe hun ik in is je jij kan kunnen maar meer met mijn moet
    moeten na naar niet nog nu of om onder ons onze ook op over per samen te tegen ten ter tot
    tussen u uit van veel voor vooral waar wat we welke wie wij wil willen wordt worden zal ze
    zich zij zijn zo zoals zodat zoeken zou bijvoorbeeld echt goed goede nieuw nieuwe vanuit
    mensen palliatief palliatieve zorg initiatief project projecten plan regio
    student studenten docent docenten onderwijs opleiding opleidingen scholing lessen les
    lesmateriaal materiaal materialen leren ontwikkelen zorgverleners zorgprofessionals
    professionals medewerkers gezamenlijke gezamenlijk reeks lessenreeks
    """.split()
)


@dataclass(frozen=True)
class Word:
    original: str  # as written (one run of letters and digits)
    folded: str  # lower case, accents removed
    stem: str


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """The Snowball Dutch stem of a folded word (words of three letters or fewer stay as they are)."""
    if len(word) <= 3 or not word.isalpha():
        return word
    found = _STEMMER.stemWord(word)
    if found == word and word.endswith(("ze", "ve")):  # "thuisloze" as "thuislozen" -> "thuisloos"
        found = _STEMMER.stemWord(word + "n")
    return found


def light_stem(word: str) -> str:
    """A folded word without its plural or inflection ending, as a prefix for word search:
    "huisartsen" -> "huisarts", "beroepstaken" -> "beroepstak", "palliatieve" -> "palliatiev"
    (the Snowball stem is no prefix of the word itself, e.g. "palliatieve" -> "pallieer")."""
    for ending, keep in (("en", 5), ("s", 4), ("e", 4)):
        if word.endswith(ending) and len(word) - len(ending) >= keep:
            return word[: -len(ending)]
    return word


def words(text: str, limit: int = MAX_WORDS) -> list[Word]:
    """The words of ``text``, folded like the search index folds them, with their stems."""
    out: list[Word] = []
    for match in _WORD.finditer(text):
        for piece in vocab.fold(match.group()).split():  # "O²PZ" -> "o2pz"; "_" splits
            out.append(Word(match.group(), piece, stem(piece)))
            if len(out) >= limit:
                return out
    return out


def content_words(ws: Iterable[Word]) -> list[Word]:
    """Words that can say something about a subject: no function words, numbers or short words."""
    return [w for w in ws if len(w.folded) >= 4 and not w.folded.isdigit() and w.folded not in STOPWORDS]


_ORDINALS = {"eerste": 1, "tweede": 2, "derde": 3, "vierde": 4, "1e": 1, "2e": 2, "3e": 3, "4e": 4,
             "1ste": 1, "2de": 2, "3de": 3, "4de": 4}
_YEAR_WORDS = ("jaar", "leerjaar", "studiejaar", "opleidingsjaar")


def study_years(ws: list[Word]) -> list[int]:
    """Study years 1-4 named in the text: "leerjaar 2", "jaar 3", "2e jaar", "tweede leerjaar",
    "derdejaars", "studiejaar 2 en 3"."""
    found: list[int] = []
    folded = [w.folded for w in ws]
    for i, w in enumerate(folded):
        if w in _YEAR_WORDS:
            j = i + 1
            while j < len(folded) and (folded[j].isdigit() or folded[j] in ("en", "of", "t", "m", "tot")):
                if folded[j].isdigit() and 1 <= int(folded[j]) <= 4:
                    found.append(int(folded[j]))
                j += 1
            if i > 0 and folded[i - 1] in _ORDINALS:
                found.append(_ORDINALS[folded[i - 1]])
        elif w.endswith("jaars") and w[: -len("jaars")] in _ORDINALS:
            found.append(_ORDINALS[w[: -len("jaars")]])
        else:
            for year_word in _YEAR_WORDS[1:]:  # "tweedeleerjaar"
                if w.endswith(year_word) and w[: -len(year_word)] in _ORDINALS:
                    found.append(_ORDINALS[w[: -len(year_word)]])
    return sorted(set(found))


_TRAILING = re.compile(r"^(.*\S)\s*\(([^()]+)\)\s*$")


def name_variants(name: str) -> list[str]:
    """A name and the shorter names it holds: "Physician assistant (PA, MPA)" is also
    "Physician assistant", "PA" and "MPA"; "zorgverlener | medisch handelen" is also each half."""
    out = [name]
    m = _TRAILING.match(name)
    if m:
        out.append(m.group(1))
        out += [p.strip() for p in re.split(r"[,;/]", m.group(2)) if p.strip()]
    if "|" in name:
        out += [p.strip() for p in name.split("|") if p.strip()]
    return list(dict.fromkeys(out))


@dataclass(frozen=True)
class Match:
    """A name found in the text: what it names, the name, the words it covers, and how."""

    iri: str
    kind: str
    name: str
    start: int
    end: int
    how: str  # "exact" (word for word, up to stems) or "compound" (part of a longer word)
    text: str  # the words of the text it covers, as written


@dataclass(frozen=True)
class _Entry:
    iri: str
    kind: str
    name: str
    capitals: bool  # a short acronym that must be written in capitals


class Lexicon:
    """The names of the graph's concepts, regions and organisations, to find them in free text.

    ``names`` yields ``(iri, kind, name)``; ``compound_kinds`` are the kinds whose names also match
    inside compound words. Build one per store generation (it holds no reference to the store)."""

    def __init__(self, names: Iterable[tuple[str, str, str]], compound_kinds: Iterable[str] = ()) -> None:
        self.compound_kinds = frozenset(compound_kinds)
        self.exact: dict[tuple[str, ...], list[_Entry]] = {}
        self.by_prefix: dict[tuple[str, ...], list[_Entry]] = {}  # last word = first part of a compound
        self.by_head: dict[str, list[_Entry]] = {}  # one-word name = last part of a compound
        self.prefixes: set[str] = set()
        self.longest = 1
        spellings: dict[tuple[str, tuple[str, ...]], list[str]] = {}
        kinds: dict[tuple[str, tuple[str, ...]], tuple[str, str, Word]] = {}
        for iri, kind, full in names:
            for name in name_variants(full):
                ws = words(name, MAX_PHRASE + 1)
                if not ws or len(ws) > MAX_PHRASE or len("".join(w.folded for w in ws)) < 2:
                    continue
                key = tuple(w.stem for w in ws)
                spellings.setdefault((iri, key), []).append(name)
                kinds.setdefault((iri, key), (kind, full, ws[-1]))
        for (iri, key), names_ in spellings.items():
            kind, name, last = kinds[(iri, key)]
            short = len(key) == 1 and len(key[0]) <= 3
            capitals = short and all(n.strip().isupper() for n in names_)
            entry = _Entry(iri, kind, name, capitals)
            self.exact.setdefault(key, []).append(entry)
            self.longest = max(self.longest, len(key))
            if kind not in self.compound_kinds:
                continue
            for form in {last.folded, last.stem}:
                if len(form) >= PREFIX_MIN:
                    self.by_prefix.setdefault((*key[:-1], form), []).append(entry)
                    self.prefixes.add(form)
            if len(key) == 1 and len(key[0]) >= HEAD_MIN:
                self.by_head.setdefault(key[0], []).append(entry)

    def __len__(self) -> int:
        return sum(len(v) for v in self.exact.values())

    def find(self, ws: list[Word]) -> list[Match]:
        """Names in the words ``ws`` (from :func:`words`), longest phrases first; a word is
        claimed by the first (longest) phrase that covers it."""
        found: list[Match] = []
        taken = [False] * len(ws)
        stems = [w.stem for w in ws]
        for n in range(min(self.longest, len(ws)), 0, -1):
            for i in range(len(ws) - n + 1):
                if any(taken[i : i + n]):
                    continue
                key = tuple(stems[i : i + n])
                hits = [(e, "exact") for e in self.exact.get(key, ()) if not e.capitals or ws[i].original.isupper()]
                if not hits:
                    hits = [(e, "compound") for e in self._compounds(ws, i, n)]
                if not hits:
                    continue
                text = " ".join(w.original for w in ws[i : i + n])
                seen: set[str] = set()
                for entry, how in hits:
                    if entry.iri not in seen:
                        seen.add(entry.iri)
                        found.append(Match(entry.iri, entry.kind, entry.name, i, i + n, how, text))
                for k in range(i, i + n):
                    taken[k] = True
        found.sort(key=lambda m: m.start)
        return found

    def _compounds(self, ws: list[Word], i: int, n: int) -> list[_Entry]:
        """Names whose last word starts the compound ``ws[i + n - 1]`` ("zorgplanning|sgesprek"),
        and, for one word, a one-word name that ends it ("kinder|hospice")."""
        last = ws[i + n - 1].folded
        head = tuple(w.stem for w in ws[i : i + n - 1])
        out: list[_Entry] = []
        for cut in range(len(last) - REST_MIN, PREFIX_MIN - 1, -1):  # longest first part first
            part = last[:cut]
            if part not in self.prefixes:
                continue
            rest = last[cut:]
            if len(rest) < REST_MIN:
                continue
            found = self.by_prefix.get((*head, part))
            if found:
                out.extend(found)
                break
        if n == 1:  # also its head: a "kinderhospice" is a hospice (and about children)
            whole = ws[i].stem
            for cut in range(REST_MIN, len(whole) - HEAD_MIN + 1):
                found = self.by_head.get(whole[cut:])
                if found:
                    out.extend(found)
                    break
        return out
