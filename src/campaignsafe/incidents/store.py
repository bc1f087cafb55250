"""The incident store: SQLite in the data folder or a PostgreSQL server, append-only history, a chained audit log.

``Store`` is the API the CLI and the export use::

    with Store.open() as store:
        incident = store.get(3)            # Incident, with evidence and amendments
        rows = store.summaries(Filter())   # list[Summary], for lists and the course of conduct
        store.audit()                      # list[AuditEntry]

Writes happen in ``BEGIN IMMEDIATE`` transactions, so two processes can add at once (on a server
store, a transaction holding the campaign's advisory lock: see :mod:`.backend`).
"""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
from collections.abc import Iterator, Sequence
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from campaignsafe import paths
from campaignsafe.errors import CampaignsafeError, NotFoundError, StoreError
from campaignsafe.incidents import audit, backend, listing, schema
from campaignsafe.incidents.listing import Filter, Summary
from campaignsafe.incidents.models import STORED, AuditEntry, Incident
from campaignsafe.incidents.recording import Deleted, NewEvidence, Recording, listing_values, record_data

__all__ = ["Deleted", "NewEvidence", "Store", "db_path", "listing_values"]

if TYPE_CHECKING:
    from campaignsafe.incidents import blobs
    from campaignsafe.incidents import check as checking


def db_path() -> Path:
    """Where the incident database lives."""
    return paths.home() / "incidents.db"


#: how many incidents :meth:`Store.readable` reads at a time, and the query that reads them from a server.
_BATCH = 500
_EACH_PG = (
    "SELECT i.id, i.created_at, i.record_sha256, i.record,"
    " coalesce((SELECT json_agg(e.item::json ORDER BY e.id) FROM evidence e WHERE e.incident_id = i.id)::text, '[]'),"
    " coalesce((SELECT json_agg(a.amendment::json ORDER BY a.number) FROM amendments a"
    " WHERE a.incident_id = i.id)::text, '[]')"
    " FROM incidents i WHERE i.id = ANY(?)"
)


