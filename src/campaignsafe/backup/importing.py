"""``import``: another person's bundle or backup merged into this record, kept as they recorded it.

The file is verified first (see :mod:`.reading`); then every incident's original record must
hash to its ``record_sha256`` and every exhibit's file must be the one the manifest lists, or
nothing is imported. Each new incident keeps its original record byte for byte, its
``created_at``, exhibit references, evidence items and amendments; who recorded it, their id
and their audit trail go into ``provenance``. Local ids are new. The import is one audit entry
(``imported``) naming the manifest's SHA-256 and the signer, one for each :data:`BATCH` incidents
of a large file (each with its own ``imports`` row), all in one transaction. The file is read in two
passes (see :func:`import_record`), so memory does not grow with it. An incident already held (the
same record, recorded at the same moment) is not added again, so importing twice adds nothing,
and an evidence file already held is not copied again; but when the file carries amendments
made since the held copy was imported (the held ones are exactly its first ones), those later
amendments are added to it, in the same entry (``amended``). One amended here meanwhile is left
as it is, and said so (``not_updated``).
"""

from __future__ import annotations

import dataclasses
import json
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from campaignsafe import paths
from campaignsafe.backup import reading
from campaignsafe.backup.sources import Incoming, from_backup, from_bundle
from campaignsafe.errors import InputError, VerifyError
from campaignsafe.hashing import CHUNK


@dataclass
class Imported:
    """What an import did: the file, who recorded it, the id mapping, and what was already held."""

    path: Path
    kind: str
    manifest_sha256: str
    signer: str | None
    recorded_by: dict[str, Any]
    mapping: list[dict[str, Any]] = field(default_factory=list)
    #: held incidents given their later amendments: {source_id, id, amendments (how many added)}
    updated: list[dict[str, Any]] = field(default_factory=list)
    #: held incidents with later amendments that could not be added (amended here since): {source_id, id}
    not_updated: list[dict[str, Any]] = field(default_factory=list)
    #: held incidents with later amendments not added because this file is not signed by the key that
    #: signed the file they were imported from (anyone can make an unsigned file): {source_id, id}
    other_signer: list[dict[str, Any]] = field(default_factory=list)
    already_held: int = 0
    files_copied: int = 0
    files_already_held: int = 0
    #: unlisted file-browser files in the zip, left out as verify leaves them out
    ignored: list[str] = field(default_factory=list)

    @property
    def recorded_by_label(self) -> str:
        from campaignsafe.incidents.provenance import label

        return label(self.recorded_by)

    def as_dict(self) -> dict[str, Any]:
        return {
            "path": str(self.path),
            "kind": self.kind,
            "manifest_sha256": self.manifest_sha256,
            "signer": self.signer,
            "recorded_by": self.recorded_by,
            "imported": self.mapping,
            "updated": self.updated,
            "not_updated": self.not_updated,
            "other_signer": self.other_signer,
            "already_held": self.already_held,
            "files_copied": self.files_copied,
            "files_already_held": self.files_already_held,
            "ignored": self.ignored,
        }


# -- writing -------------------------------------------------------------------------------------


def _copy_blob(o: reading.Opened, member: str, sha: str, unsynced: set[Path]) -> bool:
    """Copy one evidence file out of the zip into the store (hashed as it streams); True when created.
    Its folder joins ``unsynced``, flushed once before the import is committed (not once a file)."""
    from campaignsafe.incidents import evidence

    def same(got: str, _size: int) -> None:
        if got != sha:
            raise VerifyError(
                f"{o.shown}: an evidence file changed while it was read; nothing was imported", code="verify_failed"
            )

    with o.open(member) as src:
        _sha, _size, created, _repaired = evidence.store_chunks(iter(lambda: src.read(CHUNK), b""), same, unsynced)
    return created


def _put(o: reading.Opened, copies: Any, member: str, sha: str, unsynced: set[Path]) -> bool:
    """Copy one evidence file out of the zip into the store's copies (files, or the server's chunks)."""
    from campaignsafe.incidents.blobs import PgBlobs

    if not isinstance(copies, PgBlobs):
        return _copy_blob(o, member, sha, unsynced)
    with o.open(member) as src:
        try:
            return copies.put(iter(lambda: src.read(CHUNK), b""), sha)
        except ValueError:
            raise VerifyError(
                f"{o.shown}: {member} changed while it was read; nothing was imported", code="verify_failed"
            ) from None


def _refs(item: Incoming) -> Iterator[str]:
    for ev in item.evidence:
        yield str(ev.get("exhibit_ref"))


#: incidents written under one audit entry (and one ``imports`` row): a large file is recorded as several
#: imports of the same manifest, one after another, so no entry (and nothing held meanwhile) grows with it
BATCH = 1000


