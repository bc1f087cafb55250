"""Turn any ``contact`` query (postcode, district, sector, constituency, council, force) into an Answer."""

from __future__ import annotations

import re
from array import array
from functools import cache
from typing import TYPE_CHECKING, Any

from campaignsafe.contact import postcode
from campaignsafe.contact.lookup import EDGE_SHARE, Answer, Hit, HitParts, Lookup
from campaignsafe.contact.postcode import UNIT_SLOT
from campaignsafe.errors import CampaignsafeError, InputError, NotFoundError, StoreError

if TYPE_CHECKING:
    from campaignsafe.contact import places

__all__ = ["Answer", "Hit", "complete", "crown_answer", "crown_dependency", "resolve", "resolve_postcode"]

# ``resolve_postcode``'s fast path reads the shared Lookup's tables (``Lookup.sectors`` and
# ``Lookup.hit_parts``) straight from these globals; they stay empty until ``_lookup`` runs.
_SECTORS: dict[str, array[int]] = {}
_PARTS: dict[int, HitParts] = {}
_new_tuple = tuple.__new__


@cache
def _lookup() -> Lookup:
    global _SECTORS, _PARTS
    lk = Lookup()
    _SECTORS, _PARTS = lk.sectors, lk.hit_parts
    return lk


def resolve(query: str) -> Answer:
    """Answer ``query``; raise ``InputError`` or ``NotFoundError`` (possibly with an approximate ``.answer``)."""
    text = postcode.check_text(query)
    shaped = postcode.looks_like_postcode(text)
    special = postcode.special_kind(text) if shaped or text[:4].upper() == "BFPO" else None
    if special:
        _raise_special(special, text)
    if shaped:
        try:
            parsed = postcode.parse(text)
        except InputError as exc:
            meant = _existing(postcode.misreadings(text)) if exc.code == "malformed_postcode" else []
            if len(meant) == 1:
                exc.hint = f"did you mean {meant[0]}? (I and 1, O and 0 look alike)"
            raise
        return _lookup().resolve(parsed, query)
    named = crown_named(text)
    if named:
        _raise_special(f"crown:{named}", text, by_name=True)
    written = postcode.find_all_in(text)  # an address copied whole ("Bath BA1 1BZ", "SW1A 1AA."): its postcode
    if len(written) > 1:
        raise InputError(f"that holds {len(written)} postcodes ({', '.join(written)})", "give one", code="postcodes")
    if written:
        return _written(written[0], query)
    return _place(text, query)


def _written(found: str, query: str) -> Answer:
    """The answer for the postcode ``found`` in the text ``query``, saying so (its near answer too, when it has
    none of its own)."""
    note = f"answered for the postcode {found}, the rest of what you gave left aside"
    try:
        ans = resolve(found)
    except CampaignsafeError as exc:
        near = getattr(exc, "answer", None)
        if near is not None:
            near.query = query
            near.notes.insert(0, note)
        if not getattr(exc, "crown", None):  # a Crown Dependency's postcode: its police service is the answer
            exc.message = f"read from what you gave, {exc.message}"
            exc.args = (exc.message,)
        raise
    ans.query = query
    ans.notes.insert(0, note)
    return ans


def _existing(candidates: list[str]) -> list[str]:
    """Those of ``candidates`` (full postcodes) that exist."""
    out = []
    for c in candidates:
        try:
            ans = _lookup().resolve(postcode.parse(c), c)
        except CampaignsafeError:
            continue
        if ans.kind == "postcode" and not ans.approximate:
            out.append(c)
    return out


def crown_named(text: str) -> str | None:
    """The Crown Dependency ``text`` names (``jersey``, ``guernsey``, ``isle-of-man``), or None."""
    low = text.casefold()
    if not _CROWN_WORDS.search(low):  # most text: no character-by-character look
        return None
    return _CROWN_NAMES.get(" ".join("".join(c if c.isalnum() else " " for c in low).split()))


#: the Crown Dependencies and their police services by name (``contact Jersey``), as their postcodes are answered:
#: the Bailiwick of Guernsey's islands are Guernsey Police's, as the GY postcodes are
_CROWN_NAMES = {
    "jersey": "jersey", "bailiwick of jersey": "jersey", "states of jersey police": "jersey",
    "jersey police": "jersey", "guernsey": "guernsey", "bailiwick of guernsey": "guernsey",
    "guernsey police": "guernsey", "alderney": "guernsey", "sark": "guernsey", "herm": "guernsey",
    "isle of man": "isle-of-man", "isle of man constabulary": "isle-of-man", "isle of man police": "isle-of-man",
}  # fmt: skip
#: a word every one of those names holds
_CROWN_WORDS = re.compile("jersey|guernsey|alderney|sark|herm|man")


def complete(ans: Answer) -> Answer:
    """Fill in each force's routes, the user's saved contacts for it and the nation's common routes.

    A damaged saved-contacts file never hides the force's routes: the answer carries a note
    saying so (``contact saved`` reports it as a store error).
    """
    from campaignsafe.contact import contacts, forces

    try:
        saved = contacts.load()
    except StoreError as exc:
        saved = []
        ans.notes.append(f"{exc.message}; {exc.hint}" if exc.hint else exc.message)
    for f in ans.forces:
        ans.routes[f["id"]] = forces.force_routes(f["id"]) or {}
        ans.saved[f["id"]] = [c for c in saved if c.get("force") == f["id"]]
    ans.common = {r["id"]: r for r in forces.common_routes(ans.nation)}
    return ans


