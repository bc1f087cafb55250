"""The incidents of another person's record, read out of their bundle or backup and checked.

``from_bundle`` reads ``incidents.json``; ``from_backup`` the store's rows. Either way each
incident's original record must hash to its ``record_sha256``, validate as a stored incident,
and every exhibit's file must be the one the manifest lists; otherwise nothing is imported.
Who recorded each incident (and each amendment) comes along, through any earlier imports.
"""

from __future__ import annotations

import json
import re
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from campaignsafe import usertext
from campaignsafe.backup import archive, reading
from campaignsafe.errors import InputError, VerifyError

#: the whole numbers a store keeps (SQLite's and PostgreSQL's 64-bit integers): a larger id is not a stored one
STORED_INT = range(-(2**63), 2**63)

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


def _person(o: reading.Opened, raw: Any, where: str) -> dict[str, Any]:
    """A person (who recorded or amended an incident, who made the file) as campaignsafe writes one: its text
    fields, each under the rule for typed text (InputError when one breaks it: the file was made otherwise)."""
    keys = ("name", "role", "constituency", "phone", "email", "initials")
    if not isinstance(raw, dict):
        return {}
    out = {k: raw[k] for k in keys if isinstance(raw.get(k), str) and raw[k]}
    for key, value in out.items():
        found = usertext.problem(value, multiline=False, limit=usertext.LINE_MAX)
        if found:
            raise InputError(f"{o.shown}: the {key} of {where} {found}; nothing was imported", code="bad_bundle")
    return out


def _with_force(person: dict[str, Any], force: Any) -> dict[str, Any]:
    """``person`` with ``force_id``, the force in their profile, when it is one campaignsafe knows (kept beside
    the recorder at import, so an incident of theirs with no place-based force still falls to it)."""
    from campaignsafe.incidents.provenance import recorder_force

    known = recorder_force({"force_id": force})  # the one rule for a recorder's force (a known id, else "")
    return {**person, "force_id": known} if known else person


def _plain(o: reading.Opened, where: str, value: Any) -> None:
    """No text in an incident's record holds what no campaignsafe ever recorded (``usertext.has_control``: C0
    and C1 controls, DEL, bidirectional overrides), so a record holding one was made outside campaignsafe
    (and would reach the police reports raw). Its hash cannot tell: it is computed over what the file holds."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            if usertext.has_control(item):
                raise InputError(
                    f"{o.shown}: {where} holds control characters or bidirectional overrides, which campaignsafe "
                    "never records; nothing was imported",
                    code="bad_bundle",
                )
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)


def _list(o: reading.Opened, value: Any, where: str) -> list[Any]:
    """Who made an incident's amendments, as the file lists them (none given: an empty list)."""
    if value is None:
        return []
    if not isinstance(value, list):
        raise InputError(f"{o.shown}: who amended {where} is not a list; nothing was imported", code="bad_bundle")
    return value


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


#: an exhibit reference as campaignsafe gives one: the profile's initials (1 to 4 letters), '/', a number
_EXHIBIT_REF = re.compile(r"[A-Z]{1,4}/[1-9][0-9]{0,8}")


def _validate(o: reading.Opened, where: str, full: dict[str, Any]) -> None:
    from campaignsafe.incidents.models import STORED, Incident

    try:
        Incident.model_validate(full, context=STORED)
    except (ValidationError, ValueError, TypeError):
        raise InputError(f"{o.shown}: {where} is not a campaignsafe incident record", code="bad_bundle") from None
    _plain(o, where, full)
    for ev in full.get("evidence") or []:
        if not _EXHIBIT_REF.fullmatch(str(ev.get("exhibit_ref") if isinstance(ev, dict) else "")):
            raise InputError(
                f"{o.shown}: an exhibit of {where} has a reference campaignsafe never gives (initials, '/' and a "
                "number up to 999,999,999); nothing was imported",
                code="bad_bundle",
            )


# -- a bundle ----------------------------------------------------------------------------


def from_bundle(o: reading.Opened) -> tuple[dict[str, Any], Iterator[Incoming]]:
    """Who made the bundle, and the incidents of its ``incidents.json`` one at a time, each checked as it is
    read (never the whole document at once): InputError or VerifyError, from the iterator too, for what fails."""
    members = o.members(reading.BUNDLE_JSON, "incidents")
    for key, value in members:
        if key == "export":
            producer = _export_facts(o, value)
            return producer, _bundle_incidents(o, members, producer)
        if key in ("incidents", "incidents[]"):
            break
    raise InputError(f"{o.shown}: {reading.BUNDLE_JSON} is not a campaignsafe export", code="bad_bundle")


