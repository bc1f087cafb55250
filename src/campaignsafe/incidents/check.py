"""``campaignsafe check``: re-prove everything the store holds from the data it already holds.

Every record is re-hashed against its stored SHA-256 and the hash its audit entry recorded; the
audit chain is walked; every table is cross-checked against the audit log (each incident,
amendment, exhibit and tombstone has its entry and each entry its row; the listing columns equal
what the record and its amendments say; ids and exhibit numbers are never reused; each exhibit
points at the file its entry names); and every stored evidence copy is re-hashed (``quick``
skips that). Findings name the incident, exhibit or audit entry, never what the user wrote.

What a check cannot see alone is a rewrite of records *and* the audit chain made consistently:
``anchor`` (the chain head an export stated) proves the chain still holds that entry unchanged.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from campaignsafe.errors import InputError
from campaignsafe.incidents import audit, backend, checkschema
from campaignsafe.incidents.audit import GENESIS, sha256_text
from campaignsafe.incidents.backend import Conn
from campaignsafe.incidents.checklog import Log, live, note, row_differs

_ANCHOR = re.compile(r"^\s*(\d{1,18})\s*:\s*([0-9a-fA-F]{64})\s*$")


@dataclass(frozen=True)
class Finding:
    """One thing that does not hold: what it is about, a stable code and a one-line reason."""

    subject: str  # "incident 3", "exhibit JS/2", "audit entry 7" or "the store"
    code: str
    message: str

    def as_dict(self) -> dict[str, str]:
        return {"subject": self.subject, "code": self.code, "message": self.message}

    def line(self) -> str:
        return f"{self.subject}: {self.message}"


@dataclass(frozen=True)
class Head:
    """The audit chain's newest entry: what an export states so a later rewrite shows."""

    seq: int
    sha256: str

    def text(self) -> str:
        return f"{self.seq}:{self.sha256}"

    def as_dict(self) -> dict[str, Any]:
        return {"seq": self.seq, "sha256": self.sha256}


@dataclass
class Report:
    """What the check looked at and what it found."""

    findings: list[Finding] = field(default_factory=list)
    incidents: int = 0
    exhibits: int = 0
    audit_entries: int = 0
    files_checked: int | None = None  # None: --quick, stored copies not re-hashed
    head: Head | None = None
    anchor: dict[str, Any] | None = None
    #: migrations the store lacks: it was checked as it is (an older campaignsafe's), not upgraded
    pending_migrations: list[str] = field(default_factory=list)
    #: an HQ role's check of every campaign: each one's counts and audit head (its findings are named by it)
    campaigns: list[dict[str, Any]] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return not self.findings

    @property
    def older_store(self) -> bool:
        """Whether the store is merely from an older campaignsafe: it lacks migrations, and its log was not altered."""
        return bool(self.pending_migrations) and not any(f.code in checkschema.CODES for f in self.findings)

    def add(self, subject: str, code: str, message: str) -> None:
        self.findings.append(Finding(subject, code, message))

    def as_dict(self) -> dict[str, Any]:
        return {
            "passed": self.passed,
            "incidents": self.incidents,
            "exhibits": self.exhibits,
            "audit_entries": self.audit_entries,
            "files_checked": self.files_checked,
            "audit_head": self.head.as_dict() if self.head else None,
            "anchor": self.anchor,
            "pending_migrations": self.pending_migrations,
            "findings": [f.as_dict() for f in self.findings],
            **({"campaigns": self.campaigns} if self.campaigns else {}),
        }


def parse_anchor(text: str) -> Head:
    """``SEQ:HASH`` (as an export states the audit chain head), or the JSON's ``audit_head`` object copied whole
    (``{"seq": 12, "sha256": "…"}``) → Head; InputError otherwise."""
    if text.lstrip().startswith("{"):
        text = _from_json(text)
    m = _ANCHOR.match(text)
    if not m:
        raise InputError(
            "--anchor must be SEQ:SHA256, e.g. 12:3f5a… (64 hex digits)",
            "copy it from the report's cover, the JSON's audit_head or the email draft",
            code="bad_anchor",
        )
    return Head(int(m.group(1)), m.group(2).lower())


def _from_json(text: str) -> str:
    import json

    try:
        got = json.loads(text)
    except (ValueError, RecursionError):  # RecursionError: nested far too deep to be an audit_head
        return text
    if isinstance(got, dict) and type(got.get("seq")) is int and isinstance(got.get("sha256"), str):
        return f"{got['seq']}:{got['sha256']}"
    return text


