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


def of(conn: Conn, incident_ids: list[int]) -> dict[int, Provenance]:
    """The provenance of those of ``incident_ids`` that were imported."""
    from campaignsafe.incidents import backend

    if not incident_ids or not backend.has_table(conn, "provenance"):
        return {}
    if not conn.execute("SELECT 1 FROM provenance LIMIT 1").fetchone():  # nothing imported: no lookups
        return {}
    out: dict[int, Provenance] = {}
    for start in range(0, len(incident_ids), 500):
        chunk = incident_ids[start : start + 500]
        q = (
            "SELECT incident_id, recorded_by, source_id, amendments_by, source_audit, import_seq FROM provenance"
            f" WHERE incident_id IN ({','.join('?' * len(chunk))})"
        )
        for iid, by, sid, amended, trail, seq in conn.execute(q, chunk):
            out[iid] = Provenance(json.loads(by), sid, json.loads(amended), json.loads(trail), seq)
    if out:
        _later_amendments(conn, out)
    return out


def _later_amendments(conn: Conn, out: dict[int, Provenance]) -> None:
    """Who made the amendments a later import added to an incident already held (its ``amended`` list)."""
    producers = {int(s): json.loads(p) for s, p in conn.execute("SELECT seq, producer FROM imports")}
    for seq, text in conn.execute("SELECT seq, detail FROM audit WHERE action = 'imported' ORDER BY seq"):
        detail = json.loads(text)
        for item in detail.get("amended") or []:
            prov = out.get(item.get("id"))
            if prov is None:
                continue
            by = producers.get(int(seq), {})
            known = [prov.recorded_by, *prov.amendments_by, by]
            for number, initials in zip(item.get("numbers") or [], item.get("amendments_by") or [], strict=False):
                person = next(
                    (p for p in known if p.get("initials") == initials), {"initials": initials} if initials else by
                )
                prov.amendments_by[number - 1 : number] = [person]  # its place, whatever came before it


def label(person: dict[str, Any]) -> str:
    """``JS (Jo Smith)``, ``Jo Smith`` or ``JS``: a recorder as shown in lists and reports."""
    name, initials = person.get("name"), person.get("initials")
    if name and initials:
        return f"{initials} ({name})"
    return str(name or initials or "someone else (not named)")