def import_record(path: Path, passphrase_file: str | None, ask: bool = False) -> Imported:
    """Verify ``path`` (a bundle or a backup) and merge its incidents into this store.

    Two passes, so memory does not grow with the file and the store's write lock is held only while writing:
    first every incident is read and checked, its evidence copied in, and it is set aside in the import's
    scratch database; then all of them are written, a batch at a time, in one transaction. A file that fails
    anywhere (an incident that does not check out, a taken exhibit reference, a full disk) leaves the record as
    it was, and the evidence copies made for it are removed again.
    """
    from campaignsafe.exports.spool import Spool
    from campaignsafe.incidents import blobs
    from campaignsafe.incidents.store import Store

    with reading.opened(path, passphrase_file, ask) as o, Spool.open() as scratch:
        with scratch.errors():
            staged = _Staged(scratch.db, o)
            producer, incoming = from_bundle(o) if o.kind == "bundle" else from_backup(o, scratch.db)
        result = Imported(path, o.kind, o.manifest_sha256, o.signer, producer, ignored=o.ignored)
        with blobs.held() as copies, Store.open() as store:
            copying = _Copying(copies)
            try:
                held = _held(store)  # (read again inside the write: this is only to copy no file held already)
                with scratch.errors():
                    for item in incoming:
                        if (item.record_sha256, item.created_at) not in held:
                            _copy_files(o, item, result, copying)
                        staged.add(item)
                for folder in sorted(copying.unsynced):
                    paths.fsync_dir(folder)
                with store._tx():
                    held, added = _held(store), set[tuple[str, str]]()
                    with scratch.errors():
                        for batch in _batches(staged.items()):
                            _write_batch(store, o, producer, batch, held, added, result)
            except BaseException:
                copies.remove(copying.created)
                raise
    return result


def _held(store: Any) -> dict[tuple[str, str], int]:
    """(record_sha256, created_at) → id of every incident the store holds: the same incident, recorded at the same
    moment, is not added again."""
    return {(r[0], r[1]): int(r[2]) for r in store.conn.execute("SELECT record_sha256, created_at, id FROM incidents")}


def _write_batch(
    store: Any,
    o: reading.Opened,
    producer: dict[str, Any],
    batch: list[Incoming],
    held: dict[tuple[str, str], int],
    added: set[tuple[str, str]],
    result: Imported,
) -> None:
    """Write one batch's new incidents, and the later amendments of those held, under one audit entry. An incident
    the file lists twice is written once and never said to be held already."""
    new = []
    for item in batch:
        key = (item.record_sha256, item.created_at)
        if key in held:
            result.already_held += 1
        elif key not in added:
            added.add(key)
            new.append(item)
    later = _later_amendments(store, batch, held, result)
    _refuse_taken_refs(o, store, new)
    if new or later:
        result.mapping += _write(store, o, producer, new, later)
        result.updated += [
            {"source_id": i.source_id, "id": iid, "amendments": len(i.amendments) - n} for iid, i, n in later
        ]


def _batches(incoming: Iterator[Incoming]) -> Iterator[list[Incoming]]:
    batch: list[Incoming] = []
    for item in incoming:
        batch.append(item)
        if len(batch) == BATCH:
            yield batch
            batch = []
    yield batch  # the last (perhaps empty: a file of no incidents, or a multiple of BATCH)


class _Staged:
    """The file's incidents, checked, set aside in the scratch database between the two passes."""

    def __init__(self, db: Any, o: reading.Opened) -> None:
        self.db, self.o, self.n = db, o, 0
        db.execute("CREATE TABLE staged (n INTEGER PRIMARY KEY, item TEXT NOT NULL)")

    def add(self, item: Incoming) -> None:
        text = json.dumps(dataclasses.asdict(item), ensure_ascii=False, default=str)
        try:
            self.db.execute("INSERT INTO staged VALUES (?, ?)", (self.n, text))
        except UnicodeEncodeError:  # a lone surrogate (escaped in the file's JSON): not text a store can keep
            raise InputError(
                f"{self.o.shown}: an incident holds text that is not valid Unicode; nothing was imported",
                code="bad_bundle" if self.o.kind == "bundle" else "bad_backup",
            ) from None
        self.n += 1

    def items(self) -> Iterator[Incoming]:
        for (text,) in self.db.execute("SELECT item FROM staged ORDER BY n"):
            yield Incoming(**json.loads(text))


@dataclass
class _Copying:
    """The evidence copies an import makes, file by file (see :func:`_copy_files`)."""

    copies: Any  # the store's: the data folder's files, or the server's chunks
    done: set[str] = field(default_factory=set)  # every file this import has seen to, held or copied
    created: list[str] = field(default_factory=list)  # copies made here, removed again if the import fails
    unsynced: set[Path] = field(default_factory=set)  # folders given new copies, flushed before the commit


