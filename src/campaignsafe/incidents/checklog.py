"""What the audit log says happened, read once for ``campaignsafe check``: by incident, exhibit and row.

Each entry is noted as it is walked (see :func:`note`): the incidents it made or deleted, the
amendments and exhibits it added, the imports, and the hash of each whole row it logged
(``row_sha256``), so the tables can then be compared with it row by row.

What is noted per incident, exhibit and row goes to a private temporary SQLite database (its
pages cached up to a few MB, the rest on disk, removed when it is closed), never into a dict of
every row: a check's memory stays flat however long the record is.
"""

from __future__ import annotations

import marshal
import sqlite3
from collections.abc import Iterator
from typing import Any

from campaignsafe.incidents import audit

_TABLES = (
    "CREATE TABLE created (iid INTEGER, seq INTEGER, sha)",
    "CREATE TABLE deleted (iid INTEGER, seq INTEGER, detail BLOB)",
    "CREATE TABLE amended (iid INTEGER, number INTEGER, seq INTEGER, fields BLOB)",
    # a reference as UTF-8 bytes: ordered as Python orders the text, and any text at all fits
    "CREATE TABLE exhibits (ref BLOB, seq INTEGER, iid INTEGER, hashes BLOB)",
    "CREATE TABLE rows (tbl TEXT, key BLOB, seq INTEGER, digest BLOB)",
    # the exhibit references the store holds (noted as the evidence table is read)
    "CREATE TABLE held (ref BLOB)",
)
_INDEXES = (
    "CREATE INDEX created_iid ON created (iid)",
    "CREATE INDEX deleted_iid ON deleted (iid)",
    "CREATE INDEX amended_iid ON amended (iid)",
    "CREATE INDEX exhibits_ref ON exhibits (ref)",
    "CREATE INDEX rows_key ON rows (tbl, key)",
)
_INSERT = {
    "created": "INSERT INTO created VALUES (?, ?, ?)",
    "deleted": "INSERT INTO deleted VALUES (?, ?, ?)",
    "amended": "INSERT INTO amended VALUES (?, ?, ?, ?)",
    "exhibits": "INSERT INTO exhibits VALUES (?, ?, ?, ?)",
    "rows": "INSERT INTO rows VALUES (?, ?, ?, ?)",
    "held": "INSERT INTO held VALUES (?)",
}
_BATCH = 5000


def _key(key: Any) -> bytes:
    """A row's key as stored: ``1`` and ``True`` are one key, as they are in a dict."""
    if isinstance(key, tuple):
        key = tuple(int(k) if isinstance(k, bool) else k for k in key)
    elif isinstance(key, bool):
        key = int(key)
    return marshal.dumps(key)