def _bundle_incidents(
    o: reading.Opened, members: Iterator[tuple[str, Any]], producer: dict[str, Any]
) -> Iterator[Incoming]:
    listed = False
    n = 0
    for key, value in members:
        if key in ("incidents", "incidents[]"):
            if key == "incidents" and value != []:
                raise InputError(f"{o.shown}: {reading.BUNDLE_JSON} is not a campaignsafe export", code="bad_bundle")
            listed = True
            if key == "incidents[]":
                n += 1
                yield _shaped(o, n, value, producer)
    if not listed:
        raise InputError(f"{o.shown}: {reading.BUNDLE_JSON} is not a campaignsafe export", code="bad_bundle")


def _export_facts(o: reading.Opened, meta: Any) -> dict[str, Any]:
    """The export's facts (its ``export`` member): the versions, refused when newer; who made it."""
    from campaignsafe.incidents.models import SCHEMA_VERSION

    if not isinstance(meta, dict):
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
    return _person(o, meta.get("producer"), "the person who made it")


def _shaped(o: reading.Opened, n: int, case: Any, producer: dict[str, Any]) -> Incoming:
    """:func:`_incoming`, with a part of the wrong type (a string for a list, a list for an object) refused."""
    try:
        return _incoming(o, n, case, producer)
    except (AttributeError, TypeError, KeyError):
        raise InputError(
            f"{o.shown}: incident {n} in {reading.BUNDLE_JSON} is not a campaignsafe export", code="bad_bundle"
        ) from None


