"""``campaignsafe checklist``: the security guidance as checklists, with progress kept per profile."""

from typing import Annotated, Any

import typer
from typer.core import TyperGroup

from campaignsafe.cli._options import JsonOpt, NoInputOpt
from campaignsafe.errors import exit_code_help


class DefaultList(TyperGroup):
    """``checklist`` and ``checklist --profile X`` run ``checklist list``."""

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        if not args or (args[0] not in self.commands and args[0] not in ("-h", "--help")):
            args = ["list", *args]
        return super().parse_args(ctx, args)


app = typer.Typer(
    cls=DefaultList,
    help=(
        "Work through the candidate security guidance as checklists; progress is kept per profile.\n\n"
        "If you are in immediate danger, call 999.\n\n"
        f"{exit_code_help()}\n\nExample: campaignsafe checklist run --profile agent"
    ),
    add_completion=False,
    no_args_is_help=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)

ProfileOpt = Annotated[
    str | None,
    typer.Option(
        "--profile",
        "-p",
        envvar="CAMPAIGNSAFE_PROFILE",
        help="Whose progress: one profile per person (default: 'default').",
        show_default=False,
    ),
]
RoleOpt = Annotated[
    str | None,
    typer.Option(
        "--role",
        help=(
            "Only items for candidate, agent or volunteer ('all' for every item; default: the profile's saved "
            "role, else the role in campaignsafe profile)."
        ),
        show_default=False,
    ),
]
NationOpt = Annotated[
    str | None,
    typer.Option(
        "--nation",
        help=(
            "england, wales, scotland or northern-ireland ('all' for every nation; default: the profile's "
            "saved nation, else your police force's)."
        ),
        show_default=False,
    ),
]
TopicArg = Annotated[
    str | None, typer.Argument(help="A topic id, e.g. canvassing.", show_default=False, metavar="[TOPIC]")
]


@app.command("list")
def list_(
    profile: ProfileOpt = None, role: RoleOpt = None, nation: NationOpt = None, json_out: JsonOpt = False
) -> None:
    """Topics with a progress bar each, and overall progress.

    Plain `campaignsafe checklist` does the same.

    Example: campaignsafe checklist --profile jane --json
    """
    from campaignsafe.cli._checklist_view import show_list
    from campaignsafe.cli._render import print_json
    from campaignsafe.guidance.checklist import load_view, view_json

    view = load_view(profile, role, nation)
    if json_out:
        print_json(view_json(view))
    else:
        show_list(view)


@app.command("run")
def run(
    topic: TopicArg = None,
    profile: ProfileOpt = None,
    role: RoleOpt = None,
    nation: NationOpt = None,
    no_input: NoInputOpt = False,
) -> None:
    """Answer the items one at a time; each answer is saved at once.

    Answers: d done, n not yet, a not applicable, s skip (asked again next time), q stop;
    add a note after the letter, e.g. `d met DS Patel on 3 May`. Without TOPIC, essential
    items come first. Ctrl-C stops (exit 130) and keeps every answer; run it again to carry on
    from the first unanswered item. Without a terminal (or with --no-input) it only shows the
    next item and exits with code 3.

    Example: campaignsafe checklist run canvassing --profile volunteer-sam --role volunteer
    """
    from campaignsafe.cli._checklist_run import walk
    from campaignsafe.guidance.checklist import load_view

    walk(load_view(profile, role, nation), topic, no_input)


