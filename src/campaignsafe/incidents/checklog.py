"""What the audit log says happened, read once for ``campaignsafe check``: by incident, exhibit and row.

Each entry is noted as it is walked (see :func:`note`): the incidents it made or deleted, the
amendments and exhibits it added, the imports, and the hash of each whole row it logged
(``row_sha256``), so the tables can then be compared with it row by row.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from campaignsafe.incidents import audit


@dataclass
class Log:
    """What the audit log says happened, by incident and by exhibit."""

    created: dict[int, list[tuple[int, str | None]]] = field(default_factory=lambda: defaultdict(list))
    deleted: dict[int, list[tuple[int, dict[str, Any]]]] = field(default_factory=lambda: defaultdict(list))
    amended: dict[int, dict[int, tuple[int, list[str]]]] = field(default_factory=lambda: defaultdict(dict))
    exhibits: dict[str, list[tuple[int, int | None, list[str]]]] = field(default_factory=lambda: defaultdict(list))
    #: the hash of the whole row each entry logged (entries from before row hashes carry none)
    rows: dict[tuple[str, Any], tuple[int, str]] = field(default_factory=dict)
    #: incident id → the ``imported`` entry that brought it in
    imported: dict[int, int] = field(default_factory=dict)
    #: ``imported`` entry seq → its detail
    imports: dict[int, dict[str, Any]] = field(default_factory=dict)
    #: the first entry that carries a row hash (only a store with ``schema.ROW_HASHES_SINCE`` has one)
    row_hashed: int | None = None

    def row(self, key: tuple[str, Any], seq: int, digest: Any) -> None:
        if isinstance(digest, str):
            self.rows[key] = (seq, digest)
            if self.row_hashed is None or seq < self.row_hashed:
                self.row_hashed = seq


def note(log: Log, seq: int, action: str, iid: int | None, detail: dict[str, Any]) -> None:
    if action == "imported":  # one entry for a whole import: each incident as made, amended and exhibited
        _note_import(log, seq, detail)
        return
    if iid is None:
        return
    if action == "created":
        log.created[iid].append((seq, detail.get("record_sha256")))
        log.row(("incidents", iid), seq, detail.get("row_sha256"))
    elif action == "deleted":
        log.deleted[iid].append((seq, detail))
    elif action == "amended" and isinstance(detail.get("number"), int):
        log.amended[iid][detail["number"]] = (seq, list(detail.get("fields") or []))
        log.row(("amendments", (iid, detail["number"])), seq, detail.get("row_sha256"))
    elif action == "evidence-added" and isinstance(detail.get("exhibit_ref"), str):
        log.exhibits[detail["exhibit_ref"]].append((seq, iid, sorted(detail.get("sha256") or [])))
        log.row(("evidence", detail["exhibit_ref"]), seq, detail.get("row_sha256"))


def _note_import(log: Log, seq: int, detail: dict[str, Any]) -> None:
    """What an ``imported`` entry says (see :mod:`campaignsafe.backup.importing`)."""
    log.imports[seq] = detail
    for item in detail.get("amended") or [] if isinstance(detail.get("amended"), list) else []:
        iid = item.get("id") if isinstance(item, dict) else None
        if not isinstance(iid, int):
            continue
        numbers, fields, rows = item.get("numbers"), item.get("fields"), item.get("amendment_rows")
        for k, number in enumerate(numbers if isinstance(numbers, list) else []):
            if not isinstance(number, int):
                continue
            changed = fields[k] if isinstance(fields, list) and k < len(fields) and isinstance(fields[k], list) else []
            log.amended[iid][number] = (seq, list(changed))
            if isinstance(rows, list) and k < len(rows):
                log.row(("amendments", (iid, number)), seq, rows[k])
    items = detail.get("incidents")
    for item in items if isinstance(items, list) else []:
        iid = item.get("id") if isinstance(item, dict) else None
        if not isinstance(iid, int):
            continue
        log.created[iid].append((seq, item.get("record_sha256")))
        log.imported[iid] = seq
        log.row(("incidents", iid), seq, item.get("row_sha256"))
        log.row(("provenance", iid), seq, item.get("provenance_sha256"))
        changes = item.get("amendments")
        rows = item.get("amendment_rows")
        for number, fields in enumerate(changes if isinstance(changes, list) else [], 1):
            log.amended[iid][number] = (seq, list(fields) if isinstance(fields, list) else [])
            if isinstance(rows, list) and len(rows) >= number:
                log.row(("amendments", (iid, number)), seq, rows[number - 1])
        exhibits = item.get("exhibits")
        for ex in exhibits if isinstance(exhibits, list) else []:
            if isinstance(ex, dict) and isinstance(ex.get("exhibit_ref"), str):
                log.exhibits[ex["exhibit_ref"]].append((seq, iid, sorted(ex.get("sha256") or [])))
                log.row(("evidence", ex["exhibit_ref"]), seq, ex.get("row_sha256"))


def row_differs(log: Log, key: tuple[str, Any], values: tuple[Any, ...]) -> int | None:
    """The audit entry whose recorded hash of this row no longer matches it (None: it matches, or none was kept)."""
    kept = log.rows.get(key)
    if kept is None:
        return None
    return kept[0] if audit.row_digest(key[0], values) != kept[1] else None


def live(log: Log, iid: int) -> bool:
    """Whether the log says incident ``iid`` should still exist (created, and not deleted since)."""
    made = [s for s, _h in log.created.get(iid, [])]
    gone = [s for s, _d in log.deleted.get(iid, [])]
    return bool(made) and (not gone or max(made) > max(gone))