def head(conn: Conn) -> Head | None:
    """The audit chain's newest entry (None for an empty log)."""
    row = conn.execute("SELECT seq, sha256 FROM audit ORDER BY seq DESC LIMIT 1").fetchone()
    return Head(int(row[0]), str(row[1])) if row else None


def run(conn: Conn, *, quick: bool = False, anchor: Head | None = None) -> Report:
    """Check the open store behind ``conn`` (read only)."""
    report = Report()
    _structure(conn, report)
    with _audit(conn, report, anchor) as log:
        checkschema.protections(conn, report, log)
        _incidents(conn, report, log)
        _evidence(conn, report, log, quick)
        _origins(conn, report, log)
    return report


def _tables(conn: Conn) -> set[str]:
    return backend.tables(conn)


def _structure(conn: Conn, report: Report) -> None:
    rows = backend.integrity_rows(conn)
    if rows != ["ok"]:
        report.add(
            "the store",
            "store_damaged",
            f"SQLite's quick_check fails ({len(rows)} problem{'' if len(rows) == 1 else 's'})",
        )


def _origins(conn: Conn, report: Report, log: Log) -> None:
    """Who recorded each imported incident (``provenance``) and each import (``imports``), against the log."""
    have = _tables(conn)
    if "provenance" in have:
        held = {int(r[0]) for r in conn.execute("SELECT id FROM incidents")}
        seen: set[int] = set()
        for row in conn.execute(
            "SELECT incident_id, recorded_by, source_id, amendments_by, source_audit, import_seq FROM provenance"
        ):
            iid, seq = row[0], row[5]
            subject = f"incident {iid}"
            seen.add(iid)
            logged = log.imported.get(iid)
            if logged is None:
                report.add(
                    subject,
                    "provenance_unlogged",
                    "is said to be recorded by someone else, but no import in the audit log brought it in",
                )
                continue
            if seq != logged:
                report.add(
                    subject, "provenance_altered", f"its provenance names another import than audit entry {logged}"
                )
            bad = row_differs(log, ("provenance", iid), tuple(row))
            if bad is not None:
                report.add(
                    subject,
                    "provenance_altered",
                    f"who recorded it, or its trail, no longer matches what audit entry {bad} recorded (edited)",
                )
        for iid, seq in sorted(log.imported.items()):
            if iid in held and iid not in seen:
                report.add(
                    f"incident {iid}",
                    "provenance_removed",
                    f"who recorded it (imported by audit entry {seq}) is missing from the store (deleted)",
                )
    if "imports" not in have:
        return
    listed: set[int] = set()
    for row in conn.execute("SELECT seq, at, kind, manifest_sha256, signer, producer FROM imports"):
        seq = row[0]
        subject = f"audit entry {seq}"
        detail = log.imports.get(seq)
        if detail is None:
            report.add(subject, "import_unlogged", "an import is listed that the audit log does not record")
            continue
        listed.add(seq)
        kept = detail.get("import_sha256")
        if isinstance(kept, str):
            altered = audit.row_digest("imports", tuple(row)) != kept
        else:  # an import from before row hashes: what its entry did record
            who = _json(row[5])
            named = (detail.get("kind"), detail.get("manifest_sha256"), detail.get("signer"))
            altered = (row[2], row[3], row[4]) != named
            altered = altered or not isinstance(who, dict) or who.get("initials") != detail.get("producer")
        if altered:
            report.add(
                subject,
                "import_altered",
                "the import it records (the file's hash, its signer or who made it) has been edited",
            )
    for seq in sorted(set(log.imports) - listed):
        report.add(f"audit entry {seq}", "import_removed", "the import it records is missing from the store (deleted)")


def _json(text: Any) -> Any:
    try:
        return json.loads(text)
    except (TypeError, ValueError, RecursionError):
        return None


