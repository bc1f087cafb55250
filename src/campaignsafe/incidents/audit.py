"""The audit log: one append-only row per change, chained by SHA-256, holding no incident text.

Each entry's ``sha256`` covers the previous entry's hash and the entry itself (sequence
number, time, action, incident id and detail, as canonical JSON), so removing, reordering or
editing any entry breaks the chain from that point on. The database's triggers refuse updates
and deletes; the chain shows tampering done around them.

Each entry's detail also carries ``row_sha256``, the hash of the whole row it logs (an
amendment's values, an exhibit's platform, note, address or times, a provenance row), taken
over the row's columns by :func:`row_digest`, so ``campaignsafe check`` notices a row edited
behind campaignsafe's back even where the detail names no value. Entries written before this
was added carry no ``row_sha256`` and are checked against what they did record.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from campaignsafe.errors import StoreError
from campaignsafe.incidents.models import AuditEntry
from campaignsafe.incidents.when import iso, now

if TYPE_CHECKING:
    from campaignsafe.incidents.backend import Conn

GENESIS = "0" * 64
COLUMNS = "seq, at, action, incident_id, detail, prev_sha256, sha256"
NAMES = COLUMNS.split(", ")


def canonical_json(obj: Any) -> str:
    """The JSON that hashes are taken over: sorted keys, no spaces, UTF-8."""
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def sha256_text(text: str) -> str:
    """SHA-256 of UTF-8 text, hex."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def digest(prev: str, seq: int, at: str, action: str, incident_id: int | None, detail: Any) -> str:
    """An entry's hash: SHA-256 of the previous hash followed by the entry as canonical JSON."""
    body = {"seq": seq, "at": at, "action": action, "incident_id": incident_id, "detail": detail}
    return sha256_text(prev + canonical_json(body))


#: the columns of each logged table that ``row_sha256`` covers, in order (never the local row id
#: of an exhibit, which only orders them).
ROW_COLUMNS: dict[str, tuple[str, ...]] = {
    "incidents": ("created_at", "record", "record_sha256"),
    "amendments": ("incident_id", "number", "at", "amendment"),
    "evidence": ("incident_id", "exhibit_ref", "added_at", "file_sha256", "screenshot_sha256", "item"),
    "provenance": ("incident_id", "recorded_by", "source_id", "amendments_by", "source_audit", "import_seq"),
    "imports": ("seq", "at", "kind", "manifest_sha256", "signer", "producer"),
}


def row_digest(table: str, values: Sequence[Any]) -> str:
    """The SHA-256 of one row of ``table``: its ``ROW_COLUMNS`` values, in order, as canonical JSON."""
    names = ROW_COLUMNS[table]
    if len(values) != len(names):
        raise ValueError(f"a {table} row has {len(names)} columns")
    return sha256_text(canonical_json(dict(zip(names, values, strict=True))))


def next_seq(conn: Conn) -> int:
    """The sequence number the next entry will get (inside the write transaction)."""
    row = conn.execute("SELECT seq FROM audit ORDER BY seq DESC LIMIT 1").fetchone()
    return int(row[0]) + 1 if row else 1


def append(conn: Conn, action: str, incident_id: int | None, detail: dict[str, Any]) -> int:
    """Add an entry (call inside the write transaction that makes the change); its sequence number."""
    row = conn.execute("SELECT seq, sha256 FROM audit ORDER BY seq DESC LIMIT 1").fetchone()
    seq, prev = (row[0] + 1, row[1]) if row else (1, GENESIS)
    at = iso(now())
    conn.execute(
        f"INSERT INTO audit ({COLUMNS}) VALUES (?,?,?,?,?,?,?)",
        (
            seq,
            at,
            action,
            incident_id,
            canonical_json(detail),
            prev,
            digest(prev, seq, at, action, incident_id, detail),
        ),
    )
    return int(seq)


def entries(conn: Conn, incident_id: int | None = None) -> list[AuditEntry]:
    """The log (for one incident, or all), oldest first."""
    sql, args = f"SELECT {COLUMNS} FROM audit", []
    if incident_id is not None:
        sql, args = sql + " WHERE incident_id = ?", [incident_id]
    return [entry(r) for r in conn.execute(sql + " ORDER BY seq", args)]


def entry(row: Sequence[Any]) -> AuditEntry:
    """One entry from a row of ``COLUMNS``."""
    data = dict(zip(NAMES, row, strict=True))
    try:
        data["detail"] = json.loads(data["detail"])
        return AuditEntry.model_validate(data)
    except (ValueError, TypeError, RecursionError):  # edited behind campaignsafe's back: exit 5, quoting none of it
        raise damaged(data.get("seq")) from None


def damaged(seq: Any) -> StoreError:
    """An audit entry that cannot be read back (``campaignsafe check`` names what is wrong with it)."""
    which = f"audit entry {seq}" if isinstance(seq, int) else "an audit entry"
    return StoreError(
        f"{which} in the incident store is damaged and cannot be read",
        "run campaignsafe check to see what does not hold; keep a copy of incidents.db and its folder",
        code="record_corrupt",
    )


def verify(conn: Conn) -> list[int]:
    """Sequence numbers of entries whose chain does not check out (empty when intact)."""
    bad, prev = [], GENESIS
    for seq, at, action, iid, detail, prev_sha, sha in conn.execute(f"SELECT {COLUMNS} FROM audit ORDER BY seq"):
        if prev_sha != prev or digest(prev, seq, at, action, iid, json.loads(detail)) != sha:
            bad.append(seq)
        prev = sha
    return bad
