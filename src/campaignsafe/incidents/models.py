"""The incident record as pydantic models: what a file or the prompts give, and what is stored.

Field names here are the field names of the JSON export, so a file written for
``report --from-file`` reads like an exported incident. The export groups them as a
case system does: the event (``occurred_at``, ``kind``, ``description``, ``impact``), the
people (``people`` by role, plus the producer from the profile), objects (``vehicles``,
online accounts in ``people[].handle``, ``evidence``), ``location`` and ``reports``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationInfo, field_validator, model_validator

from campaignsafe import usertext
from campaignsafe.errors import InputError
from campaignsafe.incidents import kinds, when
from campaignsafe.incidents.controls import control_problem as control_problem
from campaignsafe.incidents.controls import printable as printable
from campaignsafe.incidents.controls import visible as visible
from campaignsafe.incidents.listing import POLICE_ROUTES, report_label

Nation = Literal["england", "wales", "scotland", "northern-ireland"]
PersonRole = Literal["victim", "suspect", "witness", "other"]
#: ``to: 101`` unquoted in YAML (or JSON) is the number 101: read as the route it names
ReportTo = Annotated[
    Literal["999", "101", "online", "police", "platform", "other"],
    BeforeValidator(lambda v: str(v) if type(v) is int else v),
]
SCHEMA_VERSION = 1
#: validation context for records read back from the store.
STORED = {"stored": True}


def _blank_to_none(value: Any) -> Any:
    if isinstance(value, str) and not value.strip():
        return None
    return value


def _plain_text(value: Any, info: ValidationInfo) -> Any:
    """Input text: CR LF becomes LF; other control characters (ESC, NUL, …) are refused.

    Stored records are taken as written (they were checked on the way in).
    """
    if not isinstance(value, str) or (info.context or {}).get("stored"):
        return value
    problem = usertext.problem(value)
    if problem:
        raise ValueError(problem)
    return value.replace("\r\n", "\n")


Short = Annotated[str, Field(min_length=1, max_length=2_000), BeforeValidator(_plain_text)]
OptShort = Annotated[
    Annotated[str, Field(max_length=2_000)] | None, BeforeValidator(_blank_to_none), BeforeValidator(_plain_text)
]
OptLong = Annotated[
    Annotated[str, Field(max_length=50_000)] | None, BeforeValidator(_blank_to_none), BeforeValidator(_plain_text)
]
#: a file's path as given: not kept in the record (its name is, through ``visible``), so not checked for controls.
OptPath = Annotated[Annotated[str, Field(max_length=2_000)] | None, BeforeValidator(_blank_to_none)]
Sha256 = Annotated[str, Field(pattern=r"^[0-9a-f]{64}$")]


def _moment(value: Any, info: ValidationInfo) -> Any:
    """Input text is read with the ``when`` parser (so ``yesterday 9pm`` works in files too).

    Stored records (validated with ``context={"stored": True}``) are taken as written: the
    future check belongs to input, and a clock set back must not make a record unreadable.
    """
    if (info.context or {}).get("stored"):
        return value
    if isinstance(value, date):  # a datetime from Python or YAML: same rules as typed text
        value = value.isoformat()
    if isinstance(value, str):
        try:
            return when.parse(value).at
        except InputError as exc:
            raise ValueError(exc.message) from None
    raise ValueError("give the date and time as text, e.g. 2026-05-01T18:30")


Moment = Annotated[datetime, BeforeValidator(_moment)]


def seen(text: str) -> datetime:
    """When a web page was seen, from typed text: a moment with its time (InputError otherwise). A date alone
    would be stored as midnight, a time the user never gave (an incident's date keeps ``time_known`` for that;
    an exhibit and a report have no such field)."""
    return timed(text, SEEN_NEEDS_TIME)


def reported(text: str) -> datetime:
    """When a report was made, from typed text: a moment with its time, as :func:`seen`."""
    return timed(text, REPORTED_NEEDS_TIME)


SEEN_NEEDS_TIME = "give the time it was seen too (e.g. 2026-05-01 18:30), or, not knowing it, say when in the note"
REPORTED_NEEDS_TIME = (
    "give the time it was reported too (e.g. yesterday 15:10), or leave it out: the report is then recorded"
    " with its time not known"
)


def timed(text: str, needs_time: str) -> datetime:
    """``text`` as a moment that has its time of day; InputError ``needs_time`` when only a day is given."""
    got = when.parse(text)
    if not got.time_known:
        raise InputError(needs_time, code="bad_time")
    return got.at


def _timed(parse: Callable[[str], datetime]) -> Callable[[Any, ValidationInfo], Any]:
    def check(value: Any, info: ValidationInfo) -> Any:
        if (info.context or {}).get("stored"):
            return value
        if isinstance(value, date) and not isinstance(value, datetime):
            value = value.isoformat()
        if isinstance(value, str):
            try:
                return parse(value)
            except InputError as exc:
                raise ValueError(exc.message) from None
        return _moment(value, info)

    return check


SeenMoment = Annotated[datetime, BeforeValidator(_timed(seen))]
ReportedMoment = Annotated[datetime, BeforeValidator(_timed(reported))]


class Model(BaseModel):
    """Base: unknown fields are refused, text is trimmed."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class Person(Model):
    """Someone involved: who they were to the incident, and what is known about them."""

    role: PersonRole
    description: OptLong = None
    name: OptShort = None
    handle: OptShort = None
    platform: OptShort = None
    contact: OptShort = None

    @model_validator(mode="after")
    def _something_known(self) -> Person:
        if not (self.description or self.name or self.handle or self.contact):  # a caller known by a number
            raise ValueError("give a description, a name, a handle or a contact")
        return self


