"""``campaignsafe report``: record an incident, by guided questions, by flags or from a file."""

from typing import Annotated, Any

import typer

from campaignsafe.cli._options import JsonOpt, NoInputOpt
from campaignsafe.errors import exit_code_help
from campaignsafe.incidents.kinds import help_text


def _opt(name: str, text: str, metavar: str | None = None) -> Any:
    return typer.Option(name, help=text, metavar=metavar, show_default=False)


Text = str | None
Texts = list[str] | None
FromFile = Annotated[Text, _opt("--from-file", "Import YAML or JSON: one incident or a list (all or none).", "FILE")]
NOT_FIELDS = ("from_file", "resume", "json_out", "no_input")
Resume = Annotated[bool, typer.Option("--resume", help="Carry on with the unfinished guided report.")]


def report(
    from_file: FromFile = None,
    resume: Resume = False,
    when: Annotated[Text, _opt("--when", "When it happened: 'yesterday 9pm', '2026-05-01 18:30'.")] = None,
    place: Annotated[Text, _opt("--place", "Where it happened, in words (or 'online').")] = None,
    postcode: Annotated[Text, _opt("--postcode", "Postcode of the place: finds the police force.")] = None,
    force: Annotated[Text, _opt("--force", "Police force (id or name) when there is no postcode.")] = None,
    kind: Annotated[Text, _opt("--kind", "One of the kinds listed above.")] = None,
    platform: Annotated[Text, _opt("--platform", "Platform or service: X, Facebook, email, phone…")] = None,
    description: Annotated[Text, _opt("--description", "What happened, exact words in quotes ('-': stdin).")] = None,
    suspect: Annotated[Texts, _opt("--suspect", "'DESCRIPTION; name=…; handle=@…' (repeatable).")] = None,
    victim: Annotated[Texts, _opt("--victim", "Someone targeted, as --suspect (repeatable).")] = None,
    witness: Annotated[Texts, _opt("--witness", "'NAME; contact=…' (repeatable).")] = None,
    vehicle: Annotated[Texts, _opt("--vehicle", "'DESCRIPTION; registration=…' (repeatable).")] = None,
    evidence: Annotated[Texts, _opt("--evidence", "An evidence file (repeatable).", "FILE")] = None,
    url: Annotated[Texts, _opt("--url", "'URL; screenshot=FILE; seen_at=…' (repeatable).")] = None,
    impact: Annotated[Text, _opt("--impact", "The effect on you.")] = None,
    campaign_impact: Annotated[Text, _opt("--campaign-impact", "The effect on the campaign.")] = None,
    reported_to: Annotated[Texts, _opt("--reported-to", "999, 101, online, police, platform or other.")] = None,
    police_ref: Annotated[Text, _opt("--police-ref", "The police reference you were given.")] = None,
    json_out: JsonOpt = False,
    no_input: NoInputOpt = False,
) -> None:
    flags: dict[str, Any] = {k: v for k, v in locals().items() if k not in NOT_FIELDS}
    from campaignsafe.cli._render import interactive
    from campaignsafe.errors import CampaignsafeError

    given = {k: v for k, v in flags.items() if v not in (None, [])}
    try:
        if from_file is not None and (given or resume):
            from campaignsafe.errors import InputError

            raise InputError("give --from-file on its own, without field flags or --resume", code="usage")
        if from_file is not None:
            saved = _from_file(from_file)
        elif given or not interactive(no_input):
            saved = [_from_flags(given, resume)]
        else:
            from campaignsafe.cli import _guided

            saved = [_guided.run(resume, json_out)]
    except CampaignsafeError as exc:
        if json_out:
            from campaignsafe.cli._render import print_json

            print_json({"schema_version": 1, "error": exc.as_dict()})
        raise
    _show(saved, json_out, len(saved) > 1 or from_file is not None)


report.__doc__ = f"""Record an incident: when, where, what kind, what happened, who, evidence, impact, reports.

In a terminal, with no field flags, it asks one question at a time, starting with the 999 line. Every answer is saved as you go, so Ctrl-C or a closed window loses nothing: carry on with --resume.

With field flags, --from-file or --no-input it never asks; it lists every problem at once and saves nothing unless all is well. Afterwards it shows the offences that may apply (information, not legal advice) and how to report it to the police.

\b
Kinds (--kind, or "kind" in a file):
{help_text()}

A minimal file (YAML or JSON; a list imports all or none):

\b
{{"occurred_at": "2026-05-01T18:30",
 "kind": "threats", "description": "…",
 "location": {{"text": "High Street",
              "postcode": "SW1A 1AA"}}}}

{exit_code_help()}

Example: campaignsafe report --when "yesterday 9pm" --place "High St" --kind threats --description "…"
"""  # noqa: E501 - help paragraphs are single lines so the help formatter wraps them


