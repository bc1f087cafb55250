"""Find a constituency, council or police force by name, forgiving case, accents, ``&`` and typos."""

from __future__ import annotations

import re
import unicodedata
from functools import cache
from typing import Any, NamedTuple

from campaignsafe.datafiles import load_json
from campaignsafe.errors import NotFoundError

# Kinds in the order an exact name match prefers them (a candidate thinks in constituencies).
KIND_ORDER = {"constituency": 0, "local_authority": 1, "force": 2}
_FORCE_WORDS = re.compile(r"\b(police|constabulary|service|of|the)\b")
ACCEPT_RATIO = 0.86


class Place(NamedTuple):
    """A named area: what kind it is, its code and name, and the index into its table."""

    kind: str
    code: str
    name: str
    row: int


def fold(text: str) -> str:
    """Search key: accents and punctuation dropped, ``&`` → and, lower case, single spaces."""
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).lower().replace("&", " and ")
    return " ".join(re.sub(r"[^a-z0-9]+", " ", text).split())


@cache
def _table() -> dict[str, list[Place]]:
    areas: dict[str, Any] = load_json("areas.json")
    table: dict[str, list[Place]] = {}

    def add(key: str, place: Place) -> None:
        key = fold(key)
        if key and place not in table.setdefault(key, []):
            table[key].append(place)

    for i, (code, name, name_cy, _nation, _shares) in enumerate(areas["constituencies"]):
        place = Place("constituency", code, name, i)
        add(name, place)
        if name_cy:
            add(name_cy, place)
    for i, (code, name, _force, aliases) in enumerate(areas["local_authorities"]):
        place = Place("local_authority", code, name, i)
        for n in [name, *aliases]:
            add(n, place)
    routes = _force_routes()
    for i, (fid, name, _pfa, _nation) in enumerate(areas["forces"]):
        place = Place("force", fid, name, i)
        extra = routes.get(fid, {})
        names = [fid, name, extra.get("name", ""), extra.get("short_name") or "", *extra.get("aliases", [])]
        for n in names:
            if n:
                add(n, place)
                add(" ".join(_FORCE_WORDS.sub(" ", fold(n)).split()), place)
    return table


def _force_routes() -> dict[str, dict[str, Any]]:
    try:
        data: dict[str, Any] = load_json("forces.json")
    except FileNotFoundError:
        return {}
    return {f["id"]: f for f in data.get("forces", [])}


def find(query: str, kinds: tuple[str, ...] = tuple(KIND_ORDER)) -> tuple[Place, bool]:
    """The best place of one of ``kinds`` for ``query``, and whether it was an exact (folded) match.

    Raises ``NotFoundError`` with the closest names when nothing is close enough.
    """
    key = fold(query)
    table = {k: kept for k, ps in _table().items() if (kept := [p for p in ps if p.kind in kinds])}
    exact = (table.get(key) or table.get(" ".join(_FORCE_WORDS.sub(" ", key).split()))) if key else None
    if exact:
        return min(exact, key=lambda p: KIND_ORDER[p.kind]), True
    # The start of exactly one name ("avon" → Avon and Somerset Constabulary) is a match too.
    starts = {p for k, ps in table.items() if len(key) >= 3 and k.startswith(key + " ") for p in ps}
    if len(starts) == 1:
        return starts.pop(), False
    import difflib

    scored = sorted(
        (
            (difflib.SequenceMatcher(None, key, k).ratio(), k)
            for k in difflib.get_close_matches(key, table, n=6, cutoff=0.6)
        ),
        reverse=True,
    )
    if scored and scored[0][0] >= ACCEPT_RATIO and (len(scored) == 1 or scored[0][0] - scored[1][0] >= 0.04):
        places = table[scored[0][1]]
        return min(places, key=lambda p: KIND_ORDER[p.kind]), False
    suggestions = _unique_names([p for _, k in scored for p in table[k]])
    if not suggestions:
        suggestions = _unique_names([p for k, ps in table.items() if key and key in k for p in ps])[:5]
    hint = (
        "did you mean: " + "; ".join(suggestions[:5]) + "?"
        if suggestions
        else "give a postcode, constituency, council or police force"
    )
    what = "police force" if kinds == ("force",) else "constituency, council or police force"
    raise NotFoundError(f"no {what} matches {query.strip()!r}", hint, code="place_not_found")


def _unique_names(places: list[Place]) -> list[str]:
    seen: list[str] = []
    for p in places:
        if p.name not in seen:
            seen.append(p.name)
    return seen
