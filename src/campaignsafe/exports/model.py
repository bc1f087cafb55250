"""The JSON export as pydantic models: a case as a police records system sees one.

The document has the export's own facts (``export``: schema, time, tool and data versions,
the producer, the selection, the forces and the saved SPOC), a course-of-conduct
``summary``, and one entry per incident grouped the way case systems group a crime report:
the ``event``, the ``people`` (the person reporting, victims, suspects, witnesses), the
``objects`` (vehicles, online accounts, evidence items with exhibit references and hashes),
the ``locations`` and the ``reports`` made so far. The case view reads as the incident reads
now; ``record`` holds the incident exactly as stored (the original, its exhibits and its
amendments, with the field names of ``report --from-file`` and ``incidents show --json``),
and ``audit`` its audit trail.

``schema/incident-export.schema.json`` is generated from :class:`ExportDocument` by
``scripts/export_schema.py``; bump :data:`EXPORT_SCHEMA_VERSION` when a change is not
purely additive.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from campaignsafe.incidents.models import AuditEntry, Impact, Incident, Location, Person, Vehicle

EXPORT_SCHEMA_VERSION = 1
SCHEMA_ID = f"urn:campaignsafe:incident-export:{EXPORT_SCHEMA_VERSION}"
SCHEMA_FILE = "incident-export.schema.json"


class Out(BaseModel):
    """Base of every export model: no field beyond those declared."""

    model_config = ConfigDict(extra="forbid")


class Dataset(Out):
    """A dataset built into the tool: its id, name, version and date."""

    id: str
    name: str
    version: str
    date: str


class Tool(Out):
    """The program that made the export and the data inside it."""

    name: Literal["campaignsafe"] = "campaignsafe"
    version: str
    record_schema_version: int = Field(description="version of the incident record (`record`)")
    datasets: list[Dataset]


class Producer(Out):
    """The person reporting (the maker of the statement and producer of the exhibits), from the profile."""

    name: str | None = None
    role: str | None = None
    constituency: str | None = None
    phone: str | None = None
    email: str | None = None
    initials: str | None = Field(default=None, description="the prefix of the exhibit references")


class Contact(Out):
    """A police contact the user saved for a force (election SPOC, adviser or officer)."""

    role: str
    role_label: str
    name: str | None = None
    phone: str | None = None
    email: str | None = None
    notes: str | None = None


class Force(Out):
    """A police force the exported incidents fall to, its reporting routes and the saved contacts."""

    id: str
    name: str
    incidents: int = Field(description="how many exported incidents fall to this force")
    from_profile: bool = Field(description="true when only the profile's force names it (no place-based force)")
    non_emergency: str
    report_online: str | None = None
    online: str = Field(
        "", description="how to report online: the verified link, else the force's own words, else through its website"
    )
    website: str | None = None
    contacts: list[Contact]


class Selection(Out):
    """Which incidents were asked for."""

    all: bool
    ids: list[int]
    since: datetime | None = None
    until: datetime | None = None
    kinds: list[str]
    force_id: str | None = None


class AuditHead(Out):
    """The audit chain's newest entry when the export was made: ``campaignsafe check --anchor SEQ:SHA256``."""

    seq: int
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")


class CheckFinding(Out):
    """One thing ``campaignsafe check`` found that does not hold (names an incident, exhibit or audit entry)."""

    subject: str
    code: str
    message: str


class Integrity(Out):
    """What ``campaignsafe check`` said of the record when it was exported, and who signed the bundle."""

    passed: bool
    exported_despite_findings: bool
    findings: list[CheckFinding]
    audit_head: AuditHead | None
    signing_key: str | None = Field(None, description="Fingerprint of the bundle signing key, as ssh-keygen -l shows")


class ExportMeta(Out):
    """The export's own facts."""

    schema_id: Literal["urn:campaignsafe:incident-export:1"] = "urn:campaignsafe:incident-export:1"
    schema_version: Literal[1] = 1
    exported_at: datetime
    tool: Tool
    producer: Producer
    selection: Selection
    forces: list[Force]
    integrity: Integrity | None = None


class KindCount(Out):
    """How many incidents of one kind."""

    kind: str
    label: str
    count: int


class MonthCount(Out):
    """How many incidents in one calendar month (Europe/London), by kind."""

    month: str = Field(pattern=r"^\d{4}-\d{2}$")
    count: int
    by_kind: dict[str, int]


