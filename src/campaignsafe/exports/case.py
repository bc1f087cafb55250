"""Build the export document from the incident store: which incidents, and each as a police case.

``selection()`` turns the command line's words into a store filter (refusing an empty
selection); ``opened()`` gives the store and the selected ids; ``case_of()`` turns one stored
incident into a :class:`~campaignsafe.exports.model.Case`, and :class:`Totals` adds up the
course of conduct and the forces case by case, so an export never holds every incident at once
(see :mod:`campaignsafe.exports.stream`).
"""

from __future__ import annotations

import contextlib
import os
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from campaignsafe.errors import InputError, NotFoundError
from campaignsafe.exports import model as m
from campaignsafe.exports.names import Taken, bundle_name, files_of
from campaignsafe.exports.text import who_line
from campaignsafe.exports.timeline import Tally
from campaignsafe.incidents import kinds
from campaignsafe.incidents.listing import Filter, force_of, make_filter
from campaignsafe.incidents.models import SCHEMA_VERSION, AuditEntry, Evidence, Incident
from campaignsafe.incidents.when import LONDON, now

if TYPE_CHECKING:
    from campaignsafe.incidents.links import Linker
    from campaignsafe.incidents.store import Store

#: the reproducible-builds convention: a fixed "now" (seconds since 1970) for byte-identical exports.
EPOCH_ENV = "SOURCE_DATE_EPOCH"
#: 9999-12-31 23:59:59 UTC less a day, so the time is within the year 9999 in any time zone
_LAST_EPOCH = 253_402_214_399


def export_time() -> datetime:
    """The export's time: ``SOURCE_DATE_EPOCH`` when set, else now (Europe/London, whole seconds)."""
    raw = os.environ.get(EPOCH_ENV, "").strip()
    if raw:
        # ASCII digits only ("²" is a digit to str.isdigit), and no later than the last second of 9999
        if not (raw.isascii() and raw.isdigit()) or len(raw) > 12 or int(raw) > _LAST_EPOCH:
            raise InputError(
                f"{EPOCH_ENV} must be whole seconds since 1970, up to {_LAST_EPOCH} (the end of 9999)",
                code="bad_epoch",
            )
        return datetime.fromtimestamp(int(raw), LONDON)
    return now().replace(microsecond=0)


def selection(
    ids: Sequence[int],
    all_: bool,
    since: str | None = None,
    until: str | None = None,
    kind_texts: Sequence[str] = (),
    force: str | None = None,
) -> tuple[Filter, m.Selection]:
    """The store filter for what was asked, and its description for the export; refuses an empty ask."""
    if ids and all_:
        raise InputError("give incident ids or --all, not both", code="usage")
    if not (ids or all_ or since or until or kind_texts or force):
        raise InputError(
            "nothing selected: say which incidents to export",
            "give ids (campaignsafe export 3 5), --all, or --since / --until / --kind / --force",
            code="nothing_selected",
        )
    flt = make_filter(since, until, kind_texts, force, False)
    flt.ids = sorted(set(ids))
    chosen = m.Selection(
        all=all_, ids=list(flt.ids), since=flt.since, until=flt.until, kinds=list(flt.kinds), force_id=flt.force_id
    )
    return flt, chosen


@contextlib.contextmanager
def opened(flt: Filter) -> Iterator[tuple[Store, list[int]]]:
    """The store, open in one snapshot (an incident recorded, changed or deleted meanwhile is not half seen), and
    the ids of the selected incidents in order; refuses ids that do not exist."""
    from campaignsafe.incidents.store import Store

    with Store.open() as store, store.snapshot():
        if flt.ids:
            found = set(store.ids(Filter(ids=flt.ids)))
            missing = [i for i in flt.ids if i not in found]
            if missing:
                raise store.not_found(missing)
        ids = store.ids(flt)
        if not ids:
            raise NotFoundError(
                "no incidents match that selection", "list them: campaignsafe incidents list", code="nothing_to_export"
            )
        yield store, ids


@dataclass(frozen=True)
class About:
    """What the export says about itself before any incident: the producer, the tool and data, the profile's force."""

    producer: m.Producer
    tool: m.Tool
    profile_force: str | None


def about() -> About:
    """The producer from the profile, and the tool's and datasets' versions."""
    from campaignsafe import profile
    from campaignsafe.versions import about_data

    prof = profile.load()
    producer = m.Producer.model_validate(prof.model_dump(exclude={"force_id"}))
    data = about_data()
    tool = m.Tool(
        version=data["version"],
        record_schema_version=SCHEMA_VERSION,
        datasets=[
            m.Dataset(id=d["id"], name=d["name"], version=d["version"], date=d["date"]) for d in data["datasets"]
        ],
    )
    return About(producer, tool, prof.force_id)