class Store(Recording):
    """An open incident database (its writes: :class:`.recording.Recording`)."""

    def __init__(
        self,
        conn: backend.Conn,
        path: backend.Where,
        pending: Sequence[str] = (),
        found: tuple[int, int] | None = None,
    ) -> None:
        self.conn = conn
        self.path = path
        #: the SQLite file and its (device, inode) as found when opened (``found``, else now): a write into a
        #: file since replaced is refused
        self._db = path if isinstance(path, Path) else None
        self._file = found or (_identity(self._db) if self._db is not None else None)
        # PRAGMA quick_check passed: checked once, before the first write (a server checks itself)
        self._sound = backend.is_pg(conn)
        #: migrations a store opened read-only lacks (it is read as it is, never upgraded here)
        self.pending = list(pending)

    @classmethod
    def open(cls, path: Path | None = None) -> Store:
        """Open (creating and migrating) the user's incident store: the SQLite file at ``path`` (by default
        the data folder's), or the PostgreSQL store ``CAMPAIGNSAFE_DATABASE_URL`` names (when no path is given)."""
        # the file as found before connecting: a migration may wait on a restore's lock, and by the time it is
        # done the data folder's file is the restored one, while this connection still has the old
        found = _identity(path or db_path()) if path is not None or not backend.url() else None
        conn, where = backend.connect(path)
        return cls(conn, where, found=found if isinstance(where, Path) else None)

    @staticmethod
    def exists() -> bool:
        """Whether there is a store to read (the data folder's file, or the server store, which always is)."""
        return backend.exists()

    @property
    def is_server(self) -> bool:
        """Whether this is the PostgreSQL store."""
        return backend.is_pg(self.conn)

    def sqlite(self) -> sqlite3.Connection:
        """The SQLite connection, for what reads the file's own tables (backups); StoreError on a server store."""
        if not isinstance(self.conn, sqlite3.Connection):
            raise backend.server_refusal("this")
        return self.conn

    def copies(self) -> blobs.Blobs:
        """The stored evidence copies this store's exhibits point at (files, or chunks in the server)."""
        from campaignsafe.incidents import blobs as stored

        return stored.of(self.conn)

    @classmethod
    def open_readonly(cls, path: Path | None = None) -> Store:
        """Open the user's incident database for reading only: never created, migrated or changed."""
        conn, where, pending = backend.connect_readonly(path)
        return cls(conn, where, pending)

    def close(self) -> None:
        """Close the connection."""
        self.conn.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- transactions --------------------------------------------------------------------------

    @contextlib.contextmanager
    def _tx(self) -> Iterator[None]:
        """``BEGIN IMMEDIATE`` … ``COMMIT``, or ``ROLLBACK`` on any error; sqlite errors made readable."""
        if not self._sound:
            schema.quick_check(self.conn, self.path)  # type: ignore[arg-type]  # SQLite only
            self._sound = True
        with schema.errors(self.path):
            self.conn.execute("BEGIN IMMEDIATE")
            try:
                self._still_in_place()
                yield
            except BaseException:
                # sqlite may already have rolled back (a full disk): the first error is the one to report
                if self.conn.in_transaction:
                    with contextlib.suppress(sqlite3.Error):
                        self.conn.execute("ROLLBACK")
                raise
            self.conn.execute("COMMIT")

    def _still_in_place(self) -> None:
        """Refuse to write (StoreError) when the data folder's store is no longer the file this connection has.

        A ``restore`` into this (empty) data folder renames it aside while holding the store's write lock; a
        write that waited for that lock would otherwise go into the old file, which restore then deletes."""
        if self._db is None or self._file is None or _identity(self._db) == self._file:
            return
        raise StoreError(
            f"the incident store {self.path} was replaced (a restore put a record in place) while this command"
            " ran: nothing was saved",
            "run the command again: it writes into the restored record",
            code="store_replaced",
        )

    # -- reading -------------------------------------------------------------------------------

    def _require(self, incident_id: int) -> None:
        if not self.conn.execute("SELECT 1 FROM incidents WHERE id = ?", (incident_id,)).fetchone():
            raise self.not_found([incident_id])

    def not_found(self, incident_ids: Sequence[int]) -> NotFoundError:
        """The error for ids no incident has: those deleted are said to be, with when (their tombstone's time)."""
        from campaignsafe.incidents.when import When, describe

        deleted: dict[int, str] = {}
        # the audit log unreadable (damaged, a time out of range, a server error): say only there is no such incident
        with contextlib.suppress(sqlite3.Error, CampaignsafeError, ValueError, TypeError, OverflowError):
            for iid, at in self.conn.execute(
                "SELECT incident_id, max(at) FROM audit WHERE action = 'deleted' AND incident_id IN"
                f" ({','.join('?' * len(incident_ids))}) GROUP BY incident_id",
                list(incident_ids),
            ):
                deleted[int(iid)] = describe(When(datetime.fromisoformat(str(at))))
        gone = [i for i in incident_ids if i not in deleted]
        parts = [f"no incident {', '.join(map(str, gone))}"] if gone else []
        parts += [
            f"incident {i} was deleted on {at} (its tombstone stays in the audit log)" for i, at in deleted.items()
        ]
        return NotFoundError("; ".join(parts), "list them: campaignsafe incidents list", code="incident_not_found")

    def _load(self, incident_id: int) -> Incident:
        row = self._rows([incident_id]).get(incident_id)
        if row is None:
            raise self.not_found([incident_id])
        incident = _incident(incident_id, *row)
        if incident is None:
            raise schema.damaged_row(self.path, f"incident {incident_id}")
        return incident

    def _rows(self, ids: list[int]) -> dict[int, tuple[Any, Any, Any, Any, Any]]:
        """Each incident's stored row (when, hash, record) with its exhibits' and amendments' JSON, each in order
        (a list of each one's text; from a server, the server's JSON array of them)."""
        if self.is_server:
            return {int(r[0]): tuple(r[1:6]) for r in self.conn.execute(_EACH_PG, (ids,))}
        marks = ",".join("?" * len(ids))
        got: dict[int, tuple[Any, Any, Any, list[Any], list[Any]]] = {
            int(r[0]): (r[1], r[2], r[3], [], [])
            for r in self.conn.execute(
                f"SELECT id, created_at, record_sha256, record FROM incidents WHERE id IN ({marks})", ids
            )
        }
        for iid, item in self.conn.execute(
            f"SELECT incident_id, item FROM evidence WHERE incident_id IN ({marks}) ORDER BY id", ids
        ):
            if iid in got:
                got[iid][3].append(item)
        for iid, text in self.conn.execute(
            f"SELECT incident_id, amendment FROM amendments WHERE incident_id IN ({marks})"
            " ORDER BY incident_id, number",
            ids,
        ):
            if iid in got:
                got[iid][4].append(text)
        return got

    def get(self, incident_id: int) -> Incident:
        """One incident as first recorded, with its exhibits and amendments (``.current()`` applies them)."""
        with schema.errors(self.path):
            return self._load(incident_id)

    def each(self, incident_ids: Sequence[int]) -> Iterator[Incident]:
        """The incidents with these ids, in that order, as :meth:`get` reads them (a missing one: NotFoundError;
        a damaged one: StoreError)."""
        for iid, incident in self.readable(incident_ids):
            if incident is None:
                raise schema.damaged_row(self.path, f"incident {iid}")
            yield incident

    def readable(self, incident_ids: Sequence[int]) -> Iterator[tuple[int, Incident | None]]:
        """Each id with its incident, in order, or with None when its stored row cannot be read (a missing one:
        NotFoundError). Read 500 at a time, each batch three queries (one on a server, which gathers each
        incident's exhibits and amendments), rather than three an incident."""
        for start in range(0, len(incident_ids), _BATCH):
            batch = list(incident_ids[start : start + _BATCH])
            with schema.errors(self.path):
                got = self._rows(batch)
            for iid in batch:
                row = got.get(iid)
                if row is None:
                    with schema.errors(self.path):
                        raise self.not_found([iid])
                yield iid, _incident(iid, *row)

    def record_text(self, incident_id: int) -> str:
        """The original record exactly as stored: the canonical JSON that ``record_sha256`` hashes."""
        with schema.errors(self.path):
            row = self.conn.execute("SELECT record FROM incidents WHERE id = ?", (incident_id,)).fetchone()
        if row is None:
            self._require(incident_id)
        return str(row[0])

    def campaigns(self) -> dict[int, str]:
        """Each visible incident's campaign, on a server store with campaigns (empty otherwise)."""
        if not self.is_server:
            return {}
        return {int(i): str(c) for i, c in self.conn.execute("SELECT id, campaign FROM incidents WHERE campaign <> ''")}

    def campaign(self, incident_id: int) -> str | None:
        """The campaign an incident belongs to, on a server store with campaigns (None otherwise)."""
        if not self.is_server:
            return None
        with schema.errors(self.path):
            row = self.conn.execute("SELECT campaign FROM incidents WHERE id = ?", (incident_id,)).fetchone()
        return str(row[0]) if row and row[0] else None

    def ids(self, flt: Filter | None = None) -> list[int]:
        """Ids of the incidents matching ``flt``, oldest first (read alone: a list of 100,000 summaries is 70 MB)."""
        with schema.errors(self.path):
            return listing.ids(self.conn, flt or Filter())

    def summaries(self, flt: Filter | None = None) -> list[Summary]:
        """The incidents matching ``flt`` as listed, oldest first (current values)."""
        with schema.errors(self.path):
            return listing.summaries(self.conn, flt or Filter())

    def audit(self, incident_id: int | None = None) -> list[AuditEntry]:
        """The audit log (for one incident, or all), oldest first."""
        with schema.errors(self.path):
            return audit.entries(self.conn, incident_id)

    def check(
        self,
        quick: bool = False,
        anchor: checking.Head | None = None,
        every_campaign: bool = False,
        what: str = "check",
    ) -> checking.Report:
        """Re-prove the whole store (see :mod:`campaignsafe.incidents.check`); for an HQ role seeing several
        campaigns and ``every_campaign``, each campaign in turn, its findings named by it (else ``what``, the
        command, is refused for such a role)."""
        seen = backend.campaigns_seen(self.conn) if every_campaign and anchor is None else []
        if len(seen) > 1:
            return self._check_each(seen, quick)
        backend.one_campaign(self.conn, what)
        return self._check_one(quick, anchor)

    def _check_one(self, quick: bool, anchor: checking.Head | None) -> checking.Report:
        with self.snapshot():
            return self._checked(quick, anchor)

    def _checked(self, quick: bool, anchor: checking.Head | None) -> checking.Report:
        from campaignsafe.incidents import check

        with schema.errors(self.path):
            report = check.run(self.conn, quick=quick, anchor=anchor)
        report.pending_migrations = list(self.pending)
        return report

    @contextlib.contextmanager
    def snapshot(self) -> Iterator[None]:
        """Every read in the block sees the store as it was when the block began, whatever another process
        writes meanwhile (a read transaction: SQLite's, or PostgreSQL's REPEATABLE READ)."""
        with schema.errors(self.path):
            self.conn.execute("BEGIN ISOLATION LEVEL REPEATABLE READ" if self.is_server else "BEGIN")
        try:
            yield
        finally:
            with schema.errors(self.path):
                self.conn.execute("COMMIT")

    def check_in_snapshot(self, what: str = "export") -> checking.Report:
        """The quick check inside the :meth:`snapshot` block already open: of exactly what the block reads."""
        backend.one_campaign(self.conn, what)
        return self._checked(True, None)

    def _check_each(self, campaigns: list[str], quick: bool) -> checking.Report:
        from campaignsafe.incidents import check

        total = check.Report(files_checked=None if quick else 0, pending_migrations=list(self.pending))
        try:
            for name in campaigns:
                if not backend.look_at(self.conn, name):  # a role row-level security does not narrow
                    backend.look_at(self.conn, "")
                    backend.one_campaign(self.conn)
                one = self._check_one(quick, None)
                total.findings += [
                    check.Finding(f"campaign {name}, {f.subject}", f.code, f.message) for f in one.findings
                ]
                total.incidents += one.incidents
                total.exhibits += one.exhibits
                total.audit_entries += one.audit_entries
                if one.files_checked is not None and total.files_checked is not None:
                    total.files_checked += one.files_checked
                head = one.head.as_dict() if one.head else None
                total.campaigns.append(
                    {"campaign": name, "passed": one.passed, "incidents": one.incidents, "audit_head": head}
                )
        finally:
            backend.look_at(self.conn, os.environ.get(backend.CAMPAIGN_ENV, "").strip())
        return total

    def record_check(self, incident_id: int) -> list[checking.Finding]:
        """Whether one record still matches its SHA-256 and its audit entry (empty when it does)."""
        from campaignsafe.incidents import check

        with schema.errors(self.path):
            return check.record_findings(self.conn, incident_id)

    def verify_audit(self) -> list[int]:
        """Sequence numbers of audit entries whose hash chain does not check out (empty when intact)."""
        with schema.errors(self.path):
            return audit.verify(self.conn)


def _incident(iid: int, created: Any, digest: Any, record: Any, items: Any, amendments: Any) -> Incident | None:
    """A stored incident as the model reads it (None: its row, an exhibit or an amendment cannot be read).

    ``items`` and ``amendments``: each one's stored text in order, or (from a server) one JSON array of them."""
    try:
        data = record_data(iid, created, digest, json.loads(record))
        data["evidence"] = json.loads(items) if isinstance(items, str) else [json.loads(t) for t in items]
        data["amendments"] = (
            json.loads(amendments) if isinstance(amendments, str) else [json.loads(t) for t in amendments]
        )
        return _applies(Incident.model_validate(data, context=STORED))
    except (ValueError, TypeError, KeyError, RecursionError):  # ValidationError and JSONDecodeError included
        return None


def _identity(path: Path) -> tuple[int, int] | None:
    """The file's (device, inode), or None when there is no file there."""
    try:
        st = os.stat(path)
    except OSError:
        return None
    return st.st_dev, st.st_ino


def _applies(incident: Incident) -> Incident:
    """``incident``, once its amendments are known to apply (an amendment changed in the store to a value its
    field cannot hold would otherwise fail wherever the record is read as it is now)."""
    incident.current()
    return incident
