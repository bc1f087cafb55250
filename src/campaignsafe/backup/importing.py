"""``import``: another person's bundle or backup merged into this record, kept as they recorded it.

The file is verified first (see :mod:`.reading`); then every incident's original record must
hash to its ``record_sha256`` and every exhibit's file must be the one the manifest lists, or
nothing is imported. Each new incident keeps its original record byte for byte, its
``created_at``, exhibit references, evidence items and amendments; who recorded it, their id
and their audit trail go into ``provenance``. Local ids are new. The import is one audit entry
(``imported``) naming the manifest's SHA-256 and the signer. An incident already held (the
same record, recorded at the same moment) is skipped, so importing twice adds nothing, and
an evidence file already held is not copied again.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import tempfile
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from campaignsafe.backup import archive, reading
from campaignsafe.errors import InputError, VerifyError
from campaignsafe.hashing import CHUNK

#: the parts of a stored incident that are not its original record.
NOT_ORIGINAL = ("id", "created_at", "record_sha256", "evidence", "amendments")


@dataclass
class Incoming:
    """One incident as it comes from the other person's record."""

    source_id: int | None
    created_at: str
    record_text: str
    record_sha256: str
    evidence: list[dict[str, Any]]
    amendments: list[dict[str, Any]]
    recorded_by: dict[str, Any]
    amendments_by: list[dict[str, Any]]
    source_audit: list[dict[str, Any]]
    #: sha256 → the entry of the zip holding that file
    blobs: dict[str, str] = field(default_factory=dict)


@dataclass
class Imported:
    """What an import did: the file, who recorded it, the id mapping, and what was already held."""

    path: Path
    kind: str
    manifest_sha256: str
    signer: str | None
    recorded_by: dict[str, Any]
    mapping: list[dict[str, Any]] = field(default_factory=list)
    already_held: int = 0
    files_copied: int = 0
    files_already_held: int = 0

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
            "already_held": self.already_held,
            "files_copied": self.files_copied,
            "files_already_held": self.files_already_held,
        }


def _person(raw: Any) -> dict[str, Any]:
    keys = ("name", "role", "constituency", "phone", "email", "initials")
    if not isinstance(raw, dict):
        return {}
    return {k: raw[k] for k in keys if isinstance(raw.get(k), str) and raw[k]}


def _disagrees(o: reading.Opened, what: str) -> VerifyError:
    return VerifyError(f"{o.shown}: {what}; nothing was imported", code="json_disagrees")


def _check_record(o: reading.Opened, where: str, text: str, digest: Any) -> None:
    from campaignsafe.incidents.audit import sha256_text

    if not isinstance(digest, str) or sha256_text(text) != digest:
        raise _disagrees(o, f"{where}'s record does not match its record_sha256")


def _moment(o: reading.Opened, value: Any, where: str) -> str:
    """A stored moment as the store writes it (ISO 8601, Europe/London, to the second)."""
    from datetime import datetime

    from campaignsafe.incidents.when import iso

    try:
        at = datetime.fromisoformat(str(value))
    except ValueError:
        raise InputError(f"{o.shown}: {where} has no valid created_at", code="bad_bundle") from None
    if at.tzinfo is None:
        raise InputError(f"{o.shown}: {where} has no valid created_at", code="bad_bundle")
    return iso(at)


def _validate(o: reading.Opened, where: str, full: dict[str, Any]) -> None:
    from campaignsafe.incidents.models import STORED, Incident

    try:
        Incident.model_validate(full, context=STORED)
    except (ValidationError, ValueError, TypeError):
        raise InputError(f"{o.shown}: {where} is not a campaignsafe incident record", code="bad_bundle") from None


# -- reading a bundle ----------------------------------------------------------------------------