def _audit(conn: Conn, report: Report, anchor: Head | None) -> Log:
    log = Log()
    prev, expected = GENESIS, 1
    hashes: dict[int, str] = {}  # only the anchor's entry: a store's whole log would not fit in memory
    hash_of: int | None = None  # the entry whose hash the anchor gives (another than its number: a copying slip)
    chain_bad: set[int] = set()
    for seq, at, action, iid, text, prev_sha, sha in conn.execute(f"SELECT {audit.COLUMNS} FROM audit ORDER BY seq"):
        report.audit_entries += 1
        subject = f"audit entry {seq}"
        if seq != expected:
            gap = f"{expected}" if seq == expected + 1 else f"{expected}–{seq - 1}"
            report.add(subject, "audit_gap", f"entries {gap} before it are missing (removed)")
        detail = _json(text)
        if prev_sha != prev:
            report.add(subject, "audit_chain_broken", "does not chain to the entry before it (removed or reordered)")
            chain_bad.add(seq)
        if detail is None or audit.digest(prev_sha, seq, at, action, iid, detail) != sha:
            report.add(subject, "audit_entry_altered", "its contents no longer match its hash (edited)")
            chain_bad.add(seq)
        if anchor is not None and seq == anchor.seq:
            hashes[seq] = sha
        if anchor is not None and sha == anchor.sha256:
            hash_of = seq
        prev, expected = sha, seq + 1
        note(log, seq, action, iid, detail if isinstance(detail, dict) else {})
    report.head = head(conn)
    high = backend.sequence_high(conn, "audit")
    last = report.head.seq if report.head else 0
    if high and high > last:
        report.add(f"audit entry {last + 1}", "audit_tail_removed", f"entries {last + 1}–{high} have been removed")
    if anchor is not None:
        holds = hashes.get(anchor.seq) == anchor.sha256 and not any(s <= anchor.seq for s in chain_bad)
        report.anchor = {**anchor.as_dict(), "holds": holds}
        if not holds and hash_of is not None and hash_of != anchor.seq and not chain_bad:
            report.add(  # the hash is in the chain unchanged, under another number: mistyped, not tampered with
                f"audit entry {anchor.seq}",
                "anchor_misnumbered",
                f"the anchor you gave has the hash of audit entry {hash_of}, not {anchor.seq}: check the number"
                f" you copied ({hash_of}:{anchor.sha256[:12]}… holds)",
            )
        elif not holds:
            why = (
                "is missing: the record has no such entry"
                if anchor.seq not in hashes
                else "does not match it: the entry has changed since that export, or the anchor was copied wrongly"
                " or from another record"
            )
            report.add(f"audit entry {anchor.seq}", "anchor_mismatch", f"the anchor you gave {why}")
    return log


def _incidents(conn: Conn, report: Report, log: Log) -> None:
    from campaignsafe.incidents.models import STORED, Incident
    from campaignsafe.incidents.store import listing_values

    cols = "id, created_at, record, record_sha256, " + ", ".join(_LISTING)
    rows = {int(r[0]) for r in conn.execute("SELECT id FROM incidents")}  # the records are read one at a time
    report.incidents = len(rows)
    amendments: dict[int, dict[int, Any]] = defaultdict(dict)
    for iid, number, at, text in conn.execute("SELECT incident_id, number, at, amendment FROM amendments"):
        try:
            amendments[int(iid)][int(number)] = text
        except (TypeError, ValueError):  # its incident or number changed in the store to something else (bytes)
            report.add("the store", "amendment_unreadable", "an amendment's incident or number is not a number")
            continue
        seq = row_differs(log, ("amendments", (iid, number)), (iid, number, at, text))
        if seq is not None:
            report.add(
                f"incident {iid}",
                "amendment_altered",
                f"amendment {number} no longer matches what audit entry {seq} recorded (its values were changed)",
            )
    for iid, twice in log.reused_ids():
        seqs = " and ".join(str(s) for s in twice)
        report.add(f"incident {iid}", "id_reused", f"its id was given twice (audit entries {seqs})")
    high = backend.sequence_high(conn, "incidents")
    top = max(log.top_created(), max(rows, default=0))
    if top and (high is None or high < top):
        report.add(
            "the store", "ids_reset", f"the id counter was set back: the next incident would reuse an id ≤ {top}"
        )
    for iid in log.created_ids():
        if iid not in rows and live(log, iid):
            report.add(f"incident {iid}", "incident_removed", "missing from the store with no tombstone (deleted)")
    for row in conn.execute(f"SELECT {cols} FROM incidents ORDER BY id"):
        iid = int(row[0])
        subject = f"incident {iid}"
        made = log.created(iid)
        if not made:
            report.add(subject, "no_audit_entry", "has no entry in the audit log (added outside campaignsafe)")
        elif not live(log, iid):
            report.add(subject, "deleted_but_present", "the audit log says it was deleted, but it is in the store")
        record, digest = str(row[2]), str(row[3])
        if sha256_text(record) != digest:
            report.add(subject, "record_altered", "its record no longer matches its SHA-256 (the words were changed)")
        if made and made[-1][1] != digest:
            report.add(
                subject,
                "record_replaced",
                f"its SHA-256 is not the one the audit log recorded when it was made (entry {made[-1][0]})",
            )
        seq = row_differs(log, ("incidents", iid), (row[1], record, digest))
        if seq is not None:
            report.add(
                subject,
                "row_altered",
                f"its stored record, hash or time of recording differs from what audit entry {seq} recorded",
            )
        _amendments(report, subject, log.amended(iid), amendments.get(iid, {}))
        data = _json(record)
        try:
            full = {"id": iid, "created_at": row[1], "record_sha256": digest, **data}
            full["amendments"] = [_json(amendments[iid][n]) for n in sorted(amendments.get(iid, {}))]
            current = Incident.model_validate(full, context=STORED).current()
        except Exception:  # any shape at all: a damaged record is a finding, never a crash
            report.add(subject, "record_unreadable", "its record or an amendment cannot be read")
            continue
        expected = listing_values(current)
        for i, name in enumerate(_LISTING):
            if row[4 + i] != expected[name]:
                report.add(subject, "listing_altered", f"the list's {name} differs from its record and amendments")