class Log:
    """What the audit log says happened, by incident, by exhibit and by row (kept on disk, see above)."""

    def __init__(self) -> None:
        self.db = sqlite3.connect("", isolation_level=None)  # a private temporary database
        self.db.execute("PRAGMA journal_mode = OFF")
        self.db.execute("PRAGMA synchronous = OFF")
        self.db.execute("PRAGMA cache_size = -4000")  # at most ~4 MB of its pages in memory
        for sql in _TABLES:
            self.db.execute(sql)
        self._pending: dict[str, list[tuple[Any, ...]]] = {name: [] for name in _INSERT}
        self._counts = dict.fromkeys(_INSERT, 0)
        self._indexed = False
        #: incident id → the ``imported`` entry that brought it in
        self.imported: dict[int, int] = {}
        #: ``imported`` entry seq → its detail
        self.imports: dict[int, dict[str, Any]] = {}
        #: the first entry that carries a row hash (only a store with ``schema.ROW_HASHES_SINCE`` has one)
        self.row_hashed: int | None = None

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> Log:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    # -- noting, as the audit log is walked ---------------------------------------------------

    def _add(self, table: str, values: tuple[Any, ...]) -> None:
        pending = self._pending[table]
        pending.append(values)
        self._counts[table] += 1
        if len(pending) >= _BATCH:
            self._flush(table)

    def _flush(self, table: str) -> None:
        pending = self._pending[table]
        if pending:
            self.db.executemany(_INSERT[table], pending)
            pending.clear()

    def _ready(self) -> None:
        """Everything noted written and indexed: called before the first read."""
        if self._indexed:
            return
        self.db.execute("BEGIN")
        for table in _INSERT:
            self._flush(table)
        for sql in _INDEXES:
            self.db.execute(sql)
        self.db.execute("COMMIT")
        self._indexed = True

    def add_created(self, iid: int, seq: int, record_sha256: Any) -> None:
        self._add("created", (iid, seq, marshal.dumps(record_sha256)))

    def add_deleted(self, iid: int, seq: int, detail: dict[str, Any]) -> None:
        self._add("deleted", (iid, seq, marshal.dumps(detail)))

    def set_amended(self, iid: int, number: int, seq: int, fields: list[Any]) -> None:
        self._add("amended", (iid, int(number), seq, marshal.dumps(fields)))

    def add_exhibit(self, ref: str, seq: int, iid: int | None, hashes: list[Any]) -> None:
        self._add("exhibits", (_utf8(ref), seq, iid, marshal.dumps(hashes)))

    def row(self, key: tuple[str, Any], seq: int, digest: Any) -> None:
        if isinstance(digest, str):
            self._add("rows", (key[0], _key(key[1]), seq, marshal.dumps(digest)))
            if self.row_hashed is None or seq < self.row_hashed:
                self.row_hashed = seq

    def hold(self, ref: Any) -> None:
        """Note that the store holds exhibit ``ref`` (see :meth:`all_exhibits`); a reference that is not text
        names no exhibit the log added."""
        if isinstance(ref, str):
            self._add("held", (_utf8(ref),))

    # -- reading, as the tables are compared with it --------------------------------------------

    def created(self, iid: int) -> list[tuple[int, Any]]:
        """The entries that made incident ``iid``: ``(seq, record_sha256)``, oldest first."""
        self._ready()
        q = "SELECT seq, sha FROM created WHERE iid = ? ORDER BY rowid"
        return [(seq, marshal.loads(sha)) for seq, sha in self.db.execute(q, (iid,))]

    def deleted(self, iid: int) -> list[tuple[int, dict[str, Any]]]:
        """The tombstones of incident ``iid``: ``(seq, detail)``, oldest first."""
        if not self._counts["deleted"]:
            return []
        self._ready()
        q = "SELECT seq, detail FROM deleted WHERE iid = ? ORDER BY rowid"
        return [(seq, marshal.loads(d)) for seq, d in self.db.execute(q, (iid,))]

    def amended(self, iid: int) -> dict[int, tuple[int, list[str]]]:
        """Amendment number → ``(seq, fields changed)`` as the log last says, for incident ``iid``."""
        if not self._counts["amended"]:
            return {}
        self._ready()
        q = "SELECT number, seq, fields FROM amended WHERE iid = ? ORDER BY rowid"
        return {number: (seq, marshal.loads(f)) for number, seq, f in self.db.execute(q, (iid,))}

    def exhibits(self, ref: str) -> list[tuple[int, int | None, list[str]]]:
        """The entries that added exhibit ``ref``: ``(seq, incident id, sorted hashes)``, oldest first."""
        if not isinstance(ref, str):  # a damaged row's reference: no entry names it
            return []
        self._ready()
        q = "SELECT seq, iid, hashes FROM exhibits WHERE ref = ? ORDER BY rowid"
        return [(seq, iid, marshal.loads(h)) for seq, iid, h in self.db.execute(q, (_utf8(ref),))]

    def kept_row(self, key: tuple[str, Any]) -> tuple[int, str] | None:
        """``(seq, hash)`` of the last entry that logged this whole row (None: none did)."""
        if not self._counts["rows"]:
            return None
        self._ready()
        q = "SELECT seq, digest FROM rows WHERE tbl = ? AND key = ? ORDER BY rowid DESC LIMIT 1"
        got = self.db.execute(q, (key[0], _key(key[1]))).fetchone()
        return (got[0], marshal.loads(got[1])) if got else None

    def created_ids(self) -> Iterator[int]:
        """Every incident id the log says was made, in order."""
        self._ready()
        for (iid,) in self.db.execute("SELECT DISTINCT iid FROM created ORDER BY iid"):
            yield iid

    def top_created(self) -> int:
        """The highest incident id the log says was made (0: none)."""
        self._ready()
        got = self.db.execute("SELECT max(iid) FROM created").fetchone()[0]
        return int(got) if got is not None else 0

    def reused_ids(self) -> Iterator[tuple[int, list[int]]]:
        """Each incident id made more than once, in order, with the entries that made it."""
        self._ready()
        q = (
            "SELECT iid, seq FROM created WHERE iid IN (SELECT iid FROM created GROUP BY iid HAVING count(*) > 1)"
            " ORDER BY iid, rowid"
        )
        yield from _grouped(self.db.execute(q))

    def all_exhibits(self) -> Iterator[tuple[str, bool, list[tuple[int, int | None, list[str]]]]]:
        """Every exhibit the log says was added, in reference order: whether the store holds it (:meth:`hold`,
        every reference noted before the first one is read), and its entries (as ``exhibits``)."""
        self._ready()
        self._flush("held")
        self.db.execute("CREATE INDEX IF NOT EXISTS held_ref ON held (ref)")
        q = (
            "SELECT ref, EXISTS (SELECT 1 FROM held WHERE held.ref = exhibits.ref), seq, iid, hashes"
            " FROM exhibits ORDER BY ref, rowid"
        )
        ref: bytes | None = None
        held = False
        entries: list[tuple[int, int | None, list[str]]] = []
        for r, in_store, seq, iid, h in self.db.execute(q):
            if r != ref:
                if ref is not None:
                    yield ref.decode("utf-8", "surrogatepass"), held, entries
                ref, held, entries = r, bool(in_store), []
            entries.append((seq, iid, marshal.loads(h)))
        if ref is not None:
            yield ref.decode("utf-8", "surrogatepass"), held, entries


