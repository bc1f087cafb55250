"""Find a constituency, council or police force by name, forgiving case, accents, ``&`` and typos.

The name table is built once per process (``_matcher``) with three indexes: folded name →
places, word → names holding it, and a symmetric-delete index of the words (each word with one
letter dropped) that finds a misspelt word with a few dictionary look-ups. So a
line that matches nothing costs about what a line that matches does; ``rapidfuzz`` only ranks
the few candidates the indexes give, and is imported on the first typo.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache
from typing import Any, NamedTuple

from campaignsafe.datafiles import load_json
from campaignsafe.errors import NotFoundError

# Kinds in the order an exact name match prefers them (a candidate thinks in constituencies).
KIND_ORDER = {"constituency": 0, "local_authority": 1, "force": 2}
KIND_NAMES = {"constituency": "constituency", "local_authority": "council", "force": "police force"}
_FORCE_WORDS = re.compile(r"\b(police|constabulary|service|of|the)\b")
_FORCE_WORD_SET = frozenset(("police", "constabulary", "service", "of", "the"))
EDGE_SHARE = 0.01
# What people add to a council's name: "Manchester City Council", "Cyngor Sir Ynys Môn".
_SUFFIXES = (
    "metropolitan borough council", "city and county council", "county borough council", "borough council",
    "district council", "county council", "city council", "council", "unitary authority",
)  # fmt: skip
_PREFIXES = (
    "london borough of ", "royal borough of ", "city and county of ", "metropolitan borough of ", "borough of ",
    "cyngor bwrdeistref sirol ", "cyngor sir ", "cyngor dinas ", "cyngor ", "the ",
)  # fmt: skip
_SUFFIXES_SHORT_FIRST = sorted((" " + s for s in _SUFFIXES), key=len)
_PREFIXES_SHORT_FIRST = sorted(_PREFIXES, key=len)
_PREFIX_WORDS = frozenset(p.split()[0] for p in _PREFIXES)
_SUFFIX_WORDS = frozenset(s.split()[-1] for s in _SUFFIXES)
# Words a name query may carry that the area's name lacks ("Edinburgh City", "the Wirral").
FILLER = frozenset(
    [
        "and",
        "of",
        "the",
        "upon",
        "on",
        "city",
        "county",
        "borough",
        "council",
        "district",
        "royal",
        "police",
        "constabulary",
    ]
)
# Words that do not name a place on their own ("North" is in 60 names).
GENERIC = FILLER | frozenset(
    [
        "in",
        "under",
        "by",
        "with",
        "north",
        "south",
        "east",
        "west",
        "central",
        "mid",
        "outer",
        "inner",
        "isle",
        "greater",
        "new",
        "st",
        "saint",
        "old",
        "great",
        "little",
        "service",
    ]
)
AREA_ORDER = {"local_authority": 0, "constituency": 1, "force": 2}  # how matched areas are listed
MIN_TYPO_WORD = 4  # shorter words are taken as typed
SUGGEST_SCORE = 72.0  # rapidfuzz WRatio a suggestion needs to be worth showing


class Place(NamedTuple):
    """A named area: what kind it is, its code and name, and the index into its table."""

    kind: str
    code: str
    name: str
    row: int


class Match(NamedTuple):
    """What a name query found: one or more places, and how."""

    places: list[Place]
    exact: bool  # the query (less any council words) is the place's name or alias
    corrected: str | None  # the query with its typos corrected, when that is what matched


_NOT_ALNUM = re.compile(r"[^a-z0-9]+")


def fold(text: str) -> str:
    """Search key: accents and punctuation dropped, ``&`` → and, lower case, single spaces."""
    if not text.isascii():
        text = unicodedata.normalize("NFKD", text)
        text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return _NOT_ALNUM.sub(" ", text.lower().replace("&", " and ")).strip()


def _strip_force_words(key: str) -> str:
    return " ".join(_FORCE_WORDS.sub(" ", key).split())


def variants(key: str) -> list[str]:
    """``key``, then the same with council words taken off, least taken first.

    "glasgow city council" → "glasgow city", "glasgow"; "cyngor sir ynys mon" → "sir ynys mon", "ynys mon".
    """
    out = [key]
    first, _, rest = key.partition(" ")
    if not rest or (first not in _PREFIX_WORDS and key[key.rfind(" ") + 1 :] not in _SUFFIX_WORDS):
        return out
    for suffix in _SUFFIXES_SHORT_FIRST:
        if key.endswith(suffix):
            out.append(key[: -len(suffix)])
    for k in list(out):
        for prefix in _PREFIXES_SHORT_FIRST:
            if k.startswith(prefix) and len(k) > len(prefix):
                out.append(k[len(prefix) :])
    return list(dict.fromkeys(out))


def _short_forms(name: str) -> list[str]:
    """How a council is called without its "City of" or "County" ("County Durham" → "durham")."""
    key = fold(name)
    out = []
    for pre in ("city of ", "county of ", "county "):
        if key.startswith(pre):
            out.append(key[len(pre) :])
    for post in (" city of", " county of", " city"):
        if key.endswith(post):
            out.append(key[: -len(post)])
    return out


class Matcher:
    """Every constituency, council and force name, indexed once."""

    def __init__(self) -> None:
        areas: dict[str, Any] = load_json("areas.json")
        self.nations = {f[0]: f[3] for f in areas["forces"]}
        self.table: dict[str, list[Place]] = {}
        self.council_short: dict[str, Place] = {}  # "edinburgh" → City of Edinburgh, for "Edinburgh City Council"
        self.forces_of: dict[Place, tuple[str, ...]] = {}
        self.place_aliases: set[str] = set()  # force aliases naming a town, not the force ("newcastle police")
        self.force_places: dict[str, Place] = {}  # force id → its place
        forces = areas["forces"]
        for i, (code, name, name_cy, _nation, shares) in enumerate(areas["constituencies"]):
            place = Place("constituency", code, name, i)
            self._add(name, place)
            if name_cy:
                self._add(name_cy, place)
            self.forces_of[place] = tuple(forces[f][0] for f, share, _n in shares if share >= EDGE_SHARE)
        for i, (code, name, force, aliases) in enumerate(areas["local_authorities"]):
            place = Place("local_authority", code, name, i)
            for n in [name, *aliases]:
                self._add(n, place)
                for short in _short_forms(n):
                    self.council_short.setdefault(short, place)
            self.forces_of[place] = (forces[force][0],)
        routes = _force_routes()
        territorial = [(i, f[0], f[1]) for i, f in enumerate(forces)]
        known = {fid for _i, fid, _n in territorial}
        # A force of no area (British Transport Police) has row -1: named, so its routes can be found.
        others = [(-1, fid, f["name"]) for fid, f in routes.items() if fid not in known]
        for i, fid, name in territorial + others:
            place = self.force_places[fid] = Place("force", fid, name, i)
            extra = routes.get(fid, {})
            names = [fid, name, extra.get("name", ""), extra.get("short_name") or "", *extra.get("aliases", [])]
            for n in names:
                if n:
                    self._add(n, place)
                    self._add(_strip_force_words(fold(n)), place)
            own = set(fold(name).split()) | _FORCE_WORD_SET
            for n in extra.get("aliases", []):
                for key in (fold(n), _strip_force_words(fold(n))):
                    if not set(key.split()) <= own:
                        self.place_aliases.add(key)
            self.forces_of[place] = (fid,)
        self.words: dict[str, set[str]] = {}
        for key in self.table:
            for w in key.split():
                self.words.setdefault(w, set()).add(key)
        self.spelling: dict[str, str] = {}  # folded word → as the names write it ("mon" → "Môn")
        for places in self.table.values():
            for p in places:
                for w in p.name.split():
                    self.spelling.setdefault(fold(w), w.strip(",()"))
        self.deletions: dict[str, set[str]] = {}
        self._sorted: list[str] | None = None  # the name words in order, made when a short word is looked up
        self.heads: set[str] = set()  # every start and end of a word: one typo leaves one of them whole
        self.tails: set[str] = set()
        for w in self.words:
            if len(w) >= MIN_TYPO_WORD - 1:
                for d in (w, *_deletes(w)):
                    self.deletions.setdefault(d, set()).add(w)
            self.heads.update(w[:i] for i in range(1, len(w) + 1))
            self.tails.update(w[-i:] for i in range(1, len(w) + 1))
        self._by_kinds: dict[tuple[str, ...], dict[str, list[Place]]] = {}

    def _add(self, name: str, place: Place) -> None:
        key = fold(name)
        if key and place not in self.table.setdefault(key, []):
            self.table[key].append(place)

    def _kept(self, key: str, kinds: tuple[str, ...]) -> list[Place]:
        places = self.table.get(key)
        if not places:
            return []
        return places if len(kinds) == 3 else [p for p in places if p.kind in kinds]

    def match(self, query: str, kinds: tuple[str, ...] = tuple(KIND_ORDER)) -> Match | str:
        """The places ``query`` names; when it names none, the folded query with its typos corrected."""
        key = fold(query)
        if not key:
            return key
        found = self._lookup(key, kinds)
        if found is not None:
            return Match(found[0], found[1], None)
        fixed = self.correct(key)
        if fixed != key:
            found = self._lookup(fixed, kinds)
            if found is not None:
                return Match(found[0], False, " ".join(self.spelling.get(w, w) for w in fixed.split()))
        return fixed

    def _lookup(self, key: str, kinds: tuple[str, ...]) -> tuple[list[Place], bool] | None:
        keys = variants(key)
        if "local_authority" in kinds:  # the query said "council": a council of that name first
            for k in keys[1:]:
                council = [p for p in self.table.get(k, ()) if p.kind == "local_authority"]
                if council or k in self.council_short:
                    return [council[0] if council else self.council_short[k]], True
        for k in keys:
            exact = self._kept(k, kinds)
            if not exact and not _FORCE_WORD_SET.isdisjoint(k.split()):
                exact = self._kept(_strip_force_words(k), kinds)
            if exact:
                best = min(exact, key=lambda p: KIND_ORDER[p.kind])
                if best.kind == "force" and k in self.place_aliases:
                    wider = self._areas_of_other_forces(_strip_force_words(k), best, tuple(KIND_ORDER))
                    if wider and kinds == ("force",):  # `--force Newcastle`: which of the forces?
                        codes = {c for p in wider for c in self.forces_of[p]} | {best.code}
                        return sorted((self.force_places[c] for c in codes), key=lambda p: p.name), False
                    if wider:
                        return wider, False
                return [best], True
        core = keys[-1]
        named = self._with_words(core)
        if not named:
            return None
        # The start of exactly one name ("avon" → Avon and Somerset Constabulary).
        starts = {p for k in named if k.startswith(core + " ") for p in self._kept(k, kinds)}
        if len(starts) == 1:
            return [starts.pop()], False
        # Every telling word of the query is a word of the name ("Hull", "Brighton Kemptown").
        places = {p for k in named for p in self._kept(k, kinds)}
        if not places:
            return None
        if any(p.kind != "force" for p in places):  # "London": the areas, not also the City of London Police
            places = {p for p in places if p.kind != "force"}
        return sorted(places, key=lambda p: (AREA_ORDER[p.kind], p.name)), False

    def _areas_of_other_forces(self, key: str, force: Place, kinds: tuple[str, ...]) -> list[Place]:
        """The areas named by ``key``'s words when one of them is policed by a force other than ``force``.

        "Newcastle" is what many call Northumbria Police, and also Newcastle-under-Lyme, in Staffordshire.
        """
        areas = {p for k in self._with_words(key) for p in self._kept(k, kinds) if p.kind != "force"}
        if all(self.forces_of[p] == (force.code,) for p in areas):
            return []
        return sorted(areas, key=lambda p: (AREA_ORDER[p.kind], p.name))

    def _with_words(self, key: str) -> set[str]:
        """Names holding every word of ``key`` but filler, if one of them is telling (not generic)."""
        sets: list[set[str]] = []
        telling = False
        for w in key.split():
            if w in FILLER:
                continue
            names = self.words.get(w)
            if names is None:
                return set()
            sets.append(names)
            telling = telling or (w not in GENERIC and len(w) >= 3)
        if not telling:
            return set()
        return set.intersection(*sorted(sets, key=len))

    def correct(self, key: str) -> str:
        """``key`` with each unknown word replaced by the nearest name word (one letter wrong, missing,
        extra or swapped with its neighbour)."""
        out = []
        for w in key.split():
            if w in self.words or len(w) < MIN_TYPO_WORD or w.isdigit():
                out.append(w)
                continue
            # One edit touches at most two neighbouring letters, so the first or the last k letters
            # are those of the word meant: without either, no name word is one typo away.
            k = (len(w) - 1) // 2
            if w[:k] not in self.heads and w[-k:] not in self.tails:
                out.append(w)
                continue
            get = self.deletions.get
            near: set[str] = set()
            for d in (w, *_deletes(w)):
                hit = get(d)
                if hit:
                    near.update(hit)
            if near:
                from rapidfuzz.distance import OSA

                scored = sorted((OSA.distance(w, c), -len(self.words[c]), c) for c in near)
                if scored[0][0] <= 1:
                    w = scored[0][2]
            out.append(w)
        return " ".join(out)

    def _one_typo_from_short(self, word: str) -> list[str]:
        """Telling name words one typo from ``word``, or beginning with it, when it is too short to be corrected
        (``hul`` → hull, ``man`` → manchester): offered as suggestions, never taken as the answer."""
        if len(word) != MIN_TYPO_WORD - 1 or word in self.words or word.isdigit():
            return []
        from bisect import bisect_left

        from rapidfuzz.distance import OSA

        get = self.deletions.get
        near = {c for d in (word, *_deletes(word)) for c in get(d, ())}
        if self._sorted is None:
            self._sorted = sorted(self.words)
        at = bisect_left(self._sorted, word)
        while at < len(self._sorted) and self._sorted[at].startswith(word):  # a name cut short
            near.add(self._sorted[at])
            at += 1
        return sorted(c for c in near if c not in GENERIC and (c.startswith(word) or OSA.distance(word, c) <= 1))

    def names_nothing(self, key: str) -> bool:
        """Whether no word of ``key`` is, or is one typo from, a name word: then nothing matches or is suggested."""
        words = key.split()
        for w in words:
            if w in self.words or (len(w) >= MIN_TYPO_WORD and not w.isdigit() and self.correct(w) != w):
                return False
        return not (len(words) == 1 and self._one_typo_from_short(words[0]))  # a short word alone: suggested

    def suggestions(self, fixed: str, kinds: tuple[str, ...] = tuple(KIND_ORDER), n: int = 5) -> list[str]:
        """Names plausibly meant by a query that named none (``fixed``: as ``match`` corrected it).

        Only names that share a telling word with it, ranked by rapidfuzz's WRatio; a query of one word too
        short to be corrected (``hul``) counts as each telling name word one typo from it (``hull``).
        """
        typed = fixed.split()
        words = [w for w in typed if w in self.words and w not in GENERIC and len(w) >= 3]
        keys = [variants(fixed)[-1]]
        if len(typed) == 1:  # "Hul": a short word alone, a name cut short
            for near in self._one_typo_from_short(typed[0]):
                words.append(near)
                keys.append(variants(near)[-1])
        if not words:
            return []
        candidates = list({k for w in words for k in self.words[w] if self._kept(k, kinds)})
        if not candidates:
            return []
        from rapidfuzz import fuzz, process

        best: dict[str, float] = {}
        for key in keys:
            for k, score, _i in process.extract(
                key, candidates, scorer=fuzz.WRatio, limit=3 * n, score_cutoff=SUGGEST_SCORE
            ):
                best[k] = max(score, best.get(k, 0.0))
        ranked = sorted(best, key=lambda k: (-best[k], k))
        return _unique_names([p for k in ranked for p in self._kept(k, kinds)])[:n]


def _deletes(word: str) -> list[str]:
    """``word`` with each of its letters dropped in turn (one typo each side: a symmetric-delete index)."""
    return [word[:i] + word[i + 1 :] for i in range(len(word))]


@cache
def _matcher() -> Matcher:
    return Matcher()


def _force_routes() -> dict[str, dict[str, Any]]:
    try:
        data: dict[str, Any] = load_json("forces.json")
    except FileNotFoundError:
        return {}
    return {f["id"]: f for f in data.get("forces", [])}


def names_nothing(text: str) -> bool:
    """True when ``text`` cannot match any name (``match`` would raise with no suggestion)."""
    return _matcher().names_nothing(fold(text))


def force_nation(force_id: str) -> str | None:
    """The nation a force polices; None for one of several nations (British Transport Police)."""
    return _matcher().nations.get(force_id)


def forces_of(place: Place) -> tuple[str, ...]:
    """The ids of the forces that police ``place`` (boundary slivers left out)."""
    return _matcher().forces_of[place]


def match(query: str) -> Match:
    """Every place ``query`` names; raises ``NotFoundError`` with plausible names when there is none."""
    found = _matcher().match(query)
    if isinstance(found, str):
        raise _not_found(query, found, tuple(KIND_ORDER))
    return found


def find(query: str, kinds: tuple[str, ...] = tuple(KIND_ORDER)) -> tuple[Place, bool]:
    """The one place of one of ``kinds`` for ``query``, and whether it was an exact (folded) match.

    Raises ``NotFoundError`` with the closest names when nothing, or more than one place, fits.
    """
    found = _matcher().match(query, kinds)
    if isinstance(found, str):
        raise _not_found(query, found, kinds)
    if len(found.places) > 1:
        names = _unique_names(found.places)
        raise NotFoundError(
            f"{query.strip()!r} matches {len(names)} names",
            "did you mean: " + "; ".join(names[:5]) + ("; …" if len(names) > 5 else "") + "?",
            code="place_ambiguous",
        )
    return found.places[0], found.exact


def _not_found(query: str, fixed: str, kinds: tuple[str, ...]) -> NotFoundError:
    suggestions = _matcher().suggestions(fixed, kinds) if fixed else []
    hint = (
        "did you mean: " + "; ".join(suggestions) + "?"
        if suggestions
        else "give a postcode, constituency, council or police force"
    )
    what = "police force" if kinds == ("force",) else "constituency, council or police force"
    return NotFoundError(f"no {what} matches {query.strip()!r}", hint, code="place_not_found")


def _unique_names(places: list[Place]) -> list[str]:
    seen: list[str] = []
    for p in places:
        if p.name not in seen:
            seen.append(p.name)
    return seen
