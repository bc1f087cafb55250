"""What the human report says, shared by the HTML and markdown renderers.

Three parts: the cover (who is reporting and how to reach them, the force and the saved
SPOC, the period covered, the 999 line), the course-of-conduct summary, and each incident
in the order a police officer takes a witness statement (MG11): who I am; when and where;
what happened, in the exact words; who was there; the effect on me; what I have already
reported; the exhibits I produce, with references and SHA-256; then any amendments, each
changed field shown as it read before beside its amended value. Everything here is plain
text; the renderers escape it.
"""

from __future__ import annotations

from datetime import datetime

from campaignsafe.exports import model as m
from campaignsafe.exports.text import (
    FIELD_LABELS,
    ROLE_LABELS,
    day_text,
    field_text,
    location_text,
    me_text,
    person_text,
    report_text,
    size_text,
    vehicle_text,
    when_text,
    who_line,
)
from campaignsafe.exports.timeline import Summary as Chart
from campaignsafe.exports.views import (
    Amendments,
    AmendmentView,
    Block,
    ChronoRow,
    ConductView,
    CoverView,
    ExhibitRow,
    Exhibits,
    ForceView,
    IncidentView,
    Items,
    Para,
    Part,
    Quote,
    Rows,
)
from campaignsafe.incidents import kinds
from campaignsafe.incidents.listing import FORCE_SOURCES
from campaignsafe.incidents.models import Impact

TITLE = "Record of incidents"
DANGER = "If you are in immediate danger, call 999."
NOT_ADVICE = "This report was made with campaignsafe, which gives information, not legal advice."
NOT_A_STATEMENT = (
    "This is my own record, set out in the order of a witness statement (MG11) to help the officer who takes "
    "my statement. It is not a signed statement."
)
#: the same for a record that holds incidents other people recorded (imported): never "my own" for theirs.
MERGED = (
    "This record holds incidents I recorded and incidents other people recorded and I imported (the cover says "
    "who recorded which), set out in the order of a witness statement (MG11) to help the officer who takes a "
    "statement. It is not a signed statement."
)
NONE_MINE = (
    "These incidents were recorded by other people and imported into my record (the cover says who recorded "
    "which), set out in the order of a witness statement (MG11) to help the officer who takes a statement. It is "
    "not a signed statement."
)
CHECKING = (
    "Each exhibit is listed with its SHA-256 hash. In the evidence bundle, MANIFEST.sha256 lists the SHA-256 of "
    "every file: check the unpacked bundle with `sha256sum -c MANIFEST.sha256`, or the zip with "
    "`campaignsafe verify`."
)
# -- the cover -----------------------------------------------------------------------------------


def cover(meta: m.ExportMeta, s: m.Summary, recorded_by: str | None = None, own: int | None = None) -> CoverView:
    """Who is reporting, the police, the period, and the export's facts.

    ``recorded_by`` says who recorded which incidents when the record merges other people's; ``own`` is how many
    of the incidents the reporting person recorded (all of them when not given).
    """
    own = s.incidents if own is None else own
    p = meta.producer
    reporter = [
        ("Name", p.name or "(not given)"),
        ("Role", p.role or "(not given)"),
        ("Constituency", p.constituency or "(not given)"),
        ("Phone", p.phone or "(not given)"),
        ("Email", p.email or "(not given)"),
    ]
    if p.initials and own:
        refs = f"{p.initials}/1, {p.initials}/2, … (my initials and a number)"
        if own < s.incidents:
            refs += "; an imported incident keeps the references of the person who recorded it"
        reporter.append(("Exhibit references", refs))
    forces = [_force_view(f) for f in meta.forces]
    if not forces:
        forces.append(ForceView("No police force recorded", ["Non-emergency: 101"], False))
    versions = ", ".join(f"{d.id} {d.version}" for d in meta.tool.datasets)
    facts = [
        ("Incidents", str(s.incidents)),
        ("Selection", _selection_text(meta.selection)),
        ("Exported", when_text(meta.exported_at)),
        ("Made with", f"campaignsafe {meta.tool.version} (data: {versions})"),
    ]
    if recorded_by:
        facts.insert(1, ("Recorded by", recorded_by))
    from campaignsafe.exports import integrity

    facts += integrity.cover_facts(meta.integrity)
    warnings = integrity.cover_warnings(meta.integrity)
    note = NOT_A_STATEMENT if own >= s.incidents else MERGED if own else NONE_MINE
    return CoverView(f"Reported by {who_line(p)}", reporter, forces, period_text(s), facts, warnings, note)


