"""Changing recorded incidents: edits and reports as amendments, new exhibits.

Every function here checks all of its input before writing, and writes through ``Store``,
which keeps the original and logs the change.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from campaignsafe.errors import CampaignsafeError, InputError
from campaignsafe.incidents import inputs, kinds, when
from campaignsafe.incidents.listing import POLICE_ROUTES, REPORT_LABELS
from campaignsafe.incidents.models import EvidenceIn, Incident, LocationIn, control_problem
from campaignsafe.incidents.models import reported as reported_moment
from campaignsafe.incidents.problems import Problems, pydantic_problems
from campaignsafe.incidents.store import Store

if TYPE_CHECKING:
    from campaignsafe.incidents.entry import Added


def _text_problems(values: dict[str, Any]) -> dict[str, str]:
    """``{key: "--flag: contains control characters …"}`` for each typed value that holds one.

    Amendments are checked against the stored record (which is taken as written), so the new
    text is checked here, as ``report`` checks it through the record's fields.
    """
    out = {}
    for key, value in values.items():
        for text in value if isinstance(value, list) else [value]:
            problem = control_problem(text) if isinstance(text, str) else None
            if problem is None and (dash := inputs.dash_problem(key, text)):
                out[key] = dash
                break
            if problem:
                out[key] = f"--{key.replace('_', '-')}: {problem}"
                break
    return out


def _lf(value: Any) -> Any:
    """CR LF line endings (a pasted or Windows description) as LF, like the record's own fields."""
    return value.replace("\r\n", "\n") if isinstance(value, str) else value


def edit(incident_id: int, v: dict[str, Any], reason: str | None) -> Incident:
    """Amend the given fields (``v`` holds the ``incidents edit`` options); the original is kept."""
    refused = _text_problems({**v, "reason": reason})
    problems = list(refused.values())
    v = {k: _lf(x) for k, x in v.items() if k not in refused}  # each refused flag is named once
    reason = _lf(reason)
    new: dict[str, Any] = {}
    with Store.open() as store:
        cur = store.get(incident_id).current()
        if v.get("when"):
            try:
                got = when.parse(v["when"])
                new.update(occurred_at=got.at, time_known=got.time_known)
                early = [r.to for r in cur.reports if r.reported_at and when.before(r.reported_at, got)]
                if early:  # the incident moved to after a report of it (its route said, never its reference)
                    problems.append(
                        f"--when: that is after the report to {REPORT_LABELS.get(early[0], 'someone')} it records:"
                        f" a report cannot come before the incident (campaignsafe incidents show {incident_id})"
                    )
            except InputError as exc:
                problems.append(f"--when: {exc.message}")
        if v.get("kind"):
            try:
                new["kind"] = kinds.parse_kind(v["kind"])
            except InputError as exc:
                problems.append(f"--kind: {exc.message}")
        for key in ("platform", "description"):
            if v.get(key) is not None:
                new[key] = v[key]
        if any(v.get(k) is not None for k in ("place", "postcode", "force")):
            _location(cur, v, new, problems)
        people = inputs.made(v.get("add_suspect"), "add_suspect", lambda t: inputs.person("suspect", t), problems)
        people += inputs.made(v.get("add_witness"), "add_witness", inputs.witness, problems)
        if people:
            new["people"] = [p.model_dump(mode="json") for p in cur.people] + people
        if vehicles := inputs.made(v.get("add_vehicle"), "add_vehicle", inputs.vehicle, problems):
            new["vehicles"] = [x.model_dump(mode="json") for x in cur.vehicles] + vehicles
        if v.get("impact") is not None or v.get("campaign_impact") is not None:
            old = cur.impact.model_dump() if cur.impact else {}
            new["impact"] = {
                "personal": v["impact"] if v.get("impact") is not None else old.get("personal"),
                "campaign": v["campaign_impact"] if v.get("campaign_impact") is not None else old.get("campaign"),
            }
        if problems:
            raise Problems(problems)
        if not new:
            raise InputError(
                "nothing to change", "give e.g. --when, --place, --description or --add-witness", code="no_change"
            )
        return store.amend(incident_id, new, reason)


def _location(cur: Incident, v: dict[str, Any], new: dict[str, Any], problems: list[str]) -> None:
    from campaignsafe.incidents.entry import resolve_location

    loc = cur.location
    postcode = v["postcode"] if v.get("postcode") is not None else loc.postcode
    force = v.get("force") or (loc.force_id if v.get("postcode") is None else None)
    try:
        new["location"] = resolve_location(
            LocationIn(text=v.get("place") or loc.text, postcode=postcode, force_id=force)
        )
    except CampaignsafeError as exc:
        problems.append(f"--{'force' if v.get('force') and 'force' in exc.message else 'postcode'}: {exc.message}")


