"""Writing to the incident store: new records, exhibits numbered per producer, amendments, deletion after a tombstone.

:class:`Recording` is the writing half of :class:`campaignsafe.incidents.store.Store` (which opens the
store, holds the transaction and reads); every write here runs inside ``Store._tx`` and logs an audit entry.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from pydantic import ValidationError

from campaignsafe.errors import InputError
from campaignsafe.incidents import audit, backend, schema
from campaignsafe.incidents.audit import canonical_json, sha256_text
from campaignsafe.incidents.listing import utc_key
from campaignsafe.incidents.models import (
    EDITABLE,
    STORED,
    Amendment,
    Change,
    Evidence,
    Incident,
    IncidentIn,
    Location,
    StoredFile,
)
from campaignsafe.incidents.problems import Problems, pydantic_problems
from campaignsafe.incidents.when import iso, now


@dataclass
class NewEvidence:
    """An exhibit ready to be numbered: everything but its reference."""

    type: str
    added_at: datetime
    file: StoredFile | None = None
    url: str | None = None
    platform: str | None = None
    seen_at: datetime | None = None
    screenshot: StoredFile | None = None
    note: str | None = None


@dataclass
class Deleted:
    """What a delete removed: the incident id, its exhibit references and the hashes no longer used."""

    id: int
    exhibits: list[str]
    unused_files: list[str] = field(default_factory=list)
    #: unused copies kept because another command held the evidence folder too long (they only take space)
    kept_files: list[str] = field(default_factory=list)


class Recording:
    """The writes of an open store (mixed into ``Store``, which provides the connection, transaction and reads)."""

    conn: backend.Conn
    path: backend.Where

    @property
    def is_server(self) -> bool:
        raise NotImplementedError

    def _tx(self) -> contextlib.AbstractContextManager[None]:
        raise NotImplementedError

    def _require(self, incident_id: int) -> None:
        raise NotImplementedError

    def _load(self, incident_id: int) -> Incident:
        raise NotImplementedError

    def get(self, incident_id: int) -> Incident:
        raise NotImplementedError

    def _audit(self, action: str, incident_id: int | None, detail: dict[str, Any]) -> None:
        audit.append(self.conn, action, incident_id, detail)

    # -- writing -------------------------------------------------------------------------------

    def add(
        self, items: Sequence[tuple[IncidentIn, Location, Sequence[NewEvidence]]], producer: str | None
    ) -> list[Incident]:
        """Store incidents (with their exhibits) in one transaction: all of them or none."""
        ids: list[int] = []
        with self._tx():
            for incident, location, exhibits in items:
                created = iso(now())
                record = incident.model_dump(mode="json", exclude={"evidence", "location"})
                record["location"] = location.model_dump(mode="json")
                text = canonical_json(record)
                digest = sha256_text(text)
                iid = self.insert_incident(created, text, digest)
                self._refresh(iid, Incident.model_validate(record_data(iid, created, digest, record), context=STORED))
                row = audit.row_digest("incidents", (created, text, digest))
                self._audit("created", iid, {"record_sha256": digest, "row_sha256": row})
                self._exhibits(iid, exhibits, producer)
                ids.append(iid)
        return [self.get(i) for i in ids]

    def insert_incident(self, created: str, record_text: str, digest: str) -> int:
        """Insert an original record (inside a write transaction; listing columns filled by ``_refresh``): its id."""
        row = self.conn.execute(
            "INSERT INTO incidents (created_at, record, record_sha256, occurred_utc, occurred_at, time_known,"
            " kind, place) VALUES (?,?,?,?,?,?,?,?) RETURNING id",
            (created, record_text, digest, "", "", 0, "", ""),
        ).fetchone()
        return int(row[0])

    def raise_number(self, producer: str, last: int) -> None:
        """Make ``producer``'s last exhibit number at least ``last`` (inside a write transaction)."""
        cur = self.conn.execute(
            "UPDATE exhibit_numbers SET last = ? WHERE producer = ? AND last < ?", (last, producer, last)
        )
        if (
            cur.rowcount == 0
            and not self.conn.execute("SELECT 1 FROM exhibit_numbers WHERE producer = ?", (producer,)).fetchone()
        ):
            self.conn.execute("INSERT INTO exhibit_numbers (producer, last) VALUES (?, ?)", (producer, last))

    def add_evidence(
        self, incident_id: int, exhibits: Sequence[NewEvidence], producer: str | None
    ) -> list[tuple[Evidence, bool]]:
        """Add exhibits to an incident: each with True when new, False when that file was already an exhibit."""
        with self._tx():
            self._require(incident_id)
            refs = self._exhibits(incident_id, exhibits, producer)
        by_ref = {e.exhibit_ref: e for e in self.get(incident_id).evidence}
        return [(by_ref[ref], new) for ref, new in refs]

    def _exhibits(
        self, incident_id: int, exhibits: Sequence[NewEvidence], producer: str | None
    ) -> list[tuple[str, bool]]:
        refs: list[tuple[str, bool]] = []
        for ex in exhibits:
            sha = ex.file.sha256 if ex.file is not None else None
            if sha and ex.type == "file":
                dup = self.conn.execute(
                    "SELECT exhibit_ref FROM evidence WHERE incident_id = ? AND file_sha256 = ?", (incident_id, sha)
                ).fetchone()
                if dup:
                    refs.append((dup[0], False))
                    continue
            if not producer:
                raise InputError(
                    "exhibit references need your initials",
                    "set them once: campaignsafe profile --name 'Jo Smith' --initials JS",
                    code="no_initials",
                )
            row = self.conn.execute("SELECT last FROM exhibit_numbers WHERE producer = ?", (producer,)).fetchone()
            number = (row[0] if row else 0) + 1
            self.raise_number(producer, number)
            item = Evidence(exhibit_ref=f"{producer}/{number}", **ex.__dict__)
            shot = item.screenshot.sha256 if item.screenshot else None
            values = (incident_id, item.exhibit_ref, iso(item.added_at), sha, shot, item.model_dump_json())
            self.conn.execute(
                "INSERT INTO evidence (incident_id, exhibit_ref, added_at, file_sha256, screenshot_sha256, item)"
                " VALUES (?,?,?,?,?,?)",
                values,
            )
            self._audit(
                "evidence-added",
                incident_id,
                {
                    "exhibit_ref": item.exhibit_ref,
                    "type": item.type,
                    "sha256": item.hashes(),
                    "row_sha256": audit.row_digest("evidence", values),
                },
            )
            refs.append((item.exhibit_ref, True))
        return refs

    def amend(self, incident_id: int, new: dict[str, Any], reason: str | None = None) -> Incident:
        """Record a dated amendment changing ``new``'s fields; the original stays as it was."""
        with self._tx():
            current = self._load(incident_id).current()
            before = current.model_dump(mode="json")
            unknown = sorted(set(new) - set(EDITABLE))
            if unknown:
                raise InputError(f"cannot amend {', '.join(unknown)}", code="not_editable")
            try:
                after = Incident.model_validate({**before, **_jsonable(new)}, context=STORED).model_dump(mode="json")
            except ValidationError as exc:
                raise Problems(pydantic_problems(exc)) from None
            changes = [
                Change(field=k, old=before.get(k), new=after[k])
                for k in EDITABLE
                if k in new and canonical_json(before.get(k)) != canonical_json(after[k])
            ]
            if not changes:
                raise InputError("nothing would change: the new values are the same as the record's", code="no_change")
            number = len(current.amendments) + 1
            amendment = Amendment(number=number, at=now().replace(microsecond=0), reason=reason, changes=changes)
            values = (incident_id, number, iso(amendment.at), amendment.model_dump_json())
            self.conn.execute("INSERT INTO amendments (incident_id, number, at, amendment) VALUES (?,?,?,?)", values)
            self._refresh(incident_id, self._load(incident_id).current())
            fields = [c.field for c in changes]
            self._audit(
                "amended",
                incident_id,
                {"number": number, "fields": fields, "row_sha256": audit.row_digest("amendments", values)},
            )
        return self.get(incident_id)

    def delete(self, incident_id: int) -> Deleted:
        """Delete an incident, keeping a tombstone (no text) in the audit log."""
        with self._tx():
            incident = self._load(incident_id)
            refs = [e.exhibit_ref for e in incident.evidence]
            hashes = sorted({h for e in incident.evidence for h in e.hashes()})
            tomb = {"kind": incident.kind, "record_sha256": incident.record_sha256, "exhibits": refs, "sha256": hashes}
            tomb["created_at"] = iso(incident.created_at)
            self._audit("deleted", incident_id, tomb)  # first: the triggers allow a delete only after its tombstone
            if self.is_server:  # the tool's roles may not DELETE records: the schema's function does it
                self.conn.execute("SELECT campaignsafe_delete_incident(?)", (incident_id,))
            else:
                for table in ("evidence", "amendments", "provenance"):
                    self.conn.execute(f"DELETE FROM {table} WHERE incident_id = ?", (incident_id,))
                self.conn.execute("DELETE FROM incidents WHERE id = ?", (incident_id,))
        return Deleted(incident_id, refs, [h for h in hashes if not self.file_in_use(h)])

    def file_in_use(self, sha256: str) -> bool:
        """Whether any exhibit still holds the stored file with this hash."""
        q = "SELECT 1 FROM evidence WHERE file_sha256 = ? OR screenshot_sha256 = ? LIMIT 1"
        with schema.errors(self.path):
            return self.conn.execute(q, (sha256, sha256)).fetchone() is not None

    def _refresh(self, iid: int, cur: Incident) -> None:
        """Keep the listing columns in step with the record as it now reads."""
        values = listing_values(cur)
        self.conn.execute(
            f"UPDATE incidents SET {', '.join(f'{k}=?' for k in values)} WHERE id=?", (*values.values(), iid)
        )


