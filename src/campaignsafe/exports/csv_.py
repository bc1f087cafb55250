"""The CSV export: one row per incident (as it reads now), for a spreadsheet.

RFC 4180 with CRLF line ends, UTF-8, every cell neutralised against formula injection by
:mod:`campaignsafe.exports.csv_safe`. Lists (people, exhibits, reports) share one cell,
separated by `` | ``.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence

from campaignsafe.exports.csv_safe import neutralise, to_csv
from campaignsafe.exports.model import Case, ExportDocument
from campaignsafe.exports.text import person_text
from campaignsafe.incidents.when import iso

HEADER = (
    "id",
    "occurred_at",
    "time_known",
    "kind",
    "kind_label",
    "platform",
    "place",
    "postcode",
    "force_id",
    "force_name",
    "force_source",
    "nation",
    "description",
    "victims",
    "suspects",
    "witnesses",
    "others",
    "online_accounts",
    "vehicles",
    "impact_personal",
    "impact_campaign",
    "reported_to",
    "police_reported",
    "police_references",
    "exhibits",
    "exhibit_sha256",
    "amendments",
    "recorded_at",
    "record_sha256",
)
SEP = " | "


def _join(items: Sequence[str]) -> str:
    return SEP.join(i for i in items if i)


def row(case: Case) -> list[object]:
    """One incident's cells, in ``HEADER`` order."""
    ev, loc, people = case.event, case.locations[0], case.people
    impact = ev.impact
    return [
        case.id,
        iso(ev.occurred_at),
        "yes" if ev.time_known else "no",
        ev.kind,
        ev.kind_label,
        ev.platform,
        loc.text,
        loc.postcode,
        loc.force_id,
        loc.force_name,
        case.force_source,
        loc.nation,
        ev.description,
        _join([person_text(p) for p in people.victims]),
        _join([person_text(p) for p in people.suspects]),
        _join([person_text(p) for p in people.witnesses]),
        _join([person_text(p) for p in people.others]),
        _join([a.handle + (f" ({a.platform})" if a.platform else "") for a in case.objects.online_accounts]),
        _join([v.text("") for v in case.objects.vehicles]),
        impact.personal if impact else None,
        impact.campaign if impact else None,
        _join([r.label for r in case.reports]),
        "yes" if any(r.police for r in case.reports) else "no",
        _join([r.reference or "" for r in case.reports if r.police]),
        _join([f"{e.exhibit_ref} {e.description}" for e in case.objects.evidence]),
        _join([f"{e.exhibit_ref}={f.sha256}" for e in case.objects.evidence for f in e.files]),
        ev.amendments,
        iso(ev.recorded_at),
        ev.record_sha256,
    ]


def to_text(doc: ExportDocument) -> str:
    """The CSV text (header plus one row per incident)."""
    return to_csv(HEADER, (row(c) for c in doc.incidents))


class Rows:
    """The CSV a line at a time: :meth:`header`, then :meth:`line` for each incident."""

    def __init__(self) -> None:
        self._buf = io.StringIO()
        self._w = csv.writer(self._buf, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)

    def _take(self, cells: Sequence[object]) -> str:
        self._w.writerow([neutralise(v) for v in cells])
        text = self._buf.getvalue()
        self._buf.seek(0)
        self._buf.truncate()
        return text

    def header(self) -> str:
        return self._take(HEADER)

    def line(self, case: Case) -> str:
        return self._take(row(case))
