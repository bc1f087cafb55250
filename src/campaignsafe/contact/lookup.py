"""Postcode, sector and district → police force, council and constituency, from the shipped index
(read by ``campaignsafe.contact.index``)."""

from __future__ import annotations

import json
import re
from array import array
from collections import Counter
from typing import Any, NamedTuple

from campaignsafe.contact.index import Areas, Index, postcode_list
from campaignsafe.contact.postcode import UNIT_INDEX, Parsed
from campaignsafe.errors import NotFoundError

EDGE_SHARE = 0.01
ESTIMATED_METHODS = {"nearest", "range"}
NI_FORCE = "northern-ireland"
# A plain full postcode, as typed in a batch file; areas below need the full path.
_PLAIN = re.compile(r"[ \t]*([A-Z]{1,2}[0-9][A-Z0-9]?)[ \t]*([0-9])([A-Z]{2})[ \t]*")
_new_tuple = tuple.__new__
_NOT_PLAIN = {"BT", "JE", "GY", "IM", "BF", "BX", "GI", "XM", "GX"}


#: A Hit without its postcode: what every postcode of one (council, constituency) combination shares.
HitParts = tuple[str, str, tuple[str, str] | None, tuple[str, str, str] | None, bool]


def _parse_plain(pc: str) -> Parsed:
    out, inward = pc.split(" ")
    return Parsed("full", out, inward[0], inward[1:])


class Answer:
    """Which force(s) cover a place, and what we know about the place."""

    __slots__ = (
        "approximate",
        "area",
        "areas",
        "common",
        "constituency",
        "forces",
        "kind",
        "local_authority",
        "matched",
        "nation",
        "notes",
        "postcode",
        "query",
        "routes",
        "saved",
    )

    def __init__(self, query: str, kind: str) -> None:
        self.query = query
        self.kind = kind
        self.forces: list[dict[str, Any]] = []  # {id, name, share, postcodes?, edge?}
        self.postcode: str | None = None
        self.local_authority: dict[str, str] | None = None
        self.constituency: dict[str, str] | None = None
        self.approximate = False
        self.notes: list[str] = []
        self.matched: str | None = None  # the area name the query matched
        self.nation: str | None = None
        self.area: dict[str, str] | None = None  # the constituency, council or force matched by name
        self.areas: list[dict[str, str]] = []  # kind "place": every area a place name matched ({kind, code, name})
        # Filled by ``resolve.complete``: each force's routes, the user's saved contacts for it,
        # and the nation's common routes (999, 101, text relay) by id.
        self.routes: dict[str, dict[str, Any]] = {}
        self.saved: dict[str, list[dict[str, Any]]] = {}
        self.common: dict[str, dict[str, Any]] = {}

    @property
    def main_forces(self) -> list[dict[str, Any]]:
        """Forces without boundary slivers (share under 1%)."""
        return [f for f in self.forces if not f.get("edge")]

    def to_dict(self) -> dict[str, Any]:
        """The stable JSON shape (``schema_version`` 1)."""
        out: dict[str, Any] = {"schema_version": 1, "query": self.query, "kind": self.kind, "matched": self.matched}
        out["forces"] = self.forces
        if self.kind == "postcode":
            out["postcode"] = self.postcode
            out["local_authority"] = self.local_authority
            out["constituency"] = self.constituency
        elif self.area is not None:
            out[self.kind] = self.area
        if self.areas:
            out["areas"] = self.areas
        out["nation"] = self.nation
        out["approximate"] = self.approximate
        if self.notes:
            out["notes"] = self.notes
        return out

    def to_json(self) -> dict[str, Any]:
        """``to_dict`` plus each force's routes and saved contacts (what ``contact --json`` prints)."""
        out = self.to_dict()
        forces = []
        for f in self.forces:
            r = self.routes.get(f["id"], {})
            routes: dict[str, Any] = {
                k: r[k]["value"] for k in ("website", "report_online", "election_page", "election_contacts") if k in r
            }
            if "non_emergency_override" in r:
                routes["non_emergency"] = r["non_emergency_override"]["value"]
            forces.append({**f, "routes": routes, "saved_contacts": self.saved.get(f["id"], [])})
        out["forces"] = forces
        out["emergency"] = "999"
        return out


class Hit(NamedTuple):
    """A full postcode's answer in its leanest form (the in-process API for bulk use)."""

    postcode: str
    force_id: str
    force_name: str
    local_authority: tuple[str, str] | None  # (code, name)
    constituency: tuple[str, str, str] | None  # (code, name, method)
    approximate: bool

    @classmethod
    def from_answer(cls, ans: Answer) -> Hit:
        la, pc = ans.local_authority, ans.constituency
        return cls(
            ans.postcode or ans.matched or ans.query,
            ans.forces[0]["id"],
            ans.forces[0]["name"],
            (la["code"], la["name"]) if la else None,
            (pc["code"], pc["name"], pc["method"]) if pc else None,
            ans.approximate,
        )