def _force_view(f: m.Force) -> ForceView:
    lines = []
    if f.from_profile:
        lines.append("My own force (from my profile), for incidents with no place, such as online abuse.")
    lines.append(f"Non-emergency: {f.non_emergency}")
    lines.append("Report online: " + (f.online or f.report_online or "through the force's website"))
    if f.website and f.website not in lines[-1]:
        lines.append(f"Website: {f.website}")
    for c in f.contacts:
        bits = [c.name, c.phone, c.email]
        lines.append(f"{c.role_label}: " + " · ".join(b for b in bits if b) + (f" ({c.notes})" if c.notes else ""))
    spoc = any(c.role == "spoc" for c in f.contacts)
    if not f.contacts:
        lines.append("No election SPOC or adviser saved for this force.")
    count = f"{f.incidents} incident" + ("" if f.incidents == 1 else "s")
    return ForceView(f"{f.name} ({count})", lines, spoc)


def _selection_text(sel: m.Selection) -> str:
    if sel.ids:
        base = "incident" + ("s " if len(sel.ids) > 1 else " ") + ", ".join(map(str, sel.ids))
    else:
        base = "all incidents" if sel.all or not (sel.since or sel.until or sel.kinds or sel.force_id) else "incidents"
    parts = [base]
    if sel.since:
        parts.append(f"from {when_text(sel.since)}")
    if sel.until:
        parts.append(f"before {when_text(sel.until)}")
    if sel.kinds:
        parts.append("of kind " + ", ".join(kinds.label(k) for k in sel.kinds))
    if sel.force_id:
        parts.append(f"in force area {sel.force_id}")
    return " ".join(parts)


def period_text(s: m.Summary) -> str:
    """``12 incidents from Mon 2 Feb 2026 to Sat 30 May 2026 (118 days)``."""
    n = f"{s.incidents} incident" + ("" if s.incidents == 1 else "s")
    if s.first is None or s.last is None:
        return n
    if s.days <= 1:
        return f"{n} on {day_text(s.first)}"
    return f"{n} from {day_text(s.first)} to {day_text(s.last)} ({s.days} days)"


# -- the course of conduct -----------------------------------------------------------------------


def conduct(s: m.Summary, chart: Chart) -> ConductView:
    """Counts by kind and month and the chart data (the chronological index is :func:`chrono_row`)."""
    police = f"{s.reported_to_police} reported to the police"
    headline = f"{period_text(s)}; {police}; {s.exhibits} exhibit" + ("" if s.exhibits == 1 else "s") + "."
    labels = {k.kind: k.label for k in s.by_kind}
    months = [
        (_month(mc.month), mc.count, ", ".join(f"{labels[k]} {n}" for k, n in mc.by_kind.items())) for mc in s.by_month
    ]
    line = "Incidents per month: " + " · ".join(f"{_month(mc.month, short=True)} {mc.count}" for mc in s.by_month)
    return ConductView(headline, line, [(k.label, k.count) for k in s.by_kind], months, chart, labels)


def chrono_row(c: m.Case) -> ChronoRow:
    """One incident in the chronological index."""
    return ChronoRow(
        id=c.id,
        anchor=f"incident-{c.id}",
        when=when_text(c.event.occurred_at, c.event.time_known),
        kind=c.event.kind_label,
        place=location_text(c.locations[0]),
        reported=", ".join(dict.fromkeys(r.label for r in c.reports)) or "not yet",
        exhibits=len(c.objects.evidence),
        amended=c.amended,
    )


def _month(month: str, short: bool = False) -> str:
    at = datetime.strptime(month + "-01", "%Y-%m-%d")
    return f"{at:%b %Y}" if short else f"{at:%B %Y}"


# -- one incident in MG11 order ------------------------------------------------------------------


def incident(case: m.Case, producer: m.Producer) -> IncidentView:
    """The incident as a witness statement is ordered."""
    ev, loc = case.event, case.locations[0]
    me = producer  # who makes this export: the maker of any amendment not made in the other person's record
    if case.provenance is not None:  # recorded by someone else: they make the statement and produce the exhibits
        producer = case.provenance.recorded_by
    who = _who_i_am(producer, case.provenance is not None) + _amended_by_others(case, me)
    parts = [
        Part("Who I am", [Para(who)]),
        Part("When and where", [Rows(_when_where(case))]),
        Part("What happened", [Quote(ev.description)]),
        Part("Who was there", _who_was_there(case)),
        Part("The effect on me", _effect(ev.impact)),
        Part("What I have already reported", [Items(_reported(case))]),
        Part("The exhibits I produce", [_exhibits(case)] if case.objects.evidence else [Para("None yet.")]),
    ]
    if case.record.amendments:
        parts.append(Part("Amendments", _amendments(case, me)))
    heading = f"Incident {case.id}: {ev.kind_label}"
    subtitle = f"{when_text(ev.occurred_at, ev.time_known)} · {location_text(loc)}"
    footer = f"Recorded {when_text(ev.recorded_at)}. SHA-256 of the record as first saved: {ev.record_sha256}"
    return IncidentView(case.id, f"incident-{case.id}", heading, subtitle, case.amended, parts, footer)


