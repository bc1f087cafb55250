"""``campaignsafe incidents``: list, show, edit, update, delete and add evidence to recorded incidents."""

from typing import Annotated, Any

import typer

from campaignsafe.cli._options import JsonOpt, NoInputOpt
from campaignsafe.errors import exit_code_help

app = typer.Typer(
    help=(
        "List, show, amend, update and delete recorded incidents, and add evidence to them. "
        "Nothing is ever silently rewritten: changes are dated amendments beside the original, "
        f"and every change is in the audit log.\n\n{exit_code_help()}\n\nExample: campaignsafe incidents list"
    ),
    add_completion=False,
    rich_markup_mode=None,
    no_args_is_help=True,
)


def _opt(name: str, text: str, metavar: str | None = None) -> Any:
    return typer.Option(name, help=text, metavar=metavar, show_default=False)


#: ids are SQLite integers: anything outside 1 … 2**63 - 1 is a usage error, not a lookup.
Id = Annotated[
    int,
    typer.Argument(
        help="The incident's id (see: campaignsafe incidents list).", show_default=False, min=1, max=2**63 - 1
    ),
]
Text = str | None
Texts = list[str] | None


@app.command("list")
def list_(
    since: Annotated[Text, _opt("--since", "From this date or time, e.g. 2026-04-01 or '3 weeks ago'.")] = None,
    until: Annotated[Text, _opt("--until", "Up to this date (the whole day) or time.")] = None,
    kind: Annotated[Texts, _opt("--kind", "Only this kind (repeatable).")] = None,
    force: Annotated[Text, _opt("--force", "Only incidents in this force's area (id or name).")] = None,
    unreported: Annotated[
        bool, typer.Option("--unreported", help="Only those not yet reported to the police.")
    ] = False,
    json_out: JsonOpt = False,
) -> None:
    """List incidents, oldest first: id, when, kind, place, force, evidence count, reported to.

    Example: campaignsafe incidents list --since 2026-04-01 --unreported
    """
    from campaignsafe.cli import _incident_list as view

    view.show(since, until, kind or [], force, unreported, json_out)


@app.command("links")
def links(
    since: Annotated[Text, _opt("--since", "Only incidents from this date or time.")] = None,
    until: Annotated[Text, _opt("--until", "Only incidents up to this date (the whole day) or time.")] = None,
    kind: Annotated[Texts, _opt("--kind", "Only incidents of this kind (repeatable).")] = None,
    force: Annotated[Text, _opt("--force", "Only incidents in this force's area (id or name).")] = None,
    json_out: JsonOpt = False,
) -> None:
    """Identifiers that appear in more than one incident: handles, phones, emails, vehicles, web addresses, names.

    Each is compared in a normal form (@AngryVoter on Twitter and x.com/angryvoter are one account; 07700 900123
    and +44 7700 900123 one number), and listed with the incidents it joins, most incidents first.

    Example: campaignsafe incidents links
    """
    from campaignsafe.cli._render import print_json
    from campaignsafe.incidents import links as lk
    from campaignsafe.incidents import listing

    found = lk.in_store(listing.make_filter(since, until, kind or [], force, False))
    if json_out:
        print_json({"schema_version": 1, "incidents": found.incidents, "links": [x.as_dict() for x in found.links]})
    else:
        from campaignsafe.cli import _links_view

        _links_view.show(found)


@app.command("show")
def show(incident_id: Id, json_out: JsonOpt = False) -> None:
    """Show one incident as first recorded, its exhibits, and each amendment beside the original.

    Example: campaignsafe incidents show 3
    """
    from campaignsafe.cli import _incident_view as view
    from campaignsafe.cli._render import print_json
    from campaignsafe.incidents import provenance
    from campaignsafe.incidents.store import Store

    with Store.open() as store:
        incident = store.get(incident_id)
        audit = store.audit(incident_id)
        origin = provenance.of(store.conn, [incident_id]).get(incident_id)
        findings = store.record_check(incident_id)
        campaign = store.campaign(incident_id)
    if json_out:
        out = view.record_json(incident, audit, provenance.theirs(origin)) | {
            "record_check": view.record_check(findings)
        }
        out["recorded_by"] = origin.recorded_by if origin else None
        if campaign is not None:
            out["campaign"] = campaign
        if origin is not None:
            out["provenance"] = origin.__dict__
        print_json(out)
    else:
        view.show_incident(incident, origin, campaign)
        view.warn_findings(findings)