def case_of(
    orig: Incident,
    audit: list[AuditEntry],
    producer: m.Producer,
    taken: Taken,
    prov: Any = None,
    profile_force: str | None = None,
) -> m.Case:
    """One incident as a case (its evidence named against ``taken``), as it reads now.

    ``prov`` is the incident's provenance when it was imported from someone else's record;
    ``profile_force`` is the force of an incident with no place-based force (labelled as such).
    """
    names: dict[tuple[str, str], str] = {
        (ev.exhibit_ref, part): bundle_name(ev.exhibit_ref, stored, taken)
        for ev in orig.evidence
        for part, stored in files_of(ev)
    }
    from campaignsafe.incidents.provenance import recorder_force

    # another person's incident takes the force in their profile: this profile's force is not theirs
    mine = profile_force if prov is None else recorder_force(prov.recorded_by) or None
    return _case(orig, orig.current(), audit, _origin(prov, orig, producer), producer, names, mine)


def meta(info: About, chosen: m.Selection, exported_at: datetime, forces: list[m.Force]) -> m.ExportMeta:
    """The export's own facts, once every incident has been read."""
    return m.ExportMeta(
        exported_at=exported_at, tool=info.tool, producer=info.producer, selection=chosen, forces=forces
    )


# -- one incident as a case ----------------------------------------------------------------------


def _origin(prov: Any, orig: Incident, producer: m.Producer) -> m.Provenance | None:
    """An imported incident's provenance; amendments after the imported ones are the reporter's own."""
    if prov is None:
        return None
    by = [_person(p) for p in prov.amendments_by][: len(orig.amendments)]
    return m.Provenance(
        recorded_by=_person(prov.recorded_by),
        source_id=prov.source_id,
        amendments_by=by + [producer] * (len(orig.amendments) - len(by)),
        source_audit=prov.source_audit,
    )


def _person(person: dict[str, Any]) -> m.Producer:
    """A recorder or amender as the schema has them: the force in their profile (kept beside them at import,
    ``provenance.recorder_force``) is the case's force, not a field of theirs."""
    return m.Producer.model_validate({k: v for k, v in person.items() if k != "force_id"})


def _case(
    orig: Incident,
    cur: Incident,
    audit: list[AuditEntry],
    origin: m.Provenance | None,
    producer: m.Producer,
    names: dict[tuple[str, str], str],
    profile_force: str | None = None,
) -> m.Case:
    event = m.Event(
        kind=cur.kind,
        kind_label=kinds.label(cur.kind),
        occurred_at=cur.occurred_at,
        time_known=cur.time_known,
        platform=cur.platform,
        description=cur.description,
        impact=cur.impact,
        recorded_at=orig.created_at,
        record_sha256=orig.record_sha256,
        amendments=len(orig.amendments),
    )
    by_role = {role: [p for p in cur.people if p.role == role] for role in ("victim", "suspect", "witness", "other")}
    people = m.People(
        reporting_person=origin.recorded_by if origin else producer,
        victims=by_role["victim"],
        suspects=by_role["suspect"],
        witnesses=by_role["witness"],
        others=by_role["other"],
    )
    accounts = [
        m.OnlineAccount(handle=p.handle, platform=p.platform or cur.platform, held_by_role=p.role, name=p.name)
        for p in cur.people
        if p.handle
    ]
    objects = m.Objects(
        vehicles=list(cur.vehicles), online_accounts=accounts, evidence=[_exhibit(e, names) for e in orig.evidence]
    )
    loc = cur.location
    fid, fname, source = force_of(loc.force_id, loc.force_name, loc.postcode, profile_force)
    location = loc.model_copy(update={"force_id": fid, "force_name": fname}) if fid != loc.force_id else loc
    recorded = reports_recorded_at(orig)
    reports = [
        m.ReportMade(
            to=r.to,
            label=r.label(),
            police=r.police,
            reference=r.reference,
            reported_at=r.reported_at,
            recorded_at=recorded[i] if i < len(recorded) else orig.created_at,
            platform=r.platform,
            notes=r.notes,
        )
        for i, r in enumerate(cur.reports)
    ]
    return m.Case(
        id=orig.id,
        amended=bool(orig.amendments),
        event=event,
        people=people,
        objects=objects,
        locations=[location],
        force_source=source,
        reports=reports,
        record=orig,
        audit=audit,
        provenance=origin,
    )


def reports_recorded_at(orig: Incident) -> list[datetime]:
    """When each of the current reports was first written into the record (creation or an amendment)."""
    out = [orig.created_at] * len(orig.reports)
    for a in orig.amendments:
        for c in a.changes:
            if c.field == "reports" and isinstance(c.new, list):
                out = out[: len(c.new)] + [a.at] * (len(c.new) - len(out))
    return out