@app.command("show")
def show(
    topic: Annotated[
        str | None, typer.Argument(help="A topic id (or one item's id).", show_default=False, metavar="[TOPIC|ITEM]")
    ] = None,
    all_topics: Annotated[bool, typer.Option("--all", help="Every topic.")] = False,
    profile: ProfileOpt = None,
    role: RoleOpt = None,
    nation: NationOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """Read a topic, every topic (--all) or one item, with sources.

    Nothing is changed: use `run` or `mark` to answer.

    Example: campaignsafe checklist show online-abuse
    """
    from campaignsafe.cli._checklist_view import show_item, show_topics
    from campaignsafe.cli._render import print_json
    from campaignsafe.errors import InputError
    from campaignsafe.guidance.checklist import load_view, row_json, view_json

    view = load_view(profile, role, nation)
    if topic is None and not all_topics:
        ids = ", ".join(t.id for t in view.guidance.topics)
        raise InputError("give a TOPIC or --all", f"topics: {ids}", code="usage")
    if topic is not None and "." in topic:
        row = view.row(topic)
        if json_out:
            print_json(row_json(view.guidance, row))
        else:
            show_item(view, row)
        return
    if json_out:
        print_json(view_json(view, topic))
    else:
        show_topics(view, topic)


@app.command("next")
def next_(
    limit: Annotated[int, typer.Option("--limit", "-n", min=1, help="How many items.")] = 10,
    profile: ProfileOpt = None,
    role: RoleOpt = None,
    nation: NationOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """The most important items not done yet, across topics.

    Essential items first; within each, the items you marked "not yet" before those never answered.

    Example: campaignsafe checklist next --limit 5
    """
    from campaignsafe.cli._checklist_view import show_next
    from campaignsafe.cli._render import print_json
    from campaignsafe.guidance.checklist import load_view, next_json, next_rows

    view = load_view(profile, role, nation)
    rows = next_rows(view, limit)
    if json_out:
        print_json(next_json(view, rows))
    else:
        show_next(view, rows)


@app.command("mark")
def mark(
    item: Annotated[str, typer.Argument(help="The item's id (see `checklist show`).", show_default=False)],
    status: Annotated[str, typer.Argument(help="done, todo (not yet) or na (not applicable).", show_default=False)],
    note: Annotated[
        str | None, typer.Option("--note", help="A note to keep with the answer ('' clears it).", show_default=False)
    ] = None,
    profile: ProfileOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """Record an answer without prompting (for scripts).

    Example: campaignsafe checklist mark canvassing.never-alone done --note "pairs agreed"
    """
    from campaignsafe.cli._render import console, print_json
    from campaignsafe.guidance.checklist import STATUS_WORDS
    from campaignsafe.guidance.checklist import mark as record
    from campaignsafe.guidance.progress import profile_name

    _topic, it, answer = record(profile, item, status, note)
    if json_out:
        print_json({"profile": profile_name(profile), "id": it.id, **answer.model_dump(mode="json")})
    else:
        from rich.markup import escape

        console().print(f"{escape(it.id)}: {STATUS_WORDS[answer.status]} (profile {profile_name(profile)}).")


@app.command("export")
def export(
    fmt: Annotated[str, typer.Option("--format", "-f", help="md, html or json.")] = "md",
    output: Annotated[
        str, typer.Option("--output", "-o", help="File to write ('-' for standard output).", metavar="FILE")
    ] = "-",
    notes: Annotated[bool, typer.Option("--notes", help="Include your notes (left out by default).")] = False,
    profile: ProfileOpt = None,
    role: RoleOpt = None,
    nation: NationOpt = None,
) -> None:
    """Write a briefing to print or share (md, html or json).

    Every item with its progress and sources, the 999 line first. The HTML is one
    self-contained file that prints on A4; your notes are left out unless --notes.

    Example: campaignsafe checklist export --format html -o briefing.html --role volunteer
    """
    from campaignsafe.cli._checklist_view import write_output
    from campaignsafe.errors import InputError
    from campaignsafe.guidance.briefing import FORMATS, render
    from campaignsafe.guidance.checklist import load_view

    if fmt not in FORMATS:
        raise InputError(f"unknown format {fmt!r}", "use md, html or json", code="bad_format")
    write_output(output, render(load_view(profile, role, nation), fmt, notes))


@app.command("profiles")
def profiles(
    save: Annotated[
        bool,
        typer.Option(
            "--save",
            help="Save --role and/or --nation as the defaults of --profile ('none' clears one; the other is kept).",
        ),
    ] = False,
    profile: ProfileOpt = None,
    role: RoleOpt = None,
    nation: NationOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """List profiles, or save a profile's role and nation.

    With --save, --role and --nation become the defaults of --profile: one not given keeps what is saved,
    and 'none' clears it (back to the role in campaignsafe profile, or your police force's nation).

    Example: campaignsafe checklist profiles --save --profile sam --role volunteer --nation wales
    """
    from campaignsafe.cli._checklist_view import profiles_json, show_profiles
    from campaignsafe.cli._render import console, print_json
    from campaignsafe.guidance import progress
    from campaignsafe.guidance.content import normalise_nation, normalise_role

    if save:
        if role is None and nation is None:
            from campaignsafe.errors import InputError

            raise InputError(
                "--save needs --role, --nation or both",
                "e.g. campaignsafe checklist profiles --save --role agent ('none' clears a saved one)",
                code="usage",
            )

        def kept(value: str | None, normal: Any) -> str | None:
            word = None if value is None else value.strip().lower() or progress.CLEAR  # "" clears, as in profile
            return word if word in ("all", progress.CLEAR) else normal(value) if value is not None else None

        saved = progress.save_defaults(profile, kept(role, normalise_role), kept(nation, normalise_nation))
        if not json_out:
            from campaignsafe.guidance.checklist import applying

            d = saved.defaults
            role_now, role_from, nation_now, force = applying(saved.profile, d)
            role_said = d.role or "none saved, so " + (
                f"{role_now} (your profile's role)" if role_from else "all roles"
            )
            nation_said = d.nation or "none saved, so " + (
                f"{nation_now} (your profile's force)" if force else "all nations"
            )
            console().print(f"Saved defaults for profile {saved.profile}: role {role_said}, nation {nation_said}.")
            return
    elif role is not None or nation is not None:
        from campaignsafe.errors import InputError

        raise InputError("--role and --nation need --save here", code="usage")
    found = progress.profiles()
    if json_out:
        print_json(profiles_json(found))
    else:
        show_profiles(found)


@app.command("reset")
def reset(profile: ProfileOpt = None, json_out: JsonOpt = False) -> None:
    """Set a profile's progress aside and start it again.

    The file is renamed (…json.TIME.bak), not deleted. The profile's saved role and nation are kept.

    Example: campaignsafe checklist reset --profile sam
    """
    from campaignsafe.cli._render import print_json
    from campaignsafe.errors import CampaignsafeError
    from campaignsafe.guidance import progress

    try:
        answered: int | None = len(progress.load(profile).answers)
    except CampaignsafeError:  # a damaged file (reset is its way out) or none: counted as unknown
        answered = None
    aside = progress.reset(profile)
    kept = progress.load(profile).defaults
    if json_out:
        print_json({"profile": progress.profile_name(profile), "moved_to": str(aside), "defaults": kept.model_dump()})
    else:
        from campaignsafe.cli._panel import say

        settings = [f"role {kept.role}" if kept.role else "", f"nation {kept.nation}" if kept.nation else ""]
        named = " and ".join(x for x in settings if x)
        still = f" (its {named} {'are' if ' and ' in named else 'is'} kept)" if named else ""
        had = "Its answers so far are"
        if answered == 0:
            had = "It had no answers yet; its file is"
        elif answered is not None:
            had = f"Its {answered} answers so far are" if answered > 1 else "Its one answer so far is"
        say(f"Profile {progress.profile_name(profile)} starts again{still}. {had} set aside in {aside}")


@app.command("offences")
def offences(
    profile: Annotated[
        str | None,
        typer.Option(
            "--profile",
            "-p",
            envvar="CAMPAIGNSAFE_PROFILE",
            help="Whose saved nation, with no --nation (a checklist profile; default: 'default').",
            show_default=False,
        ),
    ] = None,
    nation: NationOpt = None,
    kind: Annotated[
        str | None, typer.Option("--kind", help="Only offences for this incident kind, e.g. threats.")
    ] = None,
    json_out: JsonOpt = False,
) -> None:
    """Offences per nation: information, not legal advice.

    Harassment, stalking, threats, communications, public order, damage, hate and
    electoral offences, with statute, examples and sources.

    Example: campaignsafe checklist offences --nation scotland --kind threats
    """
    from campaignsafe.cli._offences_view import offences_json, show_offences
    from campaignsafe.cli._render import print_json
    from campaignsafe.guidance import offences as ref
    from campaignsafe.guidance.content import normalise_nation

    wanted, nation_from, saved_by = normalise_nation(nation), None, None
    if nation is None:  # the checklist's: the profile's saved nation, else that of the profile's force
        from campaignsafe.guidance.checklist import default_nation

        wanted, nation_from, saved_by = default_nation(profile)
    found = ref.suggest(kind, wanted) if kind is not None else ref.offences(wanted)
    if json_out:
        print_json(offences_json(found, wanted, kind, nation_from, saved_by))
    else:
        show_offences(found, wanted, kind, nation_from, saved_by)