class Vehicle(Model):
    """A vehicle seen: a description and the registration if known."""

    description: OptShort = None
    registration: OptShort = None

    @model_validator(mode="after")
    def _something_known(self) -> Vehicle:
        if not (self.description or self.registration):
            raise ValueError("give a description or a registration")
        return self

    def registration_extra(self) -> str | None:
        """The registration, unless the description already holds it (``AB12CDE`` in ``… AB12 CDE``)."""
        if not self.registration:
            return None
        squash = re.sub(r"[^A-Z0-9]", "", (self.description or "").upper())
        return None if re.sub(r"[^A-Z0-9]", "", self.registration.upper()) in squash else self.registration

    def text(self, registration_word: str = "registration ") -> str:
        """``silver Ford Focus, registration AB12 CDE``; the registration once, never repeated."""
        extra = self.registration_extra()
        return ", ".join(x for x in (self.description, extra and registration_word + extra) if x)


class Impact(Model):
    """The effect on the person and on the campaign (the victim's own words)."""

    personal: OptLong = None
    campaign: OptLong = None


class Report(Model):
    """A report already made: to whom, the reference given, and when."""

    to: ReportTo
    reference: OptShort = None
    reported_at: ReportedMoment | None = None
    platform: OptShort = None
    notes: OptShort = None

    @property
    def police(self) -> bool:
        """Whether this report reached the police."""
        return self.to in POLICE_ROUTES

    def label(self) -> str:
        """``101 (ref CAD 1234)``, ``X (ref 998877)``."""
        return report_label(self.to, self.platform, self.reference)


class LocationIn(Model):
    """Where it happened, as given: free text, an optional postcode and an optional force id."""

    text: Short
    postcode: OptShort = None
    force_id: OptShort = None

    @model_validator(mode="before")
    @classmethod
    def _text_alone(cls, data: Any) -> Any:
        """``location: High Street`` in a file: the place's words alone, as ``--place`` takes them."""
        return {"text": data} if isinstance(data, str) else data


class Location(LocationIn):
    """Where it happened, with the force and nation found from the postcode (or given)."""

    force_name: OptShort = None
    nation: Nation | None = None


#: why a URL exhibit was refused (the address itself is never quoted).
NOT_A_WEB_ADDRESS = "url is not a web address (one such as https://x.com/name/status/1)"


class EvidenceIn(Model):
    """Evidence to add: a file ``path``, or a ``url`` with an optional ``screenshot`` file."""

    path: OptPath = None
    url: OptShort = None
    platform: OptShort = None
    seen_at: SeenMoment | None = None
    screenshot: OptPath = None
    note: OptShort = None

    @model_validator(mode="after")
    def _one_of(self) -> EvidenceIn:
        if bool(self.path) == bool(self.url):
            raise ValueError("give either a file path or a url")
        if self.url:
            from campaignsafe.incidents.identifiers import is_web_address

            if not is_web_address(self.url):  # never quoted: it is what the user wrote about an incident
                raise ValueError(NOT_A_WEB_ADDRESS)
        if self.path and (self.screenshot or self.seen_at or self.platform):
            raise ValueError("screenshot, seen_at and platform go with a url")
        return self


class StoredFile(Model):
    """A file copied into the store: its SHA-256 and the facts about the original."""

    sha256: Sha256
    original_name: Short
    size: int = Field(ge=0)
    modified_at: datetime
    stored_path: Short
    #: where the path given pointed when it was a symbolic link (escaped as ``visible`` does), else None.
    link_target: Annotated[str, Field(max_length=4_096)] | None = None

    def described(self) -> str:
        """The original's name, and the link it was reached through where it was one."""
        if self.link_target:
            return f"{self.original_name} (given as a link to {self.link_target})"
        return self.original_name