def _from_bundle(o: reading.Opened) -> tuple[dict[str, Any], list[Incoming]]:
    from campaignsafe.incidents.audit import canonical_json
    from campaignsafe.incidents.models import SCHEMA_VERSION

    doc = o.json(reading.BUNDLE_JSON)
    meta = doc.get("export") if isinstance(doc, dict) else None
    cases = doc.get("incidents") if isinstance(doc, dict) else None
    if not isinstance(meta, dict) or not isinstance(cases, list):
        raise InputError(f"{o.shown}: {reading.BUNDLE_JSON} is not a campaignsafe export", code="bad_bundle")
    raw_tool = meta.get("tool")
    tool: dict[str, Any] = raw_tool if isinstance(raw_tool, dict) else {}
    version, record_version = meta.get("schema_version"), tool.get("record_schema_version")
    if not isinstance(version, int) or not isinstance(record_version, int):
        raise InputError(f"{o.shown}: {reading.BUNDLE_JSON} has no schema version", code="bad_bundle")
    if version > 1 or record_version > SCHEMA_VERSION:
        raise InputError(
            f"{o.shown} was made by a newer campaignsafe ({tool.get('version', '?')}); nothing was imported",
            "upgrade campaignsafe, then import it",
            code="bundle_newer",
        )
    producer = _person(meta.get("producer"))
    out = []
    for n, case in enumerate(cases, 1):
        rec = case.get("record") if isinstance(case, dict) else None
        if not isinstance(case, dict) or not isinstance(rec, dict):
            raise InputError(f"{o.shown}: incident {n} in {reading.BUNDLE_JSON} has no record", code="bad_bundle")
        where = f"incident {rec.get('id', n)} in {reading.BUNDLE_JSON}"
        _validate(o, where, rec)
        text = canonical_json({k: v for k, v in rec.items() if k not in NOT_ORIGINAL})
        _check_record(o, where, text, rec.get("record_sha256"))
        paths_by_sha = {
            f.get("sha256"): f.get("bundle_path")
            for ex in case.get("objects", {}).get("evidence", [])
            for f in ex.get("files", [])
            if isinstance(f, dict)
        }
        blobs: dict[str, str] = {}
        for ev in rec.get("evidence", []):
            for part in ("file", "screenshot"):
                sha = (ev.get(part) or {}).get("sha256")
                if sha is None:
                    continue
                member = paths_by_sha.get(sha)
                if not isinstance(member, str) or o.digests.get(member) != sha:
                    raise _disagrees(
                        o, f"exhibit {ev.get('exhibit_ref')} of {where} is not the file the manifest lists"
                    )
                blobs[sha] = member
        raw_prov: Any = case.get("provenance")
        prov: dict[str, Any] | None = raw_prov if isinstance(raw_prov, dict) else None
        trail = [{"store_of": producer, "entries": case.get("audit", [])}]
        recorded_by = producer
        amendments_by = [producer] * len(rec.get("amendments", []))
        if prov is not None:  # they imported it in turn: keep the first recorder
            recorded_by = _person(prov.get("recorded_by")) or producer
            given = [_person(p) for p in prov.get("amendments_by", []) if isinstance(p, dict)]
            amendments_by = (given + amendments_by)[: len(amendments_by)]
            earlier = prov.get("source_audit")
            trail = (earlier if isinstance(earlier, list) else []) + trail
        out.append(
            Incoming(
                rec.get("id"),
                _moment(o, rec["created_at"], where),
                text,
                rec["record_sha256"],
                list(rec.get("evidence", [])),
                list(rec.get("amendments", [])),
                recorded_by,
                amendments_by,
                trail,
                blobs,
            )
        )
    return producer, out


# -- reading a backup ----------------------------------------------------------------------------


def _grouped(o: reading.Opened, table: str) -> dict[int, list[dict[str, Any]]]:
    name = f"{archive.STORE}{table}.jsonl"
    out: dict[int, list[dict[str, Any]]] = defaultdict(list)
    if name in o.digests:
        for row in o.jsonl(name):
            if isinstance(row.get("incident_id"), int):
                out[row["incident_id"]].append(row)
    return out


def _loads(o: reading.Opened, text: Any, what: str) -> Any:
    try:
        return json.loads(text)
    except (TypeError, ValueError, RecursionError):
        raise InputError(f"{o.shown}: {what} is not JSON", code="bad_backup") from None