_LISTING = (
    "occurred_utc",
    "occurred_at",
    "time_known",
    "kind",
    "place",
    "postcode",
    "force_id",
    "force_name",
    "reports",
    "police_reported",
    "amendment_count",
)


def _amendments(report: Report, subject: str, logged: dict[int, tuple[int, list[str]]], rows: dict[int, Any]) -> None:
    for number in sorted(set(logged) - set(rows)):
        report.add(
            subject, "amendment_removed", f"amendment {number} is missing (deleted; audit entry {logged[number][0]})"
        )
    for number in sorted(set(rows) - set(logged)):
        report.add(subject, "amendment_unlogged", f"amendment {number} has no audit entry (added outside campaignsafe)")
    for number in sorted(set(rows) & set(logged)):
        data = _json(rows[number])
        changes = data.get("changes") if isinstance(data, dict) else None
        fields = [c.get("field") for c in changes if isinstance(c, dict)] if isinstance(changes, list) else None
        if fields != logged[number][1]:
            report.add(
                subject, "amendment_altered", f"amendment {number} changes other fields than its audit entry says"
            )


def _evidence(conn: Conn, report: Report, log: Log, quick: bool) -> None:
    from campaignsafe.incidents import blobs

    seen: dict[str, str] = {}
    numbers = {str(p): int(n) for p, n in conn.execute("SELECT producer, last FROM exhibit_numbers")}
    used: dict[str, int] = defaultdict(int)
    # whether each exhibit's incident is in the store comes with its row, and the references held go to the
    # log's disk (a set of every reference and incident id was the largest thing a check kept)
    for iid, ref, added, file_sha, shot_sha, text, orphaned in conn.execute(
        "SELECT e.incident_id, e.exhibit_ref, e.added_at, e.file_sha256, e.screenshot_sha256, e.item,"
        " i.id IS NULL FROM evidence e LEFT JOIN incidents i ON i.id = e.incident_id ORDER BY e.id"
    ):
        report.exhibits += 1
        subject = f"exhibit {ref}"
        log.hold(ref)
        seq = row_differs(log, ("evidence", ref), (iid, ref, added, file_sha, shot_sha, text))
        if seq is not None:
            report.add(
                subject, "exhibit_edited", f"its entry no longer matches what audit entry {seq} recorded (edited)"
            )
        item = _json(text)
        named = (
            [f.get("sha256") for f in (item.get("file"), item.get("screenshot")) if isinstance(f, dict)]
            if isinstance(item, dict)
            else None
        )
        hashes = _sorted_texts(named) if named is not None else None
        if hashes is None:
            report.add(subject, "exhibit_unreadable", "its entry cannot be read")
        elif _sorted_texts([h for h in (file_sha, shot_sha) if h]) != hashes:  # a column made bytes: altered
            report.add(subject, "exhibit_altered", "its file columns do not match its entry")
        entries = log.exhibits(ref)
        if not entries:
            report.add(subject, "no_audit_entry", "has no entry in the audit log (added outside campaignsafe)")
        else:
            seq, logged_iid, logged = entries[-1]
            if logged_iid != iid:
                report.add(
                    subject, "exhibit_moved", f"was added to incident {logged_iid} but is now under incident {iid}"
                )
            if hashes is not None and logged != hashes:
                report.add(subject, "exhibit_repointed", f"points at another stored file than audit entry {seq} names")
        if orphaned:
            report.add(subject, "exhibit_orphaned", f"its incident {iid} is not in the store")
        for sha in [] if quick else hashes or []:  # the quick check re-hashes no copies: nothing to keep
            seen.setdefault(sha, subject)
        producer, _slash, num = str(ref).rpartition("/")
        if num.isdigit():
            used[producer] = max(used[producer], int(num))
    for ref, held, entries in log.all_exhibits():
        producer, _slash, num = ref.rpartition("/")
        if num.isdigit():
            used[producer] = max(used[producer], int(num))
        if len(entries) > 1:
            report.add(f"exhibit {ref}", "exhibit_reused", "its reference was given twice")
        iid = entries[-1][1]
        if held or iid is None:
            continue
        tombs = log.deleted(iid)
        if not any(ref in (d.get("exhibits") or []) for _s, d in tombs):
            report.add(f"exhibit {ref}", "exhibit_removed", f"of incident {iid} is missing from the store (deleted)")
    for producer, top in sorted(used.items()):
        if numbers.get(producer, 0) < top:
            report.add(
                f"exhibits {producer}/…", "numbers_reset", f"numbering was set back: {producer}/{top} could be reused"
            )
    if quick:
        return
    report.files_checked = 0
    copies = blobs.of(conn)
    where = "the database" if backend.is_pg(conn) else "the data folder"
    for sha, subject in sorted(seen.items(), key=lambda kv: kv[1]):
        report.files_checked += 1
        if not copies.exists(sha):
            report.add(subject, "copy_missing", f"its stored copy is missing from {where}")
        elif not copies.intact(sha):
            report.add(subject, "copy_altered", "its stored copy no longer matches its SHA-256")


