"""Who recorded an incident that came from someone else's record, and the imports made.

An incident recorded here has no provenance row: its recorder is the store's owner (the
profile). One brought in by ``campaignsafe import`` keeps, beside its unchanged original,
who recorded it, its id and audit trail in their store, who made each of its amendments, and
the bundle or backup it came from (``imports``: the manifest's SHA-256 and the signer).
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from campaignsafe.incidents.backend import Conn


def migrate(conn: sqlite3.Connection) -> None:
    """Migration ``0004_provenance``: the provenance and imports tables (append-only)."""
    for sql in (
        """CREATE TABLE provenance (
            incident_id INTEGER PRIMARY KEY REFERENCES incidents (id),
            recorded_by TEXT NOT NULL,
            source_id INTEGER,
            amendments_by TEXT NOT NULL DEFAULT '[]',
            source_audit TEXT NOT NULL DEFAULT '[]',
            import_seq INTEGER NOT NULL
        )""",
        """CREATE TABLE imports (
            seq INTEGER PRIMARY KEY REFERENCES audit (seq),
            at TEXT NOT NULL,
            kind TEXT NOT NULL,
            manifest_sha256 TEXT NOT NULL,
            signer TEXT,
            producer TEXT NOT NULL
        )""",
        "CREATE TRIGGER provenance_no_update BEFORE UPDATE ON provenance BEGIN SELECT RAISE(ABORT, 'append-only'); END",
        "CREATE TRIGGER imports_no_update BEFORE UPDATE ON imports BEGIN SELECT RAISE(ABORT, 'append-only'); END",
        "CREATE TRIGGER imports_no_delete BEFORE DELETE ON imports BEGIN SELECT RAISE(ABORT, 'append-only'); END",
    ):
        conn.execute(sql)


@dataclass
class Provenance:
    """Where an imported incident came from. ``recorded_by`` and each of ``amendments_by`` are
    producer objects (name, role, initials, …); amendments after those are by this store's owner."""

    recorded_by: dict[str, Any]
    source_id: int | None
    amendments_by: list[dict[str, Any]] = field(default_factory=list)
    source_audit: list[dict[str, Any]] = field(default_factory=list)
    import_seq: int | None = None


#: imported incidents' provenance read at once (an export asks for its incidents' in order)
_AT_ONCE = 500


def of(conn: Conn, incident_ids: list[int]) -> dict[int, Provenance]:
    """The provenance of those of ``incident_ids`` that were imported (all at once: for a few ids)."""
    origins = Origins(conn, incident_ids)
    return {iid: p for iid in incident_ids if (p := origins.get(iid)) is not None}


class Origins:
    """The provenance of the imported incidents among ``incident_ids``, read a few hundred at a time as they are
    asked for, so an export of many imported incidents (which asks in ``incident_ids`` order) never holds
    every incident's trail at once."""

    def __init__(self, conn: Conn, incident_ids: list[int]) -> None:
        from campaignsafe.incidents import backend

        self.conn, self.ids = conn, incident_ids
        self._place: dict[int, int] = {}
        self._later: dict[int, list[tuple[dict[str, Any], list[Any], list[Any]]]] = {}
        self._forces: dict[int, str] = {}
        imported = incident_ids and backend.has_table(conn, "provenance")
        if imported and conn.execute("SELECT 1 FROM provenance LIMIT 1").fetchone():  # nothing imported: no lookups
            self._place = {iid: n for n, iid in enumerate(incident_ids)}
            self._later, self._forces = _later_amendments(conn), later_forces(conn)
        self._read: range = range(0)
        self._held: dict[int, Provenance] = {}

    def get(self, incident_id: int) -> Provenance | None:
        n = self._place.get(incident_id)
        if n is None:
            return None
        if n not in self._read:
            self._read = range(n, min(n + _AT_ONCE, len(self.ids)))
            self._held = self._rows(self.ids[n : n + _AT_ONCE])
        return self._held.get(incident_id)

    def _rows(self, chunk: list[int]) -> dict[int, Provenance]:
        q = (
            "SELECT incident_id, recorded_by, source_id, amendments_by, source_audit, import_seq FROM provenance"
            f" WHERE incident_id IN ({','.join('?' * len(chunk))})"
        )
        out = {}
        for iid, by, sid, amended, trail, seq in self.conn.execute(q, chunk):
            prov = out[iid] = Provenance(json.loads(by), sid, json.loads(amended), json.loads(trail), seq)
            if iid in self._forces and isinstance(prov.recorded_by, dict):  # a later import said it anew
                prov.recorded_by = {**prov.recorded_by, "force_id": self._forces[iid]}
            for by_import, numbers, initials in self._later.get(iid, []):
                known = [prov.recorded_by, *prov.amendments_by, by_import]
                for number, who in zip(numbers, initials, strict=False):
                    person = next(
                        (p for p in known if p.get("initials") == who), {"initials": who} if who else by_import
                    )
                    prov.amendments_by[number - 1 : number] = [person]  # its place, whatever came before it
        return out