def _from_backup(o: reading.Opened) -> tuple[dict[str, Any], list[Incoming]]:
    producer = _person(o.info.get("producer"))
    evidence, amendments = _grouped(o, "evidence"), _grouped(o, "amendments")
    audit, prov = _grouped(o, "audit"), _grouped(o, "provenance")
    out = []
    for row in o.jsonl(f"{archive.STORE}incidents.jsonl"):
        iid, text = row.get("id"), row.get("record")
        where = f"incident {iid} of the backup"
        if not isinstance(iid, int) or not isinstance(text, str):
            raise InputError(f"{o.shown}: {where} is not a stored incident", code="bad_backup")
        _check_record(o, where, text, row.get("record_sha256"))
        items = [_loads(o, e.get("item"), f"an exhibit of {where}") for e in evidence.get(iid, [])]
        changes = [_loads(o, a.get("amendment"), f"an amendment of {where}") for a in amendments.get(iid, [])]
        changes.sort(key=lambda a: a.get("number", 0) if isinstance(a, dict) else 0)
        full = {**_loads(o, text, where), "id": iid, "created_at": row.get("created_at")}
        _validate(o, where, {**full, "record_sha256": row["record_sha256"], "evidence": items, "amendments": changes})
        entries = []
        for a in audit.get(iid, []):
            entries.append({**a, "detail": _loads(o, a.get("detail"), f"the audit trail of {where}")})
        trail = [{"store_of": producer, "entries": entries}]
        recorded_by, amendments_by = producer, [producer] * len(changes)
        for p in prov.get(iid, []):
            recorded_by = _person(_loads(o, p.get("recorded_by"), where)) or producer
            given = [_person(x) for x in _loads(o, p.get("amendments_by"), where) or []]
            amendments_by = (given + amendments_by)[: len(changes)]
            earlier = _loads(o, p.get("source_audit"), where)
            trail = (earlier if isinstance(earlier, list) else []) + trail
        blobs = {}
        for ev in items:
            for part in ("file", "screenshot"):
                sha = (ev.get(part) or {}).get("sha256") if isinstance(ev, dict) else None
                if sha is None:
                    continue
                member = f"{archive.FILES}evidence/{sha[:2]}/{sha}"
                if o.digests.get(member) != sha:
                    raise _disagrees(o, f"the evidence copy for exhibit {ev.get('exhibit_ref')} is missing")
                blobs[sha] = member
        out.append(
            Incoming(
                iid, _moment(o, row["created_at"], where), text, row["record_sha256"], items, changes,
                recorded_by, amendments_by, trail, blobs,
            )
        )  # fmt: skip
    return producer, out


# -- writing -------------------------------------------------------------------------------------


def _copy_blob(o: reading.Opened, member: str, sha: str) -> bool:
    """Copy one evidence file out of the zip into the store (hashed as it streams); True when created."""
    from campaignsafe.incidents import evidence, schema

    folder = evidence._folder()
    try:
        fd, tmp = tempfile.mkstemp(prefix=".incoming-", dir=folder)
    except OSError as exc:
        raise schema.os_failure("store a copy of the evidence in", folder, exc) from None
    try:
        h = hashlib.sha256()
        try:
            with os.fdopen(fd, "wb") as out, o.open(member) as src:
                while chunk := src.read(CHUNK):
                    h.update(chunk)
                    out.write(chunk)
                out.flush()
                os.fsync(out.fileno())
        except OSError as exc:
            raise schema.os_failure("store a copy of the evidence in", folder, exc) from None
        if h.hexdigest() != sha:
            raise VerifyError(
                f"{o.shown}: {member} changed while it was read; nothing was imported", code="verify_failed"
            )
        created, _repaired = evidence._place(Path(tmp), sha)
        return created
    finally:
        with contextlib.suppress(OSError):
            os.unlink(tmp)


def _refs(item: Incoming) -> Iterator[str]:
    for ev in item.evidence:
        yield str(ev.get("exhibit_ref"))


def import_record(path: Path, passphrase_file: str | None, ask: bool = False) -> Imported:
    """Verify ``path`` (a bundle or a backup) and merge its incidents into this store."""
    from campaignsafe.incidents import evidence
    from campaignsafe.incidents.store import Store

    with reading.opened(path, passphrase_file, ask) as o:
        producer, incoming = _from_bundle(o) if o.kind == "bundle" else _from_backup(o)
        result = Imported(path, o.kind, o.manifest_sha256, o.signer, producer)
        with evidence.lock(), Store.open() as store:
            held = {(r[0], r[1]) for r in store.conn.execute("SELECT record_sha256, created_at FROM incidents")}
            new = [i for i in incoming if (i.record_sha256, i.created_at) not in held]
            result.already_held = len(incoming) - len(new)
            _refuse_taken_refs(o, store, new)
            created: list[str] = []
            try:
                for sha, member in sorted({s: m for i in new for s, m in i.blobs.items()}.items()):
                    if evidence.intact(sha):
                        result.files_already_held += 1
                    elif _copy_blob(o, member, sha):
                        created.append(sha)
                        result.files_copied += 1
                    else:
                        result.files_copied += 1
                if new:
                    result.mapping = _write(store, o, producer, new)
            except BaseException:
                evidence.remove(created)
                raise
    return result


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


