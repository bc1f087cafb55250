"""The human report as plain data (what each renderer lays out): blocks, parts, the incident, cover and summary."""

from __future__ import annotations

from dataclasses import dataclass, field

from campaignsafe.exports.timeline import Summary as Chart


@dataclass
class Rows:
    """Label and value pairs."""

    rows: list[tuple[str, str]]


@dataclass
class Para:
    """A paragraph (``keep``: kept on the same page as what follows)."""

    text: str
    keep: bool = False


@dataclass
class Quote:
    """Text kept exactly as written (line breaks included)."""

    text: str


@dataclass
class Items:
    """A bulleted list."""

    items: list[str]


@dataclass
class ExhibitRow:
    """One exhibit: reference, what it is, the facts about it, its file(s) and hash(es)."""

    ref: str
    item: str
    details: list[str]
    files: list[tuple[str, str, str]]  # (label, sha256, path in the bundle)
    note: str | None = None


@dataclass
class Exhibits:
    """The exhibits produced with one incident."""

    rows: list[ExhibitRow]


@dataclass
class AmendmentView:
    """One amendment: when, why, and each field as it read before beside its new value."""

    title: str
    reason: str | None
    changes: list[tuple[str, str, str]]  # (field label, before, after)


@dataclass
class Amendments:
    """The amendments of one incident, oldest first."""

    items: list[AmendmentView]


Block = Rows | Para | Quote | Items | Exhibits | Amendments


@dataclass
class Part:
    """One heading of the statement and what goes under it."""

    title: str
    blocks: list[Block]


@dataclass
class IncidentView:
    """One incident in MG11 order."""

    id: int
    anchor: str
    heading: str
    subtitle: str
    amended: bool
    parts: list[Part]
    footer: str


@dataclass
class ForceView:
    """A force on the cover: its name and how to reach it, the saved contacts included."""

    name: str
    lines: list[str]
    spoc_saved: bool


@dataclass
class CoverView:
    """The cover page."""

    subtitle: str
    reporter: list[tuple[str, str]]
    forces: list[ForceView]
    period: str
    facts: list[tuple[str, str]]
    warnings: list[str] = field(default_factory=list)  # the record check's findings, shown first
    #: whose record this is (the reporting person's own, merged with others', or others' only)
    note: str = ""


@dataclass
class ChronoRow:
    """One incident in the chronological index."""

    id: int
    anchor: str
    when: str
    kind: str
    place: str
    reported: str
    exhibits: int
    amended: bool


@dataclass
class ConductView:
    """The course-of-conduct summary."""

    headline: str
    by_month_line: str
    kinds: list[tuple[str, int]]
    months: list[tuple[str, int, str]]  # (month, count, by kind)
    chart: Chart
    labels: dict[str, str] = field(default_factory=dict)