def listing_values(cur: Incident) -> dict[str, Any]:
    """The listing columns as the record plus its amendments say (``cur`` is ``Incident.current()``)."""
    return {
        "occurred_utc": utc_key(cur.occurred_at),
        "occurred_at": iso(cur.occurred_at),
        "time_known": int(cur.time_known),
        "kind": cur.kind,
        "place": cur.location.text,
        "postcode": cur.location.postcode,
        "force_id": cur.location.force_id,
        "force_name": cur.location.force_name,
        "reports": json.dumps([r.model_dump(include={"to", "platform", "reference"}) for r in cur.reports]),
        "police_reported": int(cur.police_reported),
        "amendment_count": len(cur.amendments),
    }


def record_data(iid: int, created: str, digest: str, record: dict[str, Any]) -> dict[str, Any]:
    """A stored record as the Incident model reads it (its id, when and hash beside what it says)."""
    return {"id": iid, "created_at": created, "record_sha256": digest, **record}


def _jsonable(values: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for k, v in values.items():
        if hasattr(v, "model_dump"):
            out[k] = v.model_dump(mode="json")
        elif isinstance(v, list):
            out[k] = [x.model_dump(mode="json") if hasattr(x, "model_dump") else x for x in v]
        elif isinstance(v, datetime):
            out[k] = iso(v)
        else:
            out[k] = v
    return out