def _exhibit(ev: Evidence, names: dict[tuple[str, str], str]) -> m.Exhibit:
    files = [
        m.ExhibitFile(
            part=part,
            sha256=f.sha256,
            original_name=f.original_name,
            size=f.size,
            modified_at=f.modified_at,
            bundle_path=names[(ev.exhibit_ref, part)],
        )
        for part, f in files_of(ev)
    ]
    if ev.type == "file" and ev.file is not None:
        description = ev.file.described()
    else:
        description = ev.url or ""
        if ev.screenshot is not None:
            description += f" (screenshot {ev.screenshot.original_name})"
    return m.Exhibit(
        exhibit_ref=ev.exhibit_ref,
        type=ev.type,
        description=description,
        added_at=ev.added_at,
        url=ev.url,
        platform=ev.platform,
        seen_at=ev.seen_at,
        note=ev.note,
        files=files,
    )


# -- the whole export ----------------------------------------------------------------------------


def linker(producer: m.Producer, profile_force: str | None = None) -> Linker:
    """A collector of the identifiers the exported incidents share: ``add()`` each stored incident as it is read.

    It keeps only the identifiers, so the streamed export feeds it in its one pass over the store.
    The producer's own name, phone and email are left out (they would join every incident).
    """
    from campaignsafe.incidents import links

    return links.Linker(links.own_identifiers(producer.name, producer.phone, producer.email), profile_force)


def link_models(collected: Linker) -> list[m.Link]:
    """The links a :func:`linker` collected, as the export's models."""
    return [m.Link.model_validate(x.as_dict()) for x in collected.links()]


class Totals:
    """The course of conduct and the forces, added up one case at a time."""

    def __init__(self) -> None:
        self.tally = Tally()
        self.reported = 0
        self.exhibits = 0
        self.force_counts: Counter[str] = Counter()
        self.force_names: dict[str, str] = {}
        self.placed: set[str] = set()
        self.recorders: dict[str, list[int]] = {}  # who recorded which incidents (who_line → ids)
        self.merged = False  # some incident was imported from someone else's record
        self.own = 0  # incidents recorded here (not imported)

    def add(self, case: m.Case) -> None:
        who = who_line(case.people.reporting_person)
        self.recorders.setdefault(who, []).append(case.id)
        self.merged = self.merged or case.provenance is not None
        self.own += case.provenance is None
        self.tally.add(case.event.occurred_at.astimezone(LONDON), case.event.kind)
        self.reported += any(r.police for r in case.reports)
        self.exhibits += len(case.objects.evidence)
        loc = case.locations[0]  # its one force, as case_of worked it out (the profile's only when so marked)
        if loc.force_id:
            self.force_counts[loc.force_id] += 1
            if case.force_source != "profile":
                self.placed.add(loc.force_id)
                self.force_names.setdefault(loc.force_id, loc.force_name or loc.force_id)

    def recorded_by(self) -> str | None:
        """``Jo Smith (JS): incidents 1, 2; Alex Brown (AB): incident 3`` for a merged record, else None."""
        if not self.merged:
            return None
        return "; ".join(
            f"{who}: incident{'s' if len(ids) > 1 else ''} {', '.join(map(str, ids))}"
            for who, ids in self.recorders.items()
        )

    def summary(self) -> m.Summary:
        """The course of conduct over the cases added."""
        s = self.tally.summary()
        order = [k for k, _n in s.by_kind]
        months = [
            m.MonthCount(
                month=month,
                count=sum(s.by_month[month].values()),
                by_kind={k: s.by_month[month][k] for k in order if s.by_month[month][k]},
            )
            for month in s.months
        ]
        days = (s.last.date() - s.first.date()).days + 1 if s.first and s.last else 0
        return m.Summary(
            incidents=s.total,
            first=s.first,
            last=s.last,
            days=days,
            reported_to_police=self.reported,
            exhibits=self.exhibits,
            by_kind=[m.KindCount(kind=k, label=kinds.label(k), count=n) for k, n in s.by_kind],
            by_month=months,
        )

    def forces(self) -> list[m.Force]:
        """The forces the cases fall to (the profile's force for those with none), with the saved contacts."""
        return _forces(self.force_counts, self.force_names, self.placed)


def _forces(counts: Counter[str], names: dict[str, str], placed: set[str]) -> list[m.Force]:
    from campaignsafe.contact import contacts, forces

    out = []
    for fid, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])):
        routes = forces.force_routes(fid) or {}
        saved = [
            m.Contact(
                role=c.get("role", "officer"),
                role_label=contacts.ROLE_LABELS.get(c.get("role", ""), "Contact"),
                name=c.get("name"),
                phone=c.get("phone"),
                email=c.get("email"),
                notes=c.get("notes"),
            )
            for c in contacts.for_force(fid)
        ]
        out.append(
            m.Force(
                id=fid,
                name=str(routes.get("name") or names.get(fid) or fid),
                incidents=n,
                from_profile=fid not in placed,
                non_emergency=str(routes.get("non_emergency_override", {}).get("value", "101")),
                report_online=routes.get("report_online", {}).get("value"),
                online=forces.online_report(routes),
                website=routes.get("website", {}).get("value"),
                contacts=saved,
            )
        )
    return out