@app.command("edit")
def edit(
    incident_id: Id,
    when: Annotated[Text, _opt("--when", "Correct when it happened.")] = None,
    place: Annotated[Text, _opt("--place", "Correct where it happened.")] = None,
    postcode: Annotated[Text, _opt("--postcode", "Correct the postcode (finds the force again).")] = None,
    force: Annotated[Text, _opt("--force", "Set the police force (id or name).")] = None,
    kind: Annotated[Text, _opt("--kind", "Correct the kind (see campaignsafe report --help).")] = None,
    platform: Annotated[Text, _opt("--platform", "Correct the platform or service.")] = None,
    description: Annotated[Text, _opt("--description", "The corrected account in full ('-': stdin).")] = None,
    add_suspect: Annotated[Texts, _opt("--add-suspect", "Add a person: 'DESCRIPTION; name=…; handle=@…'.")] = None,
    add_witness: Annotated[Texts, _opt("--add-witness", "Add a witness: 'NAME; contact=…'.")] = None,
    add_vehicle: Annotated[Texts, _opt("--add-vehicle", "Add a vehicle: 'DESCRIPTION; registration=…'.")] = None,
    impact: Annotated[Text, _opt("--impact", "The effect on you.")] = None,
    campaign_impact: Annotated[Text, _opt("--campaign-impact", "The effect on the campaign.")] = None,
    reason: Annotated[Text, _opt("--reason", "Why it changed, e.g. 'remembered the time'.")] = None,
    json_out: JsonOpt = False,
) -> None:
    """Correct or add to an incident: a dated amendment is added and the original stays as it was.

    Example: campaignsafe incidents edit 3 --when "2026-05-01 18:45" --reason "checked my phone log"
    """

    from campaignsafe.incidents import manage

    if description == "-":
        from campaignsafe.cli._options import piped_text

        description = piped_text("--description -")
    values: dict[str, Any] = {"when": when, "place": place, "postcode": postcode, "force": force, "kind": kind}
    values |= {"platform": platform, "description": description, "impact": impact, "campaign_impact": campaign_impact}
    values |= {"add_suspect": add_suspect, "add_witness": add_witness, "add_vehicle": add_vehicle}
    incident = manage.edit(incident_id, values, reason)
    _after_change(incident, json_out)


@app.command("update")
def update(
    incident_id: Id,
    reported_to: Annotated[Text, _opt("--reported-to", "999, 101, online, police, platform or other.")] = None,
    police_ref: Annotated[Text, _opt("--police-ref", "The police reference (crime or incident number).")] = None,
    ref: Annotated[Text, _opt("--ref", "The reference for --reported-to (e.g. a platform's).")] = None,
    platform: Annotated[Text, _opt("--platform", "With --reported-to platform: which platform.")] = None,
    when: Annotated[Text, _opt("--when", "When you reported it, with its time (left out: not given).")] = None,
    json_out: JsonOpt = False,
) -> None:
    """Record that you reported it, and the reference you were given (kept as an amendment).

    Example: campaignsafe incidents update 3 --reported-to 101 --police-ref "CAD 1234 01/05"
    """
    from campaignsafe.incidents import manage

    incident = manage.reported(incident_id, reported_to, police_ref, ref, platform, when)
    _after_change(incident, json_out)


def _after_change(incident: Any, json_out: bool) -> None:
    from campaignsafe.cli import _incident_view as view
    from campaignsafe.cli._render import print_json

    if json_out:
        from campaignsafe.incidents import provenance
        from campaignsafe.incidents.store import Store

        with Store.open() as store:  # another person's incident takes their profile's force, never this one's
            origin = provenance.of(store.conn, [incident.id]).get(incident.id)
        print_json(view.record_json(incident, theirs=provenance.theirs(origin)))
        return
    from campaignsafe.cli._panel import say

    a = incident.amendments[-1]
    from campaignsafe.exports.text import FIELD_LABELS

    changed = ", ".join(FIELD_LABELS.get(c.field, c.field).lower() for c in a.changes)
    say(f"Incident {incident.id}: amendment {a.number} recorded ({changed}).")
    say(f"The original is kept; see both: campaignsafe incidents show {incident.id}")
    if any(c.field == "platform" for c in a.changes) and (
        hint := view.platform_hint(incident.current(), "that platform")
    ):
        say(f"Note: {hint}", 6)