def _sorted_texts(values: list[Any]) -> list[str] | None:
    """The values sorted, when every one is text (None: one was changed in the store to something else)."""
    return sorted(values) if all(isinstance(v, str) for v in values) else None


def record_findings(conn: Conn, incident_id: int) -> list[Finding]:
    """For ``incidents show``: whether this one record still matches its SHA-256 and its audit entry."""
    row = conn.execute("SELECT record, record_sha256 FROM incidents WHERE id = ?", (incident_id,)).fetchone()
    if row is None:
        return []
    report = Report()
    subject = f"incident {incident_id}"
    if sha256_text(str(row[0])) != row[1]:
        report.add(subject, "record_altered", "its record no longer matches its SHA-256 (the words were changed)")
    # made here, or brought in by an import: the ``imported`` entry its provenance names (not every import's,
    # which would make each ``show`` read every import ever made)
    has_table = backend.has_table(conn, "provenance")  # (a store from before imports has none)
    origin = has_table and _has_provenance(conn, incident_id)
    its_import = "seq IN (SELECT import_seq FROM provenance WHERE incident_id = ?)"
    made = _made(conn, incident_id, its_import, (incident_id,)) if origin else _made(conn, incident_id)
    if not made and has_table and not origin:  # no 'created' entry and no provenance: was its provenance removed?
        made = _made(conn, incident_id, "action = 'imported'")  # (every import read: only for a record in doubt)
        if made:
            report.add(subject, "provenance_removed", "who recorded it (an import brought it in) is missing (deleted)")
    if not made and origin:
        report.add(subject, "provenance_altered", "its provenance and the import it names disagree (one was edited)")
    elif not made or made[-1][1] != row[1]:
        report.add(subject, "record_replaced", "its SHA-256 is not the one the audit log recorded when it was made")
    return report.findings


def _made(conn: Conn, incident_id: int, imports: str = "", args: tuple[Any, ...] = ()) -> list[Any]:
    """What the audit log says of how incident ``incident_id`` was made: its 'created' entry, or (``imports``: a
    condition on the entries to read, with ``args`` for its placeholders) the import that brought it in."""
    extra = f" OR ({imports})" if imports else ""
    with Log() as log:
        for seq, action, iid, detail in conn.execute(
            f"SELECT seq, action, incident_id, detail FROM audit WHERE (incident_id = ? AND action = 'created'){extra}"
            " ORDER BY seq",
            (incident_id, *args),
        ):
            logged = _json(detail)
            if isinstance(logged, dict):
                note(log, int(seq), str(action), iid, logged)
        return list(log.created(incident_id))


def _has_provenance(conn: Conn, incident_id: int) -> bool:
    return conn.execute("SELECT 1 FROM provenance WHERE incident_id = ?", (incident_id,)).fetchone() is not None