def size_text(n: int) -> str:
    """``532 bytes``, ``1.2 MB``."""
    if n < 1000:
        return f"{n} bytes"
    value = float(n)
    for unit in ("kB", "MB", "GB", "TB"):
        value /= 1000
        if value < 1000 or unit == "TB":
            break
    return f"{value:.1f} {unit}"


class Evidence(Model):
    """An exhibit: a file, or a web address with an optional screenshot."""

    exhibit_ref: Short
    type: Literal["file", "url"]
    added_at: datetime
    file: StoredFile | None = None
    url: OptShort = None
    platform: OptShort = None
    seen_at: datetime | None = None
    screenshot: StoredFile | None = None
    note: OptShort = None

    def hashes(self) -> list[str]:
        """The SHA-256 of every stored file this exhibit holds."""
        return [f.sha256 for f in (self.file, self.screenshot) if f is not None]


class Change(Model):
    """One field's value before and after an amendment (JSON values)."""

    field: str
    old: Any = None
    new: Any = None


class Amendment(Model):
    """A dated change to an incident; the original record is never rewritten."""

    number: int = Field(ge=1)
    at: datetime
    reason: OptShort = None
    changes: list[Change]


class AuditEntry(Model):
    """One line of the audit log. Holds no incident text: actions, field names, refs and hashes.

    Entries are chained: ``sha256`` covers this entry and the previous entry's hash.
    """

    seq: int
    at: datetime
    action: Literal["created", "amended", "evidence-added", "deleted", "imported"]
    incident_id: int | None
    detail: dict[str, Any]
    prev_sha256: str
    sha256: Sha256


class _IncidentFields(Model):
    occurred_at: Moment
    time_known: bool = True
    kind: str
    platform: OptShort = None
    description: Annotated[str, Field(min_length=1, max_length=50_000), BeforeValidator(_plain_text)]
    people: list[Person] = []
    vehicles: list[Vehicle] = []
    impact: Impact | None = None
    reports: list[Report] = []

    @field_validator("kind", mode="before")
    @classmethod
    def _kind(cls, value: Any, info: ValidationInfo) -> Any:
        if (info.context or {}).get("stored"):  # stored kinds were checked on the way in
            return value
        if isinstance(value, str):
            try:
                return kinds.parse_kind(value)
            except InputError as exc:
                raise ValueError(exc.message) from None
        return value


#: the fields an amendment may change (a subset of the record's).
EDITABLE: tuple[str, ...] = ("occurred_at", "time_known", "kind", "platform", "description", "location")
EDITABLE += ("people", "vehicles", "impact", "reports")


class IncidentIn(_IncidentFields):
    """An incident as given in a file, by flags or by the prompts (before it is stored)."""

    location: LocationIn
    evidence: list[EvidenceIn] = []

    @model_validator(mode="after")
    def _reported_after(self) -> IncidentIn:
        happened = when.When(self.occurred_at, self.time_known)
        early = [i for i, r in enumerate(self.reports) if r.reported_at and when.before(r.reported_at, happened)]
        if early:  # a report cannot come before what it reports: a mistyped day, most often
            raise ValueError(
                f"reports #{early[0] + 1}.reported_at: {when.too_early()}: give the time it was reported,"
                " or correct when it happened"
            )
        return self

    @model_validator(mode="before")
    @classmethod
    def _time_known(cls, data: Any) -> Any:
        raw = data.get("occurred_at") if isinstance(data, dict) else None
        if isinstance(raw, date):
            raw = raw.isoformat()
        if isinstance(data, dict) and isinstance(raw, str) and "time_known" not in data:
            try:
                parsed = when.parse(raw)
            except InputError:
                return data  # the field validator reports it
            data = {**data, "occurred_at": parsed.at, "time_known": parsed.time_known}
        return data


class Incident(_IncidentFields):
    """A stored incident: the original record, its exhibits and its amendments."""

    id: int
    created_at: datetime
    record_sha256: Sha256
    location: Location
    evidence: list[Evidence] = []
    amendments: list[Amendment] = []

    def current(self) -> Incident:
        """The record as it reads now: the original with every amendment applied in order."""
        if not self.amendments:
            return self
        data = self.model_dump(mode="json")
        for amendment in self.amendments:
            for change in amendment.changes:
                data[change.field] = change.new
        return Incident.model_validate(data, context=STORED)

    @property
    def reported_to(self) -> list[str]:
        """Who it has been reported to, e.g. ``["101 (ref CAD 1234)", "X"]``."""
        return [r.label() for r in self.reports]

    @property
    def police_reported(self) -> bool:
        """Whether any report reached the police."""
        return any(r.police for r in self.reports)

    def original_fields(self) -> dict[str, Any]:
        """The record as first stored (JSON values), the part ``record_sha256`` covers."""
        return self.model_dump(mode="json", exclude={"id", "created_at", "record_sha256", "evidence", "amendments"})