def _copy_files(o: reading.Opened, item: Incoming, result: Imported, c: _Copying) -> None:
    """Copy an incident's evidence files into the store, each once in the whole import; counted in ``result``."""
    for sha, member in sorted(item.blobs.items()):
        if sha in c.done:
            continue
        c.done.add(sha)
        if c.copies.intact(sha):
            result.files_already_held += 1
            continue
        if _put(o, c.copies, member, sha, c.unsynced):
            c.created.append(sha)
        result.files_copied += 1


def _normal(raw: Any) -> str:
    """An amendment as canonical JSON, however it was stored or exported (for comparing two of them)."""
    from campaignsafe.incidents.audit import canonical_json
    from campaignsafe.incidents.models import STORED, Amendment

    return canonical_json(Amendment.model_validate(raw, context=STORED).model_dump(mode="json"))


def _later_amendments(
    store: Any, incoming: list[Incoming], held: dict[tuple[str, str], int], result: Imported
) -> list[tuple[int, Incoming, int]]:
    """(local id, incoming, how many amendments this store already holds) for each held incident whose
    file carries later amendments: only when the held ones are exactly the file's first ones."""
    out = []
    for item in incoming:
        iid = held.get((item.record_sha256, item.created_at))
        if iid is None:
            continue
        rows = store.conn.execute(
            "SELECT amendment FROM amendments WHERE incident_id = ? ORDER BY number", (iid,)
        ).fetchall()
        try:
            mine = [_normal(json.loads(r[0])) for r in rows]
            theirs = [_normal(a) for a in item.amendments]
        except (ValueError, TypeError):
            raise InputError(
                "an incident's amendments cannot be read; nothing was imported", code="bad_bundle"
            ) from None
        if [a.get("number") if isinstance(a, dict) else None for a in item.amendments] != list(
            range(1, len(item.amendments) + 1)
        ):
            raise InputError(
                "an incident's amendments are not numbered 1, 2, 3…; nothing was imported", code="bad_bundle"
            )
        if not set(theirs) - set(mine):
            continue  # nothing this store does not hold already
        if theirs[: len(mine)] == mine:
            if result.signer is None or result.signer != _first_signer(store, iid):
                result.other_signer.append({"source_id": item.source_id, "id": iid})
            else:
                out.append((iid, item, len(mine)))
        else:
            result.not_updated.append({"source_id": item.source_id, "id": iid})
    return out


def _first_signer(store: Any, iid: int) -> str | None:
    """The key that signed the file incident ``iid`` was imported from (None: recorded here, or unsigned)."""
    row = store.conn.execute(
        "SELECT i.signer FROM provenance p JOIN imports i ON i.seq = p.import_seq WHERE p.incident_id = ?", (iid,)
    ).fetchone()
    return str(row[0]) if row and row[0] else None


def _refuse_taken_refs(o: reading.Opened, store: Any, new: list[Incoming]) -> None:
    refs = [r for i in new for r in _refs(i)]
    taken: set[str] = {r for r, n in Counter(refs).items() if n > 1}
    for start in range(0, len(refs), 500):
        chunk = refs[start : start + 500]
        q = f"SELECT exhibit_ref FROM evidence WHERE exhibit_ref IN ({','.join('?' * len(chunk))})"
        taken |= {r[0] for r in store.conn.execute(q, chunk)}
    if taken:
        shown = ", ".join(sorted(taken)[:5])
        raise InputError(
            f"{o.shown}: exhibit reference {shown} is already used in your record by another exhibit;"
            " nothing was imported",
            "two people may share initials: ask them to set distinct ones (campaignsafe profile --initials …)",
            code="exhibit_ref_taken",
        )