class Lookup:
    """Answers postcode-shaped queries from the shipped index."""

    def __init__(self) -> None:
        self.index = Index()
        self.areas = Areas()
        self._json_parts: dict[int, tuple[str, str]] = {}
        # The tables of ``resolve.resolve_postcode``'s fast path, filled by ``hit``:
        # "OUT D" (a sector as written) → its 400 slots, for every district ``hit`` has seen, and
        # slot value (combo + 1) → the Hit fields it shares, for combinations with a council.
        self.sectors: dict[str, array[int]] = {}
        self.hit_parts: dict[int, HitParts] = {}
        # Postcodes with no council take their force from their sector: (outward, digit, slot value) → fields.
        self._sector_parts: dict[tuple[str, str, int], HitParts] = {}

    def _plain(self, text: str) -> tuple[str, int] | None:
        """(display postcode, combo) for a plain existing GB postcode with a council, else None."""
        m = _PLAIN.fullmatch(text.upper())
        if m is None:
            return None
        outward, digit, unit = m.groups()
        if outward[:2] in _NOT_PLAIN or unit[0] not in UNIT_INDEX or unit[1] not in UNIT_INDEX:
            return None
        combo = self.index.unit(outward, digit, unit)
        if combo is None or self.areas.combos[combo][0] < 0:
            return None
        return f"{outward} {digit}{unit}", combo

    def hit(self, text: str) -> Hit | None:
        """The lean answer for a plain existing GB postcode, or None (use ``resolve`` for the rest).

        One regex, one array read and one cached tuple per (council, constituency) combination;
        it also fills ``sectors`` and ``hit_parts``, the tables ``resolve_postcode`` reads first.
        """
        m = _PLAIN.fullmatch(text.upper())
        if m is None:
            return None
        outward, digit, unit = m.groups()
        if outward[:2] in _NOT_PLAIN:
            return None
        district = self.index._districts.get(outward) or self.index.district(outward)
        if district is None:
            return None
        if f"{outward} {digit}" not in self.sectors:
            for d, sector in district.items():
                self.sectors[f"{outward} {d}"] = sector
        slots = district.get(digit)
        a, b = UNIT_INDEX.get(unit[0]), UNIT_INDEX.get(unit[1])
        if slots is None or a is None or b is None or not (v := slots[a * 20 + b]):
            return None
        pc = f"{outward} {digit}{unit}"
        parts = self.hit_parts.get(v)
        if parts is None:
            council = self.areas.combos[v - 1][0] >= 0
            parts = None if council else self._sector_parts.get((outward, digit, v))
            if parts is None:
                try:
                    h = Hit.from_answer(self._full(_parse_plain(pc), pc))
                except NotFoundError:  # no location at all: ``resolve`` raises it with its hint
                    return None
                parts = (h.force_id, h.force_name, h.local_authority, h.constituency, h.approximate)
                if council:
                    self.hit_parts[v] = parts
                else:
                    self._sector_parts[outward, digit, v] = parts
        return _new_tuple(Hit, (pc, *parts))

    def json_line(self, text: str) -> str | None:
        """Compact JSON for a plain, existing GB postcode; None sends the caller down the full path.

        Same object as ``resolve(...).to_dict()``, built from per-combination fragments so
        ``--batch`` spends its time on lookups rather than on encoding.
        """
        found = self._plain(text)
        if found is None:
            return None
        pc, combo = found
        parts = self._json_parts.get(combo)
        if parts is None:
            d = self._full(_parse_plain(pc), "").to_dict()
            enc = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
            keys = list(d)
            after = {k: d[k] for k in keys[keys.index("postcode") + 1 :]}
            parts = (enc({"forces": d["forces"]})[1:-1] + ',"postcode":"', '",' + enc(after)[1:])
            self._json_parts[combo] = parts
        return (
            '{"schema_version":1,"query":'
            + json.dumps(text, ensure_ascii=False)
            + ',"kind":"postcode","matched":"'
            + pc
            + '",'
            + parts[0]
            + pc
            + parts[1]
        )

    def _shares(self, counts: Counter[str]) -> list[dict[str, Any]]:
        total = sum(counts.values())
        out = []
        for fid, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])):
            share = round(n / total, 4)
            entry: dict[str, Any] = {"id": fid, "name": self.areas.force_name(fid), "share": share, "postcodes": n}
            if share < EDGE_SHARE:
                entry["edge"] = True
            out.append(entry)
        return out

    def _count(self, sectors: list[array[int]]) -> Counter[str]:
        combos: Counter[int] = Counter()
        for slots in sectors:
            combos.update(v - 1 for v in slots if v)
        forces: Counter[str] = Counter()
        for combo, n in combos.items():
            fid = self.areas.force_of_combo(combo)
            if fid is not None:
                forces[fid] += n
        return forces

    def _single(self, fid: str) -> list[dict[str, Any]]:
        return [{"id": fid, "name": self.areas.force_name(fid), "share": 1.0}]

    def _nation_of(self, forces: list[dict[str, Any]]) -> str | None:
        nations = {self.areas.forces[self.areas.force_index[f["id"]]][3] for f in forces if not f.get("edge")}
        return nations.pop() if len(nations) == 1 else None

    def resolve(self, p: Parsed, query: str) -> Answer:
        """Answer a parsed postcode, sector or district; raise ``NotFoundError`` if unknown."""
        if p.area == "BT":
            return self._northern_ireland(p, query)
        if p.kind == "full":
            return self._full(p, query)
        district = self.index.district(p.outward)
        # A district that does not exist, such as "M11", may be meant as sector "M1 1".
        if (
            p.kind == "district"
            and district is None
            and len(p.outward) > 2
            and p.outward[-1] in (self.index.district(p.outward[:-1]) or {})
        ):
            return self.resolve(Parsed("sector", p.outward[:-1], p.outward[-1]), query)
        if district is None:
            raise NotFoundError(f"postcode district {p.outward} does not exist", code="district_not_found")
        if p.kind == "district":
            ans = Answer(query, "district")
            ans.matched = p.outward
            ans.forces = self._shares(self._count(list(district.values())))
        else:
            slots = district.get(p.digit)
            if slots is None:
                fallback = self.resolve(Parsed("district", p.outward), query)
                fallback.approximate = True
                err = NotFoundError(f"postcode sector {p.display} does not exist", code="sector_not_found")
                err.answer = fallback  # type: ignore[attr-defined]
                raise err
            ans = Answer(query, "sector")
            ans.matched = p.display
            ans.forces = self._shares(self._count([slots]))
        ans.nation = self._nation_of(ans.forces)
        return ans

    def _full(self, p: Parsed, query: str) -> Answer:
        combo = self.index.unit(p.outward, p.digit, p.unit)
        if combo is None:
            err = NotFoundError(
                f"postcode {p.display} does not exist (it is not in {postcode_list()})",
                code="postcode_not_found",
            )
            district = self.index.district(p.outward)
            if district is not None:
                sector = district.get(p.digit)
                fallback = Answer(query, "sector" if sector is not None else "district")
                fallback.matched = f"{p.outward} {p.digit}" if sector is not None else p.outward
                fallback.forces = self._shares(self._count([sector] if sector is not None else list(district.values())))
                fallback.approximate = True
                fallback.nation = self._nation_of(fallback.forces)
                fallback.notes.append(
                    f"{p.display} is not a current postcode; this is the answer for {fallback.matched}"
                )
                err.answer = fallback  # type: ignore[attr-defined]
                err.hint = "check the postcode; the answer for its area is shown as approximate"
            else:
                err.hint = f"no postcode district {p.outward} exists"
            raise err
        la, pcon, method = self.areas.combos[combo]
        ans = Answer(query, "postcode")
        ans.postcode = p.display
        ans.matched = p.display
        if la >= 0:
            code, name, force, _aliases = self.areas.las[la]
            ans.local_authority = {"code": code, "name": name}
            ans.forces = self._single(self.areas.force_id(force))
        else:
            district = self.index.district(p.outward) or {}
            counts = self._count([district[p.digit]]) or self._count(list(district.values()))
            if not counts:
                raise NotFoundError(
                    f"{p.display} has no location in Code-Point Open (it may be a PO box or large-user postcode)",
                    "use the postcode of the place where the incident happened",
                    code="postcode_not_located",
                )
            ans.approximate = True
            ans.forces = self._shares(counts)
            if len(ans.main_forces) == 1:
                ans.forces = self._single(ans.main_forces[0]["id"])
                ans.notes.append(
                    "this postcode has no council in the data; its force is that of its sector, which is all one force"
                )
            else:
                ans.notes.append(
                    "this postcode has no council in the data and its sector is split between forces: call 101"
                )
        if pcon >= 0:
            c = self.areas.constituencies[pcon]
            m = self.areas.methods[method]
            ans.constituency = {"code": c[0], "name": c[1], "method": m}
            if m in ESTIMATED_METHODS:
                ans.approximate = True
                ans.notes.append("the constituency is estimated from neighbouring postcodes")
        ans.nation = self._nation_of(ans.forces)
        return ans

    def _northern_ireland(self, p: Parsed, query: str) -> Answer:
        if p.outward not in self.areas.bt_districts:
            raise NotFoundError(
                f"postcode district {p.outward} does not exist in Northern Ireland",
                "Northern Ireland districts run BT1–BT49, BT51–BT57, BT60–BT71, BT74–BT82, BT92–BT94 and BT99",
                code="district_not_found",
            )
        kind = {"full": "postcode", "sector": "sector", "district": "district"}[p.kind]
        ans = Answer(query, kind)
        ans.matched = p.display
        ans.forces = self._single(NI_FORCE)
        ans.nation = "northern-ireland"
        if kind == "postcode":
            ans.postcode = p.display
        ans.notes.append(
            "Northern Ireland postcodes are not openly licensed, so the council and constituency "
            "cannot be given offline; every BT postcode is policed by the PSNI"
        )
        return ans