@app.command("delete")
def delete(
    incident_id: Id,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation.")] = False,
    no_input: NoInputOpt = False,
    json_out: JsonOpt = False,
) -> None:
    """Delete an incident and the evidence files no other incident uses (a tombstone stays in the audit log).

    Example: campaignsafe incidents delete 3
    """
    from campaignsafe.cli._render import interactive, print_json
    from campaignsafe.errors import InputError
    from campaignsafe.incidents import entry, kinds
    from campaignsafe.incidents.store import Store

    with Store.open() as store:
        incident = store.get(incident_id)
    if not yes:
        if not interactive(no_input):
            raise InputError("deleting needs confirmation: add --yes", code="needs_confirmation")
        from campaignsafe.cli._panel import counted

        what = f"incident {incident_id} ({kinds.label(incident.kind)})"
        if incident.evidence:
            what += f" and its {counted(len(incident.evidence), 'exhibit')}"
        from campaignsafe.cli._panel import say

        say(f"This deletes {what}. It cannot be undone.", 0)
        if not typer.confirm(f"Delete incident {incident_id}?", default=False):
            print("Nothing deleted.")
            return
    deleted = entry.remove(incident_id)
    if json_out:
        print_json(
            {
                "schema_version": 1,
                "deleted": deleted.id,
                "exhibits": deleted.exhibits,
                "files_removed": deleted.unused_files,
                "files_kept": deleted.kept_files,
            }
        )
    else:
        from campaignsafe.cli._panel import say

        removed = len(deleted.unused_files)
        gone = "no stored file was left unused" if not removed else (
            "1 stored file no longer used was removed" if removed == 1
            else f"{removed} stored files no longer used were removed"
        )  # fmt: skip
        if deleted.kept_files:
            n = len(deleted.kept_files)
            gone = (
                f"{'its stored file' if n == 1 else f'{n} stored files'} no longer used {'was' if n == 1 else 'were'}"
                " kept, as another campaignsafe (an export or a backup) was using the evidence folder; kept copies"
                " only take space"
            )
        say(f"Deleted incident {deleted.id}; {gone}.")


@app.command("add-evidence")
def add_evidence(
    incident_id: Id,
    files: Annotated[
        list[str] | None,
        typer.Argument(help="Files to add (copied; the originals are never changed).", show_default=False),
    ] = None,
    url: Annotated[Text, _opt("--url", "A web address: the post, profile or message.")] = None,
    screenshot: Annotated[Text, _opt("--screenshot", "With --url: a screenshot of it.", "FILE")] = None,
    seen_at: Annotated[Text, _opt("--seen-at", "With --url: the date and time you saw it (if given).")] = None,
    platform: Annotated[Text, _opt("--platform", "With --url: the platform, if not obvious from the address.")] = None,
    note: Annotated[Text, _opt("--note", "A note kept with the exhibit.")] = None,
    json_out: JsonOpt = False,
) -> None:
    """Add evidence: files are copied into your store by SHA-256, each gets an exhibit reference (JS/1, …).

    Example: campaignsafe incidents add-evidence 3 screenshot.png letter.pdf
    """
    from campaignsafe.cli import _incident_view as view
    from campaignsafe.cli._render import print_json
    from campaignsafe.incidents import manage

    added = manage.add_evidence(incident_id, files or [], url, screenshot, seen_at, platform, note)
    if json_out:
        items = [{**a.evidence.model_dump(mode="json"), "new": a.new, "repaired": a.repaired} for a in added]
        print_json({"schema_version": 1, "incident": incident_id, "evidence": items})
        return
    from campaignsafe.cli._panel import counted, say

    for a in added:
        line = view.exhibit_line(a.evidence) + ("" if a.new else "  (already an exhibit of this incident)")
        say(line, len(a.evidence.exhibit_ref) + 2)  # continued under the file name
        if a.repaired:
            say(f"  stored copy of {a.evidence.exhibit_ref} repaired: it matches its recorded SHA-256 again", 4)
    repaired = sum(a.repaired for a in added)
    summary = f"Incident {incident_id}: {counted(sum(a.new for a in added), 'exhibit')} added"
    summary += f", {counted(repaired, 'stored copy', 'stored copies')} repaired" if repaired else ""
    say(f"{summary}. The originals were only read.")