def _who_i_am(p: m.Producer, imported: bool = False) -> str:
    if imported:
        who = me_text(p) if p.name else "someone whose name their record does not give"
        return (
            f"This incident was recorded by {who}, in their own record, and brought into this one unchanged; "
            "the exhibits below are theirs."
        )
    if not p.name:
        return "The reporting person's name is not recorded here; see the cover."
    return f"I am {me_text(p)}. My contact details are on the cover."


def _when_where(case: m.Case) -> list[tuple[str, str]]:
    ev, loc = case.event, case.locations[0]
    when = when_text(ev.occurred_at, ev.time_known)
    rows = [("When", when), ("Where", loc.text)]
    if loc.postcode:
        rows.append(("Postcode", loc.postcode))
    if loc.force_name and case.force_source:
        rows.append(("Police force", f"{loc.force_name} ({FORCE_SOURCES[case.force_source]})"))
    else:
        rows.append(("Police force", "not known: no postcode or force was given, and no profile force is set"))
    if ev.platform:
        rows.append(("Platform or service", ev.platform))
    rows.append(("Kind", ev.kind_label))
    return rows


def _who_was_there(case: m.Case) -> list[Block]:
    pp = case.people
    rows = [
        (ROLE_LABELS[p.role], person_text(p))
        for group in (pp.victims, pp.suspects, pp.witnesses, pp.others)
        for p in group
    ]
    rows += [("Vehicle", vehicle_text(v)) for v in case.objects.vehicles]
    if not rows:
        return [Para("No one else is recorded.")]
    return [Rows(rows)]


def _effect(impact: Impact | None) -> list[Block]:
    rows = []
    if impact and impact.personal:
        rows.append(("On me", impact.personal))
    if impact and impact.campaign:
        rows.append(("On the campaign", impact.campaign))
    return [Rows(rows)] if rows else [Para("Not recorded.")]


def _reported(case: m.Case) -> list[str]:
    items = [report_text(r.to, r.platform, r.reference, r.reported_at, r.notes, r.recorded_at) for r in case.reports]
    if not any(r.police for r in case.reports):
        items.append("Not yet reported to the police.")
    return items


def _exhibits(case: m.Case) -> Exhibits:
    rows = []
    for e in case.objects.evidence:
        details = []
        if e.type == "url":
            if e.platform:
                details.append(e.platform)
            if e.seen_at:
                details.append(f"seen {when_text(e.seen_at)}")
        for f in e.files:
            what = "screenshot " + f.original_name if f.part == "screenshot" else f.original_name
            details.append(f"{what}: {size_text(f.size)}, last modified {when_text(f.modified_at)}")
        details.append(f"added to the record {when_text(e.added_at)}")
        files = [("SHA-256", f.sha256, f.bundle_path) for f in e.files]
        rows.append(ExhibitRow(e.exhibit_ref, e.url or e.description, details, files, e.note))
    return Exhibits(rows)


def _amendment_authors(case: m.Case, me: m.Producer) -> list[m.Producer | None]:
    """Who made each amendment of an imported incident (those after the other person's record's, this export's
    maker); None for each amendment of an incident recorded here (its maker is the statement's)."""
    if case.provenance is None:
        return [None] * len(case.record.amendments)
    by = case.provenance.amendments_by
    return [by[a.number - 1] if a.number <= len(by) else me for a in case.record.amendments]


def _amended_by_others(case: m.Case, me: m.Producer) -> str:
    """For an imported incident amended by someone other than its recorder: who, so no amended words read as
    the recorder's own."""
    if case.provenance is None:
        return ""
    recorder = who_line(case.provenance.recorded_by)
    others: dict[str, list[int]] = {}
    for a, p in zip(case.record.amendments, _amendment_authors(case, me), strict=True):
        if p is not None and who_line(p) != recorder:
            others.setdefault(who_line(p), []).append(a.number)
    if not others:
        return ""
    said = "; ".join(
        f"{who} ({'amendment' if len(ns) == 1 else 'amendments'} {', '.join(map(str, ns))})"
        for who, ns in others.items()
    )
    return (
        f" It has since been amended by {said}: the sections below read as amended, and each change, with who "
        "made it, is under Amendments."
    )


def _amendments(case: m.Case, me: m.Producer) -> list[Block]:
    items = []
    for a, by in zip(case.record.amendments, _amendment_authors(case, me), strict=True):
        author = f", by {who_line(by)}" if by is not None else ""
        changes = [
            (FIELD_LABELS.get(c.field, c.field), field_text(c.field, c.old), field_text(c.field, c.new))
            for c in a.changes
        ]
        items.append(AmendmentView(f"Amendment {a.number}, {when_text(a.at)}{author}", a.reason, changes))
    intro = Para(
        "The sections above read as the record does now. Each change below shows the field as it read before "
        "that amendment beside the amended value; the original record is kept unchanged.",
        keep=True,
    )
    return [intro, Amendments(items)]