def _write(
    store: Any,
    o: reading.Opened,
    producer: dict[str, Any],
    new: list[Incoming],
    later: list[tuple[int, Incoming, int]] | None = None,
) -> list[dict[str, Any]]:
    """Insert every new incident, its exhibits and amendments, the provenance, the later amendments of
    held incidents, and their one audit entry and ``imports`` row (inside the import's transaction)."""
    from campaignsafe.incidents import audit
    from campaignsafe.incidents.models import STORED, Amendment, Evidence
    from campaignsafe.incidents.when import iso, now

    conn = store.conn
    mapping: list[dict[str, Any]] = []
    logged: list[dict[str, Any]] = []  # what the audit entry says of each incident: no text, only hashes and names
    seq = audit.next_seq(conn)  # the import's entry, written last, once every row's hash is known
    numbers: dict[str, int] = {}
    for item in new:
        iid = store.insert_incident(item.created_at, item.record_text, item.record_sha256)
        amendment_rows: list[str] = []
        for raw in item.amendments:
            a = Amendment.model_validate(raw, context=STORED)
            values: tuple[Any, ...] = (iid, a.number, iso(a.at), a.model_dump_json())
            conn.execute("INSERT INTO amendments (incident_id, number, at, amendment) VALUES (?,?,?,?)", values)
            amendment_rows.append(audit.row_digest("amendments", values))
        exhibit_rows: dict[str, str] = {}
        for raw in item.evidence:
            e = Evidence.model_validate(raw, context=STORED)
            values = (
                iid,
                e.exhibit_ref,
                iso(e.added_at),
                e.file.sha256 if e.file else None,
                e.screenshot.sha256 if e.screenshot else None,
                e.model_dump_json(),
            )
            conn.execute(
                "INSERT INTO evidence (incident_id, exhibit_ref, added_at, file_sha256, screenshot_sha256, item)"
                " VALUES (?,?,?,?,?,?)",
                values,
            )
            exhibit_rows[e.exhibit_ref] = audit.row_digest("evidence", values)
            prefix, _sep, number = e.exhibit_ref.rpartition("/")
            if prefix and number.isdigit():
                numbers[prefix] = max(numbers.get(prefix, 0), int(number))
        stored = store._load(iid)
        store._refresh(iid, stored.current())
        refs = [str(e.get("exhibit_ref")) for e in item.evidence]
        mapping.append(
            {
                "source_id": item.source_id,
                "id": iid,
                "record_sha256": item.record_sha256,
                "exhibits": len(refs),
                "exhibit_refs": refs,
                "amendments": len(item.amendments),
                "recorded_by": item.recorded_by.get("initials"),
            }
        )
        origin = (
            iid,
            json.dumps(item.recorded_by, ensure_ascii=False),
            item.source_id,
            json.dumps(item.amendments_by, ensure_ascii=False),
            json.dumps(item.source_audit, ensure_ascii=False, default=str),
            seq,
        )
        conn.execute(
            "INSERT INTO provenance (incident_id, recorded_by, source_id, amendments_by, source_audit, import_seq)"
            " VALUES (?,?,?,?,?,?)",
            origin,
        )
        logged.append(
            {
                "id": iid,
                "source_id": item.source_id,
                "record_sha256": item.record_sha256,
                "row_sha256": audit.row_digest("incidents", (item.created_at, item.record_text, item.record_sha256)),
                "exhibits": [
                    {"exhibit_ref": e.exhibit_ref, "sha256": e.hashes(), "row_sha256": exhibit_rows[e.exhibit_ref]}
                    for e in stored.evidence
                ],
                "amendments": [[c.field for c in a.changes] for a in stored.amendments],
                "amendment_rows": amendment_rows,
                "provenance_sha256": audit.row_digest("provenance", origin),
            }
        )
    amended = _add_later(store, later or [])
    for prefix, last in numbers.items():  # never hand out an imported number again
        store.raise_number(prefix, last)
    event = (seq, iso(now()), o.kind, o.manifest_sha256, o.signer, json.dumps(producer, ensure_ascii=False))
    detail = {
        "kind": o.kind,
        "manifest_sha256": o.manifest_sha256,
        "signer": o.signer,
        "producer": producer.get("initials"),
        "incidents": logged,
        "import_sha256": audit.row_digest("imports", event),
    }
    if amended:
        detail["amended"] = amended
    if audit.append(conn, "imported", None, detail) != seq:
        raise RuntimeError("the audit log moved during the import")
    conn.execute("INSERT INTO imports (seq, at, kind, manifest_sha256, signer, producer) VALUES (?,?,?,?,?,?)", event)
    return mapping


def _add_later(store: Any, later: list[tuple[int, Incoming, int]]) -> list[dict[str, Any]]:
    """Add each held incident's later amendments (inside the import's transaction); what the entry says of them."""
    from campaignsafe.incidents import audit
    from campaignsafe.incidents.models import STORED, Amendment
    from campaignsafe.incidents.provenance import recorder_force
    from campaignsafe.incidents.when import iso

    out = []
    for iid, item, held in later:
        numbers, fields, rows = [], [], []
        for raw in item.amendments[held:]:
            a = Amendment.model_validate(raw, context=STORED)
            values = (iid, a.number, iso(a.at), a.model_dump_json())
            store.conn.execute("INSERT INTO amendments (incident_id, number, at, amendment) VALUES (?,?,?,?)", values)
            numbers.append(a.number)
            fields.append([c.field for c in a.changes])
            rows.append(audit.row_digest("amendments", values))
        store._refresh(iid, store._load(iid).current())
        out.append(
            {
                "id": iid,
                "source_id": item.source_id,
                "numbers": numbers,
                "fields": fields,
                "amendment_rows": rows,
                "amendments_by": [str(p.get("initials") or "") for p in item.amendments_by[held:]],
                # the force in their profile now (an amendment may have taken its place away; "": none): later_forces
                **({"recorder_force": recorder_force(item.recorded_by)} if "force_id" in item.recorded_by else {}),
            }
        )
    return out