def _write(store: Any, o: reading.Opened, producer: dict[str, Any], new: list[Incoming]) -> list[dict[str, Any]]:
    """Insert every new incident, its exhibits and amendments, the provenance and the one audit entry."""
    from campaignsafe.incidents import audit
    from campaignsafe.incidents.models import STORED, Amendment, Evidence
    from campaignsafe.incidents.when import iso, now

    conn = store.conn
    mapping: list[dict[str, Any]] = []
    logged: list[dict[str, Any]] = []  # what the audit entry says of each incident: no text, only hashes and names
    with store._tx():
        numbers: dict[str, int] = {}
        for item in new:
            cur = conn.execute(
                "INSERT INTO incidents (created_at, record, record_sha256, occurred_utc, occurred_at, time_known,"
                " kind, place) VALUES (?,?,?,?,?,?,?,?)",
                (item.created_at, item.record_text, item.record_sha256, "", "", 0, "", ""),
            )
            iid = int(cur.lastrowid or 0)
            for raw in item.amendments:
                a = Amendment.model_validate(raw, context=STORED)
                conn.execute(
                    "INSERT INTO amendments (incident_id, number, at, amendment) VALUES (?,?,?,?)",
                    (iid, a.number, iso(a.at), a.model_dump_json()),
                )
            for raw in item.evidence:
                e = Evidence.model_validate(raw, context=STORED)
                conn.execute(
                    "INSERT INTO evidence (incident_id, exhibit_ref, added_at, file_sha256, screenshot_sha256, item)"
                    " VALUES (?,?,?,?,?,?)",
                    (
                        iid,
                        e.exhibit_ref,
                        iso(e.added_at),
                        e.file.sha256 if e.file else None,
                        e.screenshot.sha256 if e.screenshot else None,
                        e.model_dump_json(),
                    ),
                )
                prefix, _sep, number = e.exhibit_ref.rpartition("/")
                if prefix and number.isdigit():
                    numbers[prefix] = max(numbers.get(prefix, 0), int(number))
            store._refresh(iid, store._load(iid).current())
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
            logged.append(
                {
                    "id": iid,
                    "source_id": item.source_id,
                    "record_sha256": item.record_sha256,
                    "exhibits": [
                        {"exhibit_ref": e.exhibit_ref, "sha256": e.hashes()} for e in store._load(iid).evidence
                    ],
                    "amendments": [[c.field for c in a.changes] for a in store._load(iid).amendments],
                }
            )
        for prefix, last in numbers.items():  # never hand out an imported number again
            conn.execute(
                "INSERT INTO exhibit_numbers (producer, last) VALUES (?, ?)"
                " ON CONFLICT (producer) DO UPDATE SET last = max(last, excluded.last)",
                (prefix, last),
            )
        detail = {
            "kind": o.kind,
            "manifest_sha256": o.manifest_sha256,
            "signer": o.signer,
            "producer": producer.get("initials"),
            "incidents": logged,
        }
        audit.append(conn, "imported", None, detail)
        seq = int(conn.execute("SELECT max(seq) FROM audit").fetchone()[0])
        conn.execute(
            "INSERT INTO imports (seq, at, kind, manifest_sha256, signer, producer) VALUES (?,?,?,?,?,?)",
            (seq, iso(now()), o.kind, o.manifest_sha256, o.signer, json.dumps(producer, ensure_ascii=False)),
        )
        for item, m in zip(new, mapping, strict=True):
            conn.execute(
                "INSERT INTO provenance (incident_id, recorded_by, source_id, amendments_by, source_audit, import_seq)"
                " VALUES (?,?,?,?,?,?)",
                (
                    m["id"],
                    json.dumps(item.recorded_by, ensure_ascii=False),
                    item.source_id,
                    json.dumps(item.amendments_by, ensure_ascii=False),
                    json.dumps(item.source_audit, ensure_ascii=False, default=str),
                    seq,
                ),
            )
    return mapping