class Summary(Out):
    """The course of conduct: how many, over what period, by kind and by month."""

    incidents: int
    first: datetime | None = None
    last: datetime | None = None
    days: int = Field(description="calendar days from the first incident to the last, both counted")
    reported_to_police: int
    exhibits: int
    by_kind: list[KindCount]
    by_month: list[MonthCount]


class Event(Out):
    """What happened, when, and its effect (as the incident reads now)."""

    kind: str
    kind_label: str
    occurred_at: datetime
    time_known: bool
    platform: str | None = None
    description: str = Field(description="the account in the reporting person's words, exact words in quotes")
    impact: Impact | None = None
    recorded_at: datetime
    record_sha256: str = Field(description="SHA-256 of the record as first saved (canonical JSON)")
    amendments: int


class People(Out):
    """Everyone involved, by role."""

    reporting_person: Producer
    victims: list[Person]
    suspects: list[Person]
    witnesses: list[Person]
    others: list[Person]


class OnlineAccount(Out):
    """An account named in the incident (from a person's handle)."""

    handle: str
    platform: str | None = None
    held_by_role: str
    name: str | None = None


class ExhibitFile(Out):
    """A file an exhibit holds: its hash and the facts about the original, and where it is in a bundle."""

    part: Literal["file", "screenshot"]
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    original_name: str
    size: int
    modified_at: datetime
    bundle_path: str


class Exhibit(Out):
    """An evidence item with its exhibit reference."""

    exhibit_ref: str
    type: Literal["file", "url"]
    description: str
    added_at: datetime
    url: str | None = None
    platform: str | None = None
    seen_at: datetime | None = None
    note: str | None = None
    files: list[ExhibitFile]


class Objects(Out):
    """Things in the case: vehicles, online accounts and evidence."""

    vehicles: list[Vehicle]
    online_accounts: list[OnlineAccount]
    evidence: list[Exhibit]


class ReportMade(Out):
    """A report already made: to whom, the reference given, and when."""

    to: str
    label: str
    police: bool
    reference: str | None = None
    reported_at: datetime | None = Field(None, description="when it was reported, as the user gave it (else null)")
    recorded_at: datetime = Field(description="when this report was written into the record")
    platform: str | None = None
    notes: str | None = None


class Provenance(Out):
    """Who recorded an incident brought in from another person's record (``campaignsafe import``)."""

    recorded_by: Producer = Field(description="who recorded the incident (and produces its exhibits)")
    source_id: int | None = Field(default=None, description="the incident's id in the record it came from")
    amendments_by: list[Producer] = Field(description="who made each amendment, in order")
    source_audit: list[dict[str, Any]] = Field(description="its audit trail in each store it came through")


class Case(Out):
    """One incident as a case: the case view as it reads now, the stored record, the audit trail."""

    id: int
    amended: bool
    event: Event
    people: People
    objects: Objects
    locations: list[Location]
    force_source: Literal["postcode", "given", "profile"] | None = Field(
        None,
        description="where the incident's force came from: the place's postcode, the force given for the place,"
        " or (with no place-based force) the reporting person's profile",
    )
    reports: list[ReportMade]
    record: Incident = Field(description="the incident exactly as stored: the original, its exhibits, amendments")
    audit: list[AuditEntry]
    provenance: Provenance | None = Field(
        default=None, description="set when the incident came from another person's record; absent: the reporter's"
    )


class LinkedIncident(Out):
    """An exported incident that a link joins, and where in it the identifier was found."""

    id: int
    occurred_at: datetime
    kind: str
    force_id: str | None = None
    force_name: str | None = None
    force_source: Literal["postcode", "given", "profile"] | None = Field(
        None, description="where the force came from, as for the incident (the profile's force for one with none)"
    )
    found_in: list[str] = Field(description='the fields it was found in, e.g. "suspect\'s handle", "exhibit JS/2"')


class Link(Out):
    """An identifier that appears in more than one exported incident (compared in its normal form)."""

    kind: Literal["handle", "phone", "email", "registration", "url", "name"]
    value: str = Field(description="the normal form: x:@angryvoter, +447700900123, AB12CDE, example.org/a, sam jones")
    label: str = Field(description="the value as a person reads it, e.g. @angryvoter on X")
    seen_as: list[str] = Field(description="every form it was written in, as written")
    incidents: list[LinkedIncident] = Field(description="the incidents it joins, oldest first")


class ExportDocument(Out):
    """A campaignsafe incident export."""

    export: ExportMeta
    summary: Summary
    links: list[Link] = Field(
        default_factory=list,
        description="identifiers shared by two or more of the exported incidents, most incidents first "
        "(the record keeper's own name, phone and email left out)",
    )
    incidents: list[Case]