def _utf8(text: str) -> bytes:
    return text.encode("utf-8", "surrogatepass")


def _grouped(rows: Any) -> Iterator[tuple[int, list[int]]]:
    key: int | None = None
    seqs: list[int] = []
    for k, seq in rows:
        if k != key:
            if key is not None:
                yield key, seqs
            key, seqs = k, []
        seqs.append(seq)
    if key is not None:
        yield key, seqs


def note(log: Log, seq: int, action: str, iid: int | None, detail: dict[str, Any]) -> None:
    if action == "imported":  # one entry for a whole import: each incident as made, amended and exhibited
        _note_import(log, seq, detail)
        return
    if iid is None:
        return
    if action == "created":
        log.add_created(iid, seq, detail.get("record_sha256"))
        log.row(("incidents", iid), seq, detail.get("row_sha256"))
    elif action == "deleted":
        log.add_deleted(iid, seq, detail)
    elif action == "amended" and isinstance(detail.get("number"), int):
        log.set_amended(iid, detail["number"], seq, list(detail.get("fields") or []))
        log.row(("amendments", (iid, detail["number"])), seq, detail.get("row_sha256"))
    elif action == "evidence-added" and isinstance(detail.get("exhibit_ref"), str):
        log.add_exhibit(detail["exhibit_ref"], seq, iid, sorted(detail.get("sha256") or []))
        log.row(("evidence", detail["exhibit_ref"]), seq, detail.get("row_sha256"))


def _note_import(log: Log, seq: int, detail: dict[str, Any]) -> None:
    """What an ``imported`` entry says (see :mod:`campaignsafe.backup.importing`)."""
    # what the ``imports`` row is checked against; the lists of incidents are noted below, not kept whole
    log.imports[seq] = {k: detail.get(k) for k in ("import_sha256", "kind", "manifest_sha256", "signer", "producer")}
    for item in detail.get("amended") or [] if isinstance(detail.get("amended"), list) else []:
        iid = item.get("id") if isinstance(item, dict) else None
        if not isinstance(iid, int):
            continue
        numbers, fields, rows = item.get("numbers"), item.get("fields"), item.get("amendment_rows")
        for k, number in enumerate(numbers if isinstance(numbers, list) else []):
            if not isinstance(number, int):
                continue
            changed = fields[k] if isinstance(fields, list) and k < len(fields) and isinstance(fields[k], list) else []
            log.set_amended(iid, number, seq, list(changed))
            if isinstance(rows, list) and k < len(rows):
                log.row(("amendments", (iid, number)), seq, rows[k])
    items = detail.get("incidents")
    for item in items if isinstance(items, list) else []:
        iid = item.get("id") if isinstance(item, dict) else None
        if not isinstance(iid, int):
            continue
        log.add_created(iid, seq, item.get("record_sha256"))
        log.imported[iid] = seq
        log.row(("incidents", iid), seq, item.get("row_sha256"))
        log.row(("provenance", iid), seq, item.get("provenance_sha256"))
        changes = item.get("amendments")
        rows = item.get("amendment_rows")
        for number, fields in enumerate(changes if isinstance(changes, list) else [], 1):
            log.set_amended(iid, number, seq, list(fields) if isinstance(fields, list) else [])
            if isinstance(rows, list) and len(rows) >= number:
                log.row(("amendments", (iid, number)), seq, rows[number - 1])
        exhibits = item.get("exhibits")
        for ex in exhibits if isinstance(exhibits, list) else []:
            if isinstance(ex, dict) and isinstance(ex.get("exhibit_ref"), str):
                log.add_exhibit(ex["exhibit_ref"], seq, iid, sorted(ex.get("sha256") or []))
                log.row(("evidence", ex["exhibit_ref"]), seq, ex.get("row_sha256"))


def row_differs(log: Log, key: tuple[str, Any], values: tuple[Any, ...]) -> int | None:
    """The audit entry whose recorded hash of this row no longer matches it (None: it matches, or none was kept)."""
    kept = log.kept_row(key)
    if kept is None:
        return None
    try:
        digest = audit.row_digest(key[0], values)
    except (TypeError, ValueError):  # a value changed in the store to one JSON cannot hold (bytes): not what was kept
        return kept[0]
    return kept[0] if digest != kept[1] else None


def live(log: Log, iid: int) -> bool:
    """Whether the log says incident ``iid`` should still exist (created, and not deleted since)."""
    made = [s for s, _h in log.created(iid)]
    gone = [s for s, _d in log.deleted(iid)]
    return bool(made) and (not gone or max(made) > max(gone))