def _later_amendments(conn: Conn) -> dict[int, list[tuple[dict[str, Any], list[Any], list[Any]]]]:
    """Who made the amendments a later import added to an incident already held (each import entry's ``amended``
    list): incident id → (that import's producer, the amendments' numbers, their makers' initials), oldest first.
    Only the entries that name such amendments are read."""
    producers = {int(s): json.loads(p) for s, p in conn.execute("SELECT seq, producer FROM imports")}
    out: dict[int, list[tuple[dict[str, Any], list[Any], list[Any]]]] = {}
    for seq, text in conn.execute(
        "SELECT seq, detail FROM audit WHERE action = 'imported' AND detail LIKE ? ORDER BY seq", ('%"amended"%',)
    ):
        for item in json.loads(text).get("amended") or []:
            if isinstance(item, dict) and isinstance(item.get("id"), int):
                by = producers.get(int(seq), {})
                out.setdefault(item["id"], []).append((by, item.get("numbers") or [], item.get("amendments_by") or []))
    return out


def later_forces(conn: Conn) -> dict[int, str]:
    """The force in its recorder's profile that a later import brought for an incident already held (that entry's
    ``amended`` item; the latest for each): an amendment may take away the place its force came from, and the
    ``provenance`` row written at the first import is never changed."""
    out: dict[int, str] = {}
    for (text,) in conn.execute(
        "SELECT detail FROM audit WHERE action = 'imported' AND detail LIKE ? ORDER BY seq", ('%"recorder_force"%',)
    ):
        try:
            items = json.loads(text).get("amended") or []
        except (ValueError, AttributeError, RecursionError):  # a damaged entry: check says so
            continue
        for item in items if isinstance(items, list) else []:
            if isinstance(item, dict) and isinstance(item.get("id"), int) and "recorder_force" in item:
                out[item["id"]] = recorder_force({"force_id": item["recorder_force"]})
    return out


def recorder_force(person: Any) -> str:
    """The force in the profile of the person who recorded an imported incident (``force_id`` beside their name,
    kept at import), or ``""`` when it is not known: what an incident of theirs with no place-based force falls
    to, as one recorded here falls to this profile's."""
    from campaignsafe.incidents.listing import known_force

    force = person.get("force_id") if isinstance(person, dict) else None
    return force if isinstance(force, str) and known_force(force) else ""


def theirs(origin: Provenance | None) -> str | None:
    """None for an incident recorded here; for an imported one, its recorder's force (``""``: not known)."""
    return None if origin is None else recorder_force(origin.recorded_by)


def label(person: dict[str, Any]) -> str:
    """``JS (Jo Smith)``, ``Jo Smith`` or ``JS``: a recorder as shown in lists and reports."""
    name, initials = person.get("name"), person.get("initials")
    if name and initials:
        return f"{initials} ({name})"
    return str(name or initials or "someone else (not named)")