def reported(
    incident_id: int, to: str | None, police_ref: str | None, ref: str | None, platform: str | None, at: str | None
) -> Incident:
    """Record a report made (and its reference) as an amendment of ``reports``."""
    if not to and not police_ref:
        raise InputError("give --reported-to and/or --police-ref", code="no_change")
    typed = {"reported_to": to, "police_ref": police_ref, "ref": ref, "platform": platform, "when": at}
    refused = _text_problems(typed)
    if refused:
        raise Problems(list(refused.values()))
    if to and to.strip().lower() not in REPORT_LABELS:
        raise InputError(f"--reported-to: give one of {', '.join(REPORT_LABELS)}", code="bad_report")
    # no --when: the time it was reported is not known, so none is stored; the amendment's own
    # time says when it was recorded, and the report says that instead of inventing a report time.
    parsed = reported_moment(at) if at else None
    moment = when.iso(parsed) if parsed else None
    with Store.open() as store:
        cur = store.get(incident_id).current()
        happened = when.When(cur.occurred_at, cur.time_known)
        if parsed and when.before(parsed, happened):  # a mistyped day, most often
            raise InputError(
                f"--when: {when.too_early()}; nothing was saved",
                f"give the time it was reported, or correct the incident's: campaignsafe incidents edit {incident_id}"
                " --when …",
                code="bad_date",
            )
        reports = [r.model_dump(mode="json") for r in cur.reports]
        if to:
            to = to.strip().lower()
            reference = ref or (police_ref if to in POLICE_ROUTES else None)
            reports.append({"to": to, "reference": reference, "platform": platform, "reported_at": moment})
            if police_ref and to not in POLICE_ROUTES:
                reports = inputs.police_ref(reports, police_ref)
        else:
            reports = inputs.police_ref(reports, police_ref or "")
        # no reason: the user gave none, and the change itself (reports) says what was added; a reason written
        # here would read in the police report as the user's own words
        return store.amend(incident_id, {"reports": reports})


def add_evidence(
    incident_id: int,
    files: Sequence[str],
    url: str | None,
    screenshot: str | None,
    seen_at: str | None,
    platform: str | None,
    note: str | None,
) -> list[Added]:
    """Add files and/or a URL (with its screenshot) as exhibits (each marked new and/or repaired)."""
    from campaignsafe.incidents import entry

    if not files and not url:
        raise InputError("give one or more FILEs, or --url URL", code="no_evidence")
    if (screenshot or seen_at) and not url:
        raise InputError("--screenshot and --seen-at go with --url", code="usage")
    raw: list[dict[str, Any]] = [{"path": os.path.abspath(f), "note": note} for f in files]
    flags = {"platform": platform, "seen_at": seen_at, "note": note, "screenshot": screenshot}
    if url:
        try:
            typed = inputs.item(url, "url", inputs.URL_FIELDS, "url")
        except InputError as exc:
            raise InputError(f"--url: {exc.message}; nothing was saved", code=exc.code) from None
        both = [k for k, given in flags.items() if given and k in typed]
        if both:  # keeping one would silently lose the other
            keys, flags_given = " and ".join(f"{k}=" for k in both), " and ".join(f"--{k}" for k in both)
            raise InputError(
                f"{keys} {'is' if len(both) == 1 else 'are'} given both inside --url and as"
                f" {flags_given.replace('_', '-')}; nothing was saved",
                f"give {'it' if len(both) == 1 else 'each'} once",
                code="bad_flag",
            )
        item = inputs.with_platform(
            {**typed, **{k: given for k, given in flags.items() if given and k != "screenshot"}}
        )
        if screenshot:
            item["screenshot"] = os.path.abspath(screenshot)
        raw.append(item)
    items = []
    for n, r in enumerate(raw):
        try:
            items.append(EvidenceIn.model_validate(r))
        except ValidationError as exc:  # each named by the flag the user gave it with (FILE, --url, --seen-at, …)
            what = "FILE" if n < len(files) else "--url"
            raise Problems([_named(p, flags, what) for p in pydantic_problems(exc)]) from None
    try:
        return entry.attach(incident_id, items)
    except Problems as exc:
        raise Problems([_as_given(p, len(files), bool(screenshot)) for p in exc.problems]) from None


def _named(problem: str, flags: dict[str, str | None], item: str) -> str:
    """``seen_at: reason`` → ``--seen-at: reason`` when that flag gave it, else ``--url (seen_at=): reason``."""
    field, sep, rest = problem.partition(": ")
    if not sep or field not in EvidenceIn.model_fields:
        return problem  # the item as a whole (``url is not a web address …``)
    if flags.get(field):
        return f"--{field.replace('_', '-')}: {rest}"
    return f"{item} ({field}=): {rest}" if field not in ("url", "path") else f"{item}: {rest}"


def _as_given(problem: str, files: int, shot_flag: bool = True) -> str:
    """``evidence #2.path: no such file`` → ``FILE (the 2nd): no such file``, in the command's own terms
    (``--url``, ``--screenshot`` or, given inside the URL's value, ``--url (screenshot=)``; the URL's item comes
    after the files). The file's name is never shown."""
    item = inputs.evidence_problem(problem)
    if item is None:
        return problem
    i, field, rest = item
    if i < files:
        return f"FILE (the {inputs.ordinal(i + 1)}): {rest}" if files > 1 else f"FILE: {rest}"
    if field == "screenshot":
        return f"{'--screenshot' if shot_flag else '--url (screenshot=)'}: {rest}"
    return f"--url: {rest}"