def _from_file(path: str) -> list[Any]:
    from pathlib import Path

    from campaignsafe.incidents import entry, inputs

    items = inputs.load_file(path)
    return entry.save(entry.check(items, base=Path(path).resolve().parent))


def _from_flags(given: dict[str, Any], resume: bool) -> Any:

    from campaignsafe.incidents import draft, entry, inputs, questions

    if given.get("description") == "-":
        from campaignsafe.cli._options import piped_text

        given["description"] = piped_text("--description -")
    base = None
    if resume:
        d = draft.load()
        if d is None:
            from campaignsafe.errors import NotFoundError

            raise NotFoundError("there is no unfinished report to resume", "start one: campaignsafe report")
        base = questions.to_raw(d.answers)
    from campaignsafe.incidents.problems import Problems

    raw, flag_problems = inputs.from_flags(given, base)
    try:
        checked = entry.check([raw])
        if flag_problems:
            raise Problems([])
    except Problems as exc:
        again = Problems(flag_problems + [inputs.in_flag_terms(p) for p in exc.problems])
        if not given:
            again.hint = "nothing was asked (--no-input, or input is not a terminal): give the fields as flags"
            again.hint += " (campaignsafe report --help) or use --from-file"
        raise again from None
    [incident] = entry.save(checked)
    if resume:
        draft.discard()
    return incident


def _postcode_unused(saved: list[Any]) -> None:
    """Say which incidents from a file name a postcode in the place's words but have none as the place's postcode:
    the guided form offers such a postcode, a file's is taken as written, so their force is not that postcode's."""
    from campaignsafe.cli._panel import say
    from campaignsafe.incidents.entry import postcode_in_words
    from campaignsafe.incidents.inputs import ordinal as inputs_ordinal

    ids = postcode_in_words(saved)
    if ids:
        one = len(ids) == 1
        which = f"incident {ids[0]}" if one else f"incidents {', '.join(map(str, ids[:20]))}"
        if len(saved) > 1:  # an error names a file's incident by its place in the file: say which that is
            named = set(ids[:20])
            which += f" (the file's {', '.join(inputs_ordinal(n) for n, i in enumerate(saved, 1) if i.id in named)})"
        which += (" has" if one else " have") if len(ids) <= 20 else f" and {len(ids) - 20:,} more have"
        their = "its" if one else "their"
        say(
            f"Note: {which} a postcode in {their} place's words but no location.postcode, so {their} force was not"
            f" found from it (the list shows your profile's force, if any). To use it: campaignsafe incidents edit"
            f" {ids[0]} --postcode POSTCODE",
            6,
        )


def _platforms_near(saved: list[Any]) -> None:
    """Say which incidents from a file name a platform one slip from one campaignsafe knows (``Twiter``)."""
    from campaignsafe.cli._incident_view import platform_hint
    from campaignsafe.cli._panel import say
    from campaignsafe.incidents.entry import platform_near_known

    near = [(i, found) for i in saved if (found := platform_near_known(i))]
    if not near:
        return
    if len(near) == 1:
        one = near[0][0]
        subject = f"incident {one.id}'s platform"
        text = f"Note: {platform_hint(one, subject)}"
    else:
        meant = "; ".join(f"{i.id}: {lab}" for i, (_p, lab) in near[:10]) + (
            f"; {len(near) - 10:,} more" if len(near) > 10 else ""
        )
        text = (f"Note: {len(near)} incidents name a platform close to one campaignsafe knows ({meant}); if that is"
                f" what was meant, change each: campaignsafe incidents edit ID --platform NAME")  # fmt: skip
    say(text, 6)


def _show(saved: list[Any], json_out: bool, many: bool) -> None:
    from campaignsafe.cli._incident_view import record_json, show_saved
    from campaignsafe.cli._render import print_json

    if json_out:
        records = [record_json(i) for i in saved]
        print_json({"schema_version": 1, "incidents": records} if many else records[0])
        return
    if many:
        ids = [i.id for i in saved]
        noun = "incident" if len(ids) == 1 else "incidents"
        print(f"Saved {len(ids)} {noun}: {', '.join(map(str, ids[:20]))}{' …' if len(ids) > 20 else ''}.")
        _postcode_unused(saved)
        _platforms_near(saved)
        print("List them: campaignsafe incidents list")
        return
    from campaignsafe import profile

    show_saved(saved[0], profile.load())