def resolve_postcode(text: str) -> Hit:
    """A full postcode's force, council and constituency, for bulk in-process use.

    A postcode written as ``"SW1A 1AA"`` (upper case, one space) whose district has been
    seen is three table reads and one tuple; other spellings and first sightings take
    ``Lookup.hit`` (which fills those tables); anything else goes through ``resolve`` (so
    errors are the same), and a district or sector query is refused.
    """
    try:
        # Keys exist only for the canonical spelling, so a hit here is that postcode's answer;
        # slot value 0 (no such postcode) and combinations without a council are never in _PARTS.
        force_id, force_name, council, constituency, approximate = _PARTS[_SECTORS[text[:-2]][UNIT_SLOT[text[-2:]]]]
        return _new_tuple(Hit, (text, force_id, force_name, council, constituency, approximate))
    except KeyError:
        pass
    hit = _lookup().hit(text)
    if hit is not None:
        return hit
    ans = resolve(text)
    if ans.kind != "postcode":
        raise InputError(f"{text.strip()!r} is not a full postcode", code="not_a_full_postcode")
    return Hit.from_answer(ans)


def _place(text: str, query: str) -> Answer:
    from campaignsafe.contact import places

    found = places.match(text)
    if len(found.places) > 1:
        return _several(found, text, query)
    place = found.places[0]
    areas = _lookup().areas
    ans = Answer(query, place.kind)
    ans.matched = place.name
    if found.corrected is not None:
        ans.notes.append(f"no exact match for {text.strip()!r}; showing {place.name}")
    if place.kind == "constituency":
        _code, _name, _cy, nation, shares = areas.constituencies[place.row]
        for force, share, count in shares:
            fid = areas.force_id(force)
            entry: dict[str, Any] = {"id": fid, "name": areas.force_name(fid), "share": share}
            if count:
                entry["postcodes"] = count
            if share < EDGE_SHARE:
                entry["edge"] = True
            ans.forces.append(entry)
        ans.nation = nation
        if nation == "northern-ireland":
            ans.notes.append("every constituency in Northern Ireland is policed by the PSNI")
    elif place.kind == "local_authority":
        fid = areas.force_id(areas.las[place.row][2])
        ans.forces = [{"id": fid, "name": areas.force_name(fid), "share": 1.0}]
        ans.nation = areas.forces[areas.force_index[fid]][3]
    else:
        ans.forces = [{"id": place.code, "name": place.name, "share": 1.0}]
        ans.nation = places.force_nation(place.code)
    ans.area = {"code": place.code, "name": place.name}
    return ans


def _several(found: places.Match, text: str, query: str) -> Answer:
    """A name that several areas share: their one force, naming the areas; refused when forces differ."""
    from campaignsafe.contact import places

    areas = _lookup().areas
    by_force: dict[str, list[places.Place]] = {}
    for p in found.places:
        for fid in places.forces_of(p):
            by_force.setdefault(fid, []).append(p)
    shown = found.corrected or " ".join(text.split())
    if len(by_force) > 1:
        choices = [
            {
                "force": {"id": fid, "name": areas.force_name(fid)},
                "areas": [{"kind": p.kind, "code": p.code, "name": p.name} for p in ps],
            }
            for fid, ps in sorted(by_force.items(), key=lambda kv: (-len(kv[1]), kv[0]))
        ]
        err = NotFoundError(
            f"{shown!r} names areas of {len(by_force)} police forces",
            "give the full name of one of them, or a postcode",
            code="place_ambiguous",
        )
        err.details = {"choices": choices}
        raise err
    (fid,) = by_force
    ans = Answer(query, "place")
    ans.matched = shown
    ans.forces = [{"id": fid, "name": areas.force_name(fid), "share": 1.0}]
    ans.nation = areas.forces[areas.force_index[fid]][3]
    ans.areas = [{"kind": p.kind, "code": p.code, "name": p.name} for p in found.places]
    if found.corrected is not None:
        ans.notes.append(f"no exact match for {text.strip()!r}; showing places named {found.corrected!r}")
    return ans


def _raise_special(kind: str, text: str, by_name: bool = False) -> None:
    if kind.startswith("crown:"):
        cid = kind.split(":", 1)[1]
        service = crown_dependency(cid)
        name = (
            service["name"]
            if service
            else {
                "jersey": "States of Jersey Police",
                "guernsey": "Guernsey Police",
                "isle-of-man": "Isle of Man Constabulary",
            }[cid]
        )
        island = {"jersey": "Jersey", "guernsey": "the Bailiwick of Guernsey", "isle-of-man": "the Isle of Man"}[cid]
        where = f"{island[0].upper()}{island[1:]} is" if by_name else f"{text.strip().upper()} is in {island},"
        err = NotFoundError(
            f"{where} a Crown Dependency outside UK police forces: contact the {name}",
            f"in an emergency call {service['emergency']['value']}" if service and service.get("emergency") else None,
            code="outside_uk_police",
        )
        err.crown = service  # type: ignore[attr-defined]
        raise err
    message, hint = postcode.SPECIAL_MESSAGES[kind]
    raise NotFoundError(message, hint, code=f"{kind.replace('-', '_')}_postcode")


def crown_answer(query: str, exc: CampaignsafeError) -> dict[str, Any] | None:
    """The answer (not an error) for a Jersey, Guernsey or Isle of Man postcode: its own police service.

    What ``contact --json`` prints and ``contact --batch`` writes for the line; None for any other error.
    """
    service = getattr(exc, "crown", None)
    if not service:
        return None
    return {
        "schema_version": 1, "query": query, "kind": "crown_dependency", "forces": [],
        "police_service": service, "notes": [exc.message],
    }  # fmt: skip


def crown_dependency(cid: str) -> dict[str, Any] | None:
    """The Crown Dependency police service record from ``forces.json``, if present."""
    from campaignsafe.contact.forces import load_routes

    for c in load_routes().get("crown_dependencies", []):
        if c["id"] == cid:
            return dict(c)
    return None