def _incoming(o: reading.Opened, n: int, case: Any, producer: dict[str, Any]) -> Incoming:
    """One incident of the bundle, checked: its record against its hash, its files against the manifest."""
    from campaignsafe.incidents.audit import canonical_json

    rec = case.get("record") if isinstance(case, dict) else None
    if not isinstance(case, dict) or not isinstance(rec, dict):
        raise InputError(f"{o.shown}: incident {n} in {reading.BUNDLE_JSON} has no record", code="bad_bundle")
    iid = rec.get("id")  # named only when it is a number: never text from the file
    where = f"incident {iid if type(iid) is int and iid in STORED_INT else n} in {reading.BUNDLE_JSON}"
    if iid is not None and (type(iid) is not int or iid not in STORED_INT):
        raise InputError(f"{o.shown}: {where} has no valid id", code="bad_bundle")
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
                raise _disagrees(o, f"exhibit {ev.get('exhibit_ref')} of {where} is not the file the manifest lists")
            blobs[sha] = member
    raw_prov: Any = case.get("provenance")
    prov: dict[str, Any] | None = raw_prov if isinstance(raw_prov, dict) else None
    trail = [{"store_of": producer, "entries": case.get("audit", [])}]
    recorded_by = producer
    amendments_by = [producer] * len(rec.get("amendments", []))
    if prov is not None:  # they imported it in turn: keep the first recorder
        recorded_by = _person(o, prov.get("recorded_by"), f"the person who recorded {where}") or producer
        given = [_person(o, p, f"an amendment of {where}") for p in _list(o, prov.get("amendments_by"), where)]
        amendments_by = (given + amendments_by)[: len(amendments_by)]
        earlier = prov.get("source_audit")
        trail = (earlier if isinstance(earlier, list) else []) + trail
    locations = case.get("locations")
    place = locations[0] if isinstance(locations, list) and locations and isinstance(locations[0], dict) else {}
    if case.get("force_source") == "profile":  # the force it fell to in their export: their recorder's profile's
        recorded_by = _with_force(recorded_by, place.get("force_id"))
    elif case.get("force_source") is None and not place.get("force_id"):  # no place-based force, none in theirs
        recorded_by = {**recorded_by, "force_id": ""}  # said: a later import clears one an earlier one brought
    return Incoming(
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


# -- a backup ----------------------------------------------------------------------------


#: the backup's tables whose rows belong to one incident each, kept on disk by incident while the incidents are read
GROUPED = ("evidence", "amendments", "audit", "provenance")


def _group(o: reading.Opened, db: sqlite3.Connection) -> None:
    """Put the rows of :data:`GROUPED` into ``db``, by incident, in the order the backup lists them."""
    db.execute(
        "CREATE TABLE grouped (tbl TEXT, incident_id INTEGER, n INTEGER, row TEXT,"
        " PRIMARY KEY (tbl, incident_id, n)) WITHOUT ROWID"
    )
    # the import entries that brought a recorder's force for an incident already held (provenance.later_forces)
    db.execute("CREATE TABLE audit (seq, action TEXT, detail TEXT)")
    later: list[tuple[Any, str, str]] = []

    def own(table: str, rows: Iterator[tuple[int, dict[str, Any]]]) -> Iterator[tuple[str, int, int, str]]:
        for n, row in rows:
            if type(row.get("incident_id")) is int and row["incident_id"] in STORED_INT:
                yield table, row["incident_id"], n, json.dumps(row)  # escaped: a lone surrogate stays text
            elif table == "audit" and row.get("action") == "imported" and '"recorder_force"' in str(row.get("detail")):
                later.append((row.get("seq") if type(row.get("seq")) is int else None, "imported", str(row["detail"])))

    for table in GROUPED:
        name = f"{archive.STORE}{table}.jsonl"
        if name in o.digests:
            db.executemany("INSERT INTO grouped VALUES (?, ?, ?, ?)", own(table, enumerate(o.jsonl(name))))
    db.executemany("INSERT INTO audit VALUES (?, ?, ?)", later)


def _rows(db: sqlite3.Connection, table: str, iid: int) -> list[dict[str, Any]]:
    got = db.execute("SELECT row FROM grouped WHERE tbl = ? AND incident_id = ? ORDER BY n", (table, iid))
    return [json.loads(r[0]) for r in got]


def _loads(o: reading.Opened, text: Any, what: str) -> Any:
    try:
        return json.loads(text)
    except (TypeError, ValueError, RecursionError):
        raise InputError(f"{o.shown}: {what} is not JSON", code="bad_backup") from None


def from_backup(o: reading.Opened, db: sqlite3.Connection) -> tuple[dict[str, Any], Iterator[Incoming]]:
    """Who made the backup, and its incidents one at a time, each checked as it is read. Each incident's
    exhibits, amendments, audit trail and provenance wait in ``db`` (a scratch database) meanwhile."""
    _group(o, db)
    producer = _person(o, o.info.get("producer"), "the person who made it")
    return producer, _backup_incidents(o, db, producer)


def _backup_incidents(o: reading.Opened, db: sqlite3.Connection, producer: dict[str, Any]) -> Iterator[Incoming]:
    from campaignsafe.incidents.provenance import later_forces

    forces = later_forces(db)  # brought by their later imports: these stand in for the first import's
    for row in o.jsonl(f"{archive.STORE}incidents.jsonl"):
        iid, text = row.get("id"), row.get("record")
        if type(iid) is not int or iid not in STORED_INT or not isinstance(text, str):
            named = iid if type(iid) is int and iid in STORED_INT else "(with no valid id)"  # never the file's text
            raise InputError(f"{o.shown}: incident {named} of the backup is not a stored incident", code="bad_backup")
        where = f"incident {iid} of the backup"
        _check_record(o, where, text, row.get("record_sha256"))
        items = [_loads(o, e.get("item"), f"an exhibit of {where}") for e in _rows(db, "evidence", iid)]
        changes = [_loads(o, a.get("amendment"), f"an amendment of {where}") for a in _rows(db, "amendments", iid)]
        changes.sort(key=lambda a: a.get("number", 0) if isinstance(a, dict) else 0)
        full = {**_loads(o, text, where), "id": iid, "created_at": row.get("created_at")}
        _validate(o, where, {**full, "record_sha256": row["record_sha256"], "evidence": items, "amendments": changes})
        entries = []
        for a in _rows(db, "audit", iid):
            entries.append({**a, "detail": _loads(o, a.get("detail"), f"the audit trail of {where}")})
        trail = [{"store_of": producer, "entries": entries}]
        recorded_by, amendments_by = _with_force(producer, o.info.get("profile_force")), [producer] * len(changes)
        for p in _rows(db, "provenance", iid):
            raw = _loads(o, p.get("recorded_by"), where)
            recorded_by = _person(o, raw, f"the person who recorded {where}")
            force = forces.get(iid) or (raw.get("force_id") if isinstance(raw, dict) else None)
            recorded_by = _with_force(recorded_by, force) if recorded_by else producer
            given = [
                _person(o, x, f"an amendment of {where}")
                for x in _list(o, _loads(o, p.get("amendments_by"), where), where)
            ]
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
        yield Incoming(
            iid, _moment(o, row["created_at"], where), text, row["record_sha256"], items, changes,
            recorded_by, amendments_by, trail, blobs,
        )  # fmt: skip
