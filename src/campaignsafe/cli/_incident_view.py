"""How incidents look: the JSON record, the full record with amendments, the list, the next steps."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from campaignsafe.cli._panel import BOLD, RED, style, taller_than_screen

if TYPE_CHECKING:
    from campaignsafe.incidents.models import AuditEntry, Evidence, Incident, Person
    from campaignsafe.profile import Profile

LABEL_W = 11
NOT_ADVICE = "This is information, not legal advice."


def width() -> int:
    """Terminal width (honours COLUMNS), at most 100: no line is wider than the terminal."""
    import shutil  # here, not at the top: `incidents list` needs it only for the width

    return max(24, min(100, shutil.get_terminal_size((80, 24)).columns))


def fold_text(text: str, text_w: int) -> list[tuple[bool, str]]:
    """``text`` as lines of at most ``text_w``: ``(own_line, line)``.

    Nothing is ever split: a web address, a SHA-256, a fingerprint or a command to type that does
    not fit gets a line of its own (``own_line``), indented when it fits indented, else printed
    from the first column so it can be copied whole (see :func:`campaignsafe.cli._panel.fold_words`).
    """
    from campaignsafe.cli._panel import fold_words

    return fold_words(text, text_w)


def fill(text: str, first: str = "", rest: str = "") -> str:
    """``text`` folded to the terminal as a paragraph (indents ``first`` / ``rest``); a long web
    address, hash or command on its own line, indented by ``rest`` when it fits."""
    w = width()
    lines = []
    for i, (own, line) in enumerate(fold_text(text, max(8, w - len(rest)))):
        pad = first if i == 0 else rest
        lines.append(pad + line if not own or len(pad) + len(line) <= w else line)
    return "\n".join(lines)


def incident_force(
    incident: Incident, theirs: str | None = None, now: bool = True
) -> tuple[str | None, str | None, str | None]:
    """The incident's one force as it reads now (``now=False``: as first recorded): ``(id, name, source)`` (see
    ``listing.force_of``). One imported from another person's record (``theirs``: their profile's force, ``""``
    when not known; see ``provenance.theirs``) takes theirs, never this profile's force: that would not be
    theirs."""
    from campaignsafe.incidents.listing import force_of, profile_force_id

    loc = (incident.current() if now else incident).location
    fallback = profile_force_id() if theirs is None else theirs or None
    return force_of(loc.force_id, loc.force_name, loc.postcode, fallback)


def force_label(incident: Incident, theirs: str | None = None, now: bool = True) -> str | None:
    """``Kent Police (from the reporting person's profile; …)``, or None when no force is known."""
    from campaignsafe.incidents.listing import FORCE_SOURCES

    _fid, name, source = incident_force(incident, theirs, now)
    return f"{name} ({FORCE_SOURCES[source]})" if name and source else None


def record_json(incident: Incident, audit: list[AuditEntry] | None = None, theirs: str | None = None) -> dict[str, Any]:
    """The stored record as JSON: the original, its exhibits and amendments, and how it reads now.

    ``force`` is the incident's one force as every view gives it, with where it came from.
    """
    data = incident.model_dump(mode="json")
    out: dict[str, Any] = {"schema_version": 1, "id": data.pop("id")}
    out.update(data)
    fid, name, source = incident_force(incident, theirs)
    out["force"] = {"id": fid, "name": name, "source": source} if fid else None
    if incident.amendments:
        out["current"] = incident.current().model_dump(mode="json", exclude={"amendments", "evidence"})
    if audit is not None:
        out["audit"] = [a.model_dump(mode="json") for a in audit]
    return out


def record_check(findings: list[Any]) -> dict[str, Any]:
    """``incidents show --json``'s verdict on the record: does it still match its SHA-256 and audit entry?"""
    return {"matches": not findings, "findings": [f.as_dict() for f in findings]}


def warn_findings(findings: list[Any]) -> None:
    """Say loudly, after the record, that it does not check out (why, and what to do)."""
    if not findings:
        return
    lines = [style("WARNING: this record may have been altered:", BOLD)]  # each finding says why
    lines += [f"  {f.message}" for f in findings]
    lines.append("  Check the whole record: campaignsafe check")
    print("\n".join(lines))


def _rows(rows: list[tuple[str, str]]) -> list[str]:
    from campaignsafe.incidents.models import printable

    text_w = max(8, width() - LABEL_W - 1)
    out = []
    for label, value in rows:
        lab = label
        for own, line in fold_text(printable(value), text_w):
            if own and LABEL_W + 1 + len(line) > width():  # too long for the column: from the first, whole
                if lab:
                    out.append(style(f"{lab:<{LABEL_W}}", BOLD).rstrip())
                    lab = ""
                out.append(line)
                continue
            out.append((style(f"{lab:<{LABEL_W}}", BOLD) + " " + line if lab else " " * (LABEL_W + 1) + line).rstrip())
            lab = ""
    return out


def _when(incident: Incident) -> str:
    from campaignsafe.incidents.when import When, describe

    return describe(When(incident.occurred_at, incident.time_known))


def _where(incident: Incident) -> str:
    loc = incident.location
    same = loc.postcode and loc.text.replace(" ", "").upper() == loc.postcode.replace(" ", "").upper()
    return loc.text + (f" ({loc.postcode})" if loc.postcode and not same else "")  # EH6 5DT, not EH6 5DT (EH6 5DT)


def _person(p: Person) -> str:
    from campaignsafe.exports.text import handle_text

    described = p.description if p.description != p.handle else None
    bits = [p.name, handle_text(p), described]
    text = ", ".join(b for b in bits if b)
    if not text:  # known only by how they got in touch (a caller's number)
        return f"{p.role}: contact {p.contact}"
    return f"{p.role}: {text}" + (f" (contact: {p.contact})" if p.contact else "")


def exhibit_line(e: Evidence) -> str:
    """``JS/1  photo.jpg, 1.2 MB, SHA-256 ab12…`` or the URL form, with the exhibit's note if it has one."""
    from campaignsafe.incidents.models import size_text
    from campaignsafe.incidents.when import When, describe

    note = f"; note: {e.note}" if e.note else ""
    if e.type == "file" and e.file:
        return f"{e.exhibit_ref}  {e.file.described()}, {size_text(e.file.size)}, SHA-256 {e.file.sha256}{note}"
    text = f"{e.exhibit_ref}  {e.url}" + (f" ({e.platform})" if e.platform else "")
    if e.seen_at:
        text += f", seen {describe(When(e.seen_at))}"
    if e.screenshot:
        text += f"; screenshot {e.screenshot.original_name}, SHA-256 {e.screenshot.sha256}"
    return text + note


def _body(incident: Incident, now: bool = False, theirs: str | None = None) -> list[tuple[str, str]]:
    """The record's rows; ``now``: as it reads with its amendments (a report added by one was recorded then)."""
    from campaignsafe.incidents import kinds

    rows = [("When", _when(incident)), ("Where", _where(incident))]
    unknown = (
        "not known (no postcode, force or profile force)"
        if theirs is None
        else "not known (no postcode or force given, and no force in the recording person's profile came with it)"
    )
    rows.append(("Force", force_label(incident, theirs, now) or unknown))  # the original's: as first recorded
    rows.append(("Kind", kinds.label(incident.kind)))
    if incident.platform:
        rows.append(("Platform", incident.platform))
    rows.append(("What", incident.description))
    rows += [("People" if i == 0 else "", _person(p)) for i, p in enumerate(incident.people)]
    rows += [("Vehicles" if i == 0 else "", v.text()) for i, v in enumerate(incident.vehicles)]
    if incident.impact and incident.impact.personal:
        rows.append(("Impact", incident.impact.personal))
    if incident.impact and incident.impact.campaign:
        rows.append(("Campaign", incident.impact.campaign))
    rows += _reports(incident, now) or [("Reported", "not yet")]
    return rows


def _reports(incident: Incident, now: bool) -> list[tuple[str, str]]:
    """Each report on its row, with when it was made, or, when that was not given, when it was recorded."""
    from campaignsafe.exports.case import reports_recorded_at
    from campaignsafe.exports.text import report_text

    recorded = reports_recorded_at(incident) if now else [incident.created_at] * len(incident.reports)
    return [
        ("Reported" if i == 0 else "", report_text(r.to, r.platform, r.reference, r.reported_at, r.notes, at))
        for i, (r, at) in enumerate(zip(incident.reports, recorded, strict=False))
    ]


def show_incident(incident: Incident, origin: Any = None, campaign: str | None = None) -> None:
    """The record as first made, its exhibits, then each amendment with what it changed.

    ``origin`` (a :class:`~campaignsafe.incidents.provenance.Provenance`) marks an incident
    imported from another person's record: who recorded it, and who made each amendment.
    ``campaign``: on a server store, the campaign whose record it is (its members recorded it, not "you").
    """
    from campaignsafe.exports.text import FIELD_LABELS
    from campaignsafe.incidents.models import printable, visible
    from campaignsafe.incidents.provenance import label
    from campaignsafe.incidents.when import When, describe

    head = fill(f"Incident {incident.id} · recorded {describe(When(incident.created_at))}")
    out = [style(f"Incident {incident.id}", BOLD) + head[len(f"Incident {incident.id}") :]]
    if origin is not None:
        theirs = f" (their incident {origin.source_id})" if origin.source_id is not None else ""
        into = f"the record of campaign {printable(campaign)}" if campaign else "your record"
        out += _rows([("Recorded by", visible(label(origin.recorded_by)) + theirs + f", imported into {into}")])
    else:
        out += _rows([("Recorded by", f"campaign {printable(campaign)}" if campaign else "you")])
    from campaignsafe.incidents.provenance import theirs as their_force

    out += _rows(_body(incident, theirs=their_force(origin)))
    out += _rows([("Exhibits" if i == 0 else "", exhibit_line(e)) for i, e in enumerate(incident.evidence)])
    if not incident.evidence:
        out += _rows([("Exhibits", f"none yet: campaignsafe incidents add-evidence {incident.id} FILE…")])
    for a in incident.amendments:
        out.append("")
        reason = f" · reason: {printable(a.reason)}" if a.reason else ""
        by = ""
        if origin is not None:
            mine = a.number > len(origin.amendments_by)
            by = " · by you" if mine else f" · by {visible(label(origin.amendments_by[a.number - 1]))}"
        head = f"Amendment {a.number} · {describe(When(a.at))}{by}{reason}"
        out.append(style(fill(head), BOLD))
        for c in a.changes:
            lines = _change(c.field, c.old, c.new)
            out += _rows([(FIELD_LABELS.get(c.field, c.field), lines[0][1]), *lines[1:]])
    if incident.amendments:
        out.append("")
        out.append(style("As it reads now", BOLD))
        out += _rows(_body(incident.current(), now=True, theirs=their_force(origin)))
    out.append("")
    out += _rows([("SHA-256", f"{incident.record_sha256} (the record as first saved)")])
    print("\n".join(out))


def _change(field: str, old: Any, new: Any) -> list[tuple[str, str]]:
    """An amendment's change as lines, worded as the report words it: items added to a list, or old and new values."""
    from campaignsafe.exports.text import field_text

    if isinstance(old, list) and isinstance(new, list) and new[: len(old)] == old and len(new) > len(old):
        return [("", "added: " + field_text(field, [x])) for x in new[len(old) :]]
    return [("", "was: " + field_text(field, old)), ("", "now: " + field_text(field, new))]


def force_lines(force_id: str | None, nation: str | None, reported: bool = False) -> list[str]:
    """The force's reporting routes and the user's saved contacts for it."""
    from campaignsafe.contact import contacts, forces

    if not force_id:
        return ["Non-emergency: 101, which puts you through to the force where you are calling from."]
    routes = forces.force_routes(force_id) or {}
    name = routes.get("name", force_id)
    line = ("" if reported else "Report it to ") + f"{name}: "
    line += routes.get("non_emergency_override", {}).get("value", "101")
    online = forces.online_report(routes)
    if "report_online" in routes:
        line += f", or online at {online}"
    else:
        line += f", or online: {online}" if forces.online_route(routes) else f", or online {online}"
    lines = [line]
    saved = contacts.for_force(force_id)
    for c in saved:
        role = contacts.ROLE_LABELS.get(c["role"], c["role"])
        lines.append(f"Saved contact, {role}: " + " · ".join(c[k] for k in ("name", "phone", "email") if c.get(k)))
    from campaignsafe.incidents.listing import NO_AREA_FORCES

    if not saved and force_id in NO_AREA_FORCES:  # BTP: candidates' security is their own force's
        lines.append(
            f"{name} has no route for candidates: tell your own force's Force Elected-Official Adviser as well"
            " (campaignsafe contact POSTCODE finds your force)"
        )
    elif not saved:
        lines.append(
            f"No contacts saved for {name}. Save its Force Elected-Official Adviser (security) with the"
            " command below (add --phone and --email), and its election SPOC (electoral offences) the same"
            f" way with --role spoc: campaignsafe contact save {force_id} --role adviser --name NAME"
        )
    if nation == "northern-ireland":
        lines.append("Say you are a candidate or agent, and ask PSNI who handles candidate security.")
    elif nation:
        lines.append("Say you are a candidate or agent (Operation Ford or, for Parliament, Operation Bridger).")
    return lines


def offences_lines(kind: str, nation: str | None) -> list[str]:
    """Offences that may apply, or an explanation when the reference is not available."""
    try:
        from campaignsafe.guidance import offences
    except ImportError:
        return ["(The offences reference is not included in this build.)", NOT_ADVICE]
    from campaignsafe.errors import CampaignsafeError

    try:
        found = offences.suggest(kind, nation)
        disclaimer = offences.disclaimer()
    except CampaignsafeError:
        return ["(The offences reference could not be read.)", NOT_ADVICE]
    where = {"england": "England and Wales", "wales": "England and Wales", "scotland": "Scotland"}
    head = f"Offences that may apply ({where.get(nation or '', 'Northern Ireland') if nation else 'any UK nation'})"
    lines = [head + ":"]
    lines += [f"  • {o.title}: {o.law}" for o in found]
    if not found:
        lines.append("  • none listed for this kind of incident; the police will advise")
    text = " ".join(disclaimer.split())
    lines.append(text if "not legal advice" in text else f"{NOT_ADVICE} {text}")
    return lines


def _made(r: Any) -> str:
    """``101, reference CAD 1234`` (no nested brackets)."""
    from campaignsafe.incidents.listing import report_label

    return report_label(r.to, r.platform) + (f", reference {r.reference}" if r.reference else "")


def platform_hint(incident: Incident, subject: str) -> str | None:
    """``{subject} is not one campaignsafe knows; if you meant X: …edit ID --platform x`` when ``incident``'s
    platform is one slip from a known one (``Twiter``), else None."""
    from campaignsafe.incidents.entry import platform_near_known

    near = platform_near_known(incident)
    if near is None:
        return None
    return (f"{subject} is not one campaignsafe knows; if you meant {near[1]}:"
            f" campaignsafe incidents edit {incident.id} --platform {near[0]}")  # fmt: skip


def show_saved(incident: Incident, profile: Profile) -> None:
    """After saving: the id and exhibits, what may apply, and (last, so it stays in view) what to do next."""
    from campaignsafe.contact import forces
    from campaignsafe.incidents import kinds

    loc = incident.location
    (force_id, _name, source), nation = incident_force(incident), loc.nation
    if nation is None and force_id:  # online, say: the law where its force is (the profile's)
        from campaignsafe.guidance.content import NATION_NAMES

        found = (forces.force_routes(force_id) or {}).get("nation")
        nation = found if found in NATION_NAMES else None  # one of the four (not BTP's great-britain)
    head = fill(f"Saved as incident {incident.id} ({kinds.label(incident.kind)}, {_when(incident)}).")
    name = f"Saved as incident {incident.id}"
    out = [style(name, BOLD) + head[len(name) :]]
    out += [fill(exhibit_line(e), "  ", " " * (len(e.exhibit_ref) + 4)) for e in incident.evidence]
    out.append("")
    out.append(style("If anyone is in danger now, call 999.", BOLD, RED))
    # the reference first and what to do last: on a small screen the steps are what stays in view
    out.append("")
    for line in offences_lines(incident.kind, nation):
        out.append(fill(line.removeprefix("  • "), "  • ", "    ") if line.startswith("  • ") else fill(line))
    out.append("")
    out.append(style("Next steps", BOLD))
    from campaignsafe.incidents.listing import NO_AREA_FORCES

    steps = force_lines(force_id, nation, incident.police_reported)
    if source == "profile":
        steps[0] += " (your force, from your profile)"
    route = "other" if force_id in NO_AREA_FORCES else "101"  # BTP's number is not 101
    police = [r for r in incident.reports if r.police]
    update = f"campaignsafe incidents update {incident.id}"
    if police:
        steps.insert(0, f"You have reported it: {'; '.join(_made(r) for r in police)}.")
        if not any(r.reference for r in police):
            steps.insert(1, f"When you are given a reference, record it: {update} --police-ref REF")
    else:
        steps.append(
            f"When you have reported it, record that and the reference: {update} --reported-to {route} --police-ref REF"
            " (add --when TIME: when you reported it)"
        )
    steps.append(f"Add evidence later: campaignsafe incidents add-evidence {incident.id} FILE…")
    hint = platform_hint(incident, "The platform")
    if hint:
        steps.append(hint)
    out += [fill(s, "  • ", "    ") for s in steps]
    if taller_than_screen(out):
        # the first lines have scrolled away: what was saved, and 999, again last
        refs = [e.exhibit_ref for e in incident.evidence]
        held = f", with exhibit {refs[0]}" if len(refs) == 1 else ""
        if len(refs) > 1:
            held = f", with exhibits {refs[0]} {'and' if len(refs) == 2 else 'to'} {refs[-1]}"
        out += ["", style(fill(f"{name}{held}."), BOLD), style("If anyone is in danger now, call 999.", BOLD, RED)]
    print("\n".join(out))
