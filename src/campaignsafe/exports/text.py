"""Plain-text values for the human report: times, sizes, people, places, reports, amended fields."""

from __future__ import annotations

import functools
import json
from datetime import datetime
from typing import Any

from campaignsafe.exports import model as m
from campaignsafe.incidents import kinds
from campaignsafe.incidents.listing import report_label
from campaignsafe.incidents.models import STORED, Impact, Location, Person, Report, Vehicle
from campaignsafe.incidents.models import size_text as size_text
from campaignsafe.incidents.when import When, day_label, describe

ROLE_LABELS = {"victim": "Targeted", "suspect": "Suspect", "witness": "Witness", "other": "Also there"}


@functools.lru_cache(maxsize=4096)  # an incident's times repeat (occurred, recorded, each exhibit's)
def when_text(at: datetime, time_known: bool = True) -> str:
    """``Fri 1 May 2026 18:30`` (Europe/London)."""
    return describe(When(at, time_known))


@functools.lru_cache(maxsize=4096)
def day_text(at: datetime) -> str:
    """``Fri 1 May 2026``."""
    return day_label(at)


def person_text(p: Person) -> str:
    """``Sam Jones (@sam on X), man in a grey hoodie, contact 07700 900123``."""
    handle = handle_text(p)
    who = p.name or handle or ""
    if p.name and handle:
        who += f" ({handle})"
    bits = [who, p.description if p.description not in (p.handle, p.name) else None]
    return ", ".join(b for b in (*bits, p.contact and f"contact {p.contact}") if b)


def handle_text(p: Person) -> str | None:
    """``@sam on X``, or None when there is no handle or the description already says it (shown once)."""
    if not p.handle:
        return None
    text = p.handle + (f" on {p.platform}" if p.platform else "")
    said = (p.description or "").casefold()
    return None if text.casefold() in said or (p.handle.casefold() in said and not p.platform) else text


def location_text(loc: Location) -> str:
    """``High Street, SW1A 1AA``; the place alone when its words already give the postcode (``Bath BA1 1SU``)."""
    if not loc.postcode or loc.postcode.replace(" ", "") in loc.text.upper().replace(" ", ""):
        return loc.text
    return f"{loc.text}, {loc.postcode}"


def report_text(
    to: str,
    platform: str | None,
    reference: str | None,
    at: datetime | None,
    notes: str | None,
    recorded: datetime | None = None,
) -> str:
    """``101, reference CAD 1234, on Fri 1 May 2026 19:00 (notes)``.

    With no report time given, no time is stated as when it was reported: ``recorded`` (when it
    was written into the record) is given instead, and called that.
    """
    text = report_label(to, platform)
    if reference:
        text += f", reference {reference}"
    if at is not None:
        text += f", on {when_text(at)}"
    elif recorded is not None:
        text += f"; when it was reported was not given (recorded here {when_text(recorded)})"
    return text + (f" ({notes})" if notes else "")


def impact_text(impact: Impact | None) -> str:
    """Both effects in one line."""
    if impact is None:
        return "(none)"
    parts = [("on me", impact.personal), ("on the campaign", impact.campaign)]
    return " · ".join(f"{label}: {text}" for label, text in parts if text) or "(none)"  # (the words may end in ".")


#: an amended field's name as the report and ``incidents show`` say it
FIELD_LABELS = {
    "occurred_at": "When",
    "time_known": "Time of day known",
    "kind": "Kind",
    "platform": "Platform or service",
    "description": "What happened",
    "location": "Where",
    "people": "People",
    "vehicles": "Vehicles",
    "impact": "Effect",
    "reports": "Reports made",
}


def field_text(name: str, value: Any) -> str:
    """An amended field's value (as stored, JSON) as text."""
    if value is None or value == [] or value == "":
        return "(none)"
    try:
        if name == "occurred_at":
            return when_text(datetime.fromisoformat(value))
        if name == "time_known":
            return "yes" if value else "no"
        if name == "kind" and isinstance(value, str):
            return kinds.label(value)
        if name == "location":
            loc = Location.model_validate(value, context=STORED)
            return location_text(loc) + (f" ({loc.force_name})" if loc.force_name else "")
        if name == "people":
            people = [Person.model_validate(p, context=STORED) for p in value]
            return "; ".join(f"{ROLE_LABELS[p.role].lower()}: {person_text(p)}" for p in people)
        if name == "vehicles":
            return "; ".join(vehicle_text(Vehicle.model_validate(v, context=STORED)) for v in value)
        if name == "impact":
            return impact_text(Impact.model_validate(value, context=STORED))
        if name == "reports":
            rs = [Report.model_validate(r, context=STORED) for r in value]
            return "; ".join(report_text(r.to, r.platform, r.reference, r.reported_at, r.notes) for r in rs)
    except (ValueError, TypeError, KeyError, OverflowError):  # not a value of that field (damaged): as stored
        pass
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


def vehicle_text(v: Vehicle) -> str:
    """``silver Ford Focus, registration AB12 CDE``."""
    return v.text()


def me_text(p: m.Producer) -> str:
    """``Jo Smith, candidate (Bath)``."""
    text = p.name or ""
    if p.role and p.constituency:
        return text + f", {p.role} ({p.constituency})"
    if p.role or p.constituency:
        return text + f", {p.role or p.constituency}"
    return text


def who_line(p: m.Producer) -> str:
    """``Jo Smith, candidate, Bath``."""
    return ", ".join(x for x in (p.name or "(name not given)", p.role, p.constituency) if x)
