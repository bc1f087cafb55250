"""``campaignsafe contact``: which force covers a place and how to reach it; the user's own contacts."""

import sys
from typing import Annotated, Any

import typer
from typer.core import TyperCommand, TyperGroup

from campaignsafe.cli._options import JsonOpt
from campaignsafe.errors import exit_code_help


class QueryGroup(TyperGroup):
    """``contact QUERY`` runs the hidden ``lookup`` command; ``contact save|saved`` are sub-commands."""

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        if not args or args[0] not in self.commands or args[0] == "lookup":
            args = ["lookup", *args]
        return super().parse_args(ctx, args)


class _LookupContext(typer.Context):
    @property
    def command_path(self) -> str:
        # Help and errors read "campaignsafe contact", not "campaignsafe contact lookup".
        return super().command_path.removesuffix(" lookup")


class LookupCommand(TyperCommand):
    """The hidden default command of ``contact``."""

    context_class = _LookupContext


app = typer.Typer(
    cls=QueryGroup,
    help="Find the police force for a place and every way to reach it.",
    add_completion=False,
    rich_markup_mode=None,
)

LOOKUP_HELP = f"""Find the police force for a postcode, district, sector, constituency, council or force.

QUERY examples: "SW1A 1AA", sk17, "SK17 6", "Cities of London and Westminster", Cambridge, "Kent Police".

Keep your election SPOC's details: campaignsafe contact save FORCE --role spoc --name ...

List them: campaignsafe contact saved (they are shown with every lookup for that force).

{exit_code_help()}

Example: campaignsafe contact "SW1A 1AA" --json
"""


@app.command("lookup", cls=LookupCommand, help=LOOKUP_HELP, hidden=True)
def lookup(
    words: Annotated[
        list[str] | None,
        typer.Argument(
            help="Postcode, district, sector, constituency, council or force (quotes optional).",
            show_default=False,
            metavar="QUERY",
        ),
    ] = None,
    batch: Annotated[
        str | None,
        typer.Option(
            "--batch", help="Read one query per line from FILE ('-' for stdin); write JSON Lines.", metavar="FILE"
        ),
    ] = None,
    json_out: JsonOpt = False,
) -> None:
    from campaignsafe.errors import CampaignsafeError, InputError

    query = " ".join(words) if words else None  # contact SW1A 1AA, unquoted, is one query
    if batch is not None:
        if query is not None:
            raise InputError("give either a QUERY or --batch FILE, not both", code="usage")
        _batch(batch)
        return
    if query is None:
        raise InputError(
            "give a postcode, constituency, council or police force",
            'e.g. campaignsafe contact "SW1A 1AA"',
            code="empty_query",
        )
    from campaignsafe.contact.resolve import complete, resolve

    try:
        answer = resolve(query)
    except CampaignsafeError as exc:
        fallback = getattr(exc, "answer", None)
        if fallback is None and getattr(exc, "crown", None):
            _crown(query, exc, json_out)  # an answer: it names the right police service
            return
        if json_out:
            from campaignsafe.cli._render import print_json

            out = fallback.to_dict() if fallback is not None else {"schema_version": 1, "query": query}
            if getattr(exc, "crown", None):
                out["police_service"] = exc.crown  # type: ignore[attr-defined]
            out["error"] = exc.as_dict()
            print_json(out)
        elif fallback is not None:
            from campaignsafe.cli._contact_view import show_answer

            show_answer(complete(fallback), below=3)  # the error and its hint follow it on the screen
        elif exc.details and "choices" in exc.details:
            from campaignsafe.cli._contact_view import show_choices

            show_choices(query, exc.details["choices"])
        elif getattr(exc, "crown", None):
            from campaignsafe.cli._contact_view import show_crown

            show_crown(exc.crown)  # type: ignore[attr-defined]
        raise
    complete(answer)
    if json_out:
        from campaignsafe.cli._render import print_json

        print_json(answer.to_json())
        return
    from campaignsafe.cli._contact_view import show_answer

    show_answer(answer)


def _crown(query: str, exc: Any, json_out: bool) -> None:
    """Jersey, Guernsey or the Isle of Man: their own police service is the answer (exit 0)."""
    service = exc.crown
    if json_out:
        from campaignsafe.cli._render import print_json
        from campaignsafe.contact.resolve import crown_answer

        print_json(crown_answer(query, exc))
        return
    import shutil
    import textwrap

    from campaignsafe.cli._contact_view import show_crown

    show_crown(service)
    width = shutil.get_terminal_size((80, 24)).columns
    print(textwrap.fill(exc.message[0].upper() + exc.message[1:] + ".", max(20, width), break_long_words=False))


def _batch(source: str) -> None:
    from campaignsafe.contact.batch import run_batch
    from campaignsafe.inputfiles import open_regular

    if source == "-":
        run_batch(sys.stdin.buffer, sys.stdout)
        return
    with open_regular(source) as fh:
        run_batch(fh, sys.stdout)


@app.command("save")
def save(
    force: Annotated[
        str, typer.Argument(help="Force id or name, e.g. metropolitan or 'Kent Police'.", show_default=False)
    ],
    role: Annotated[str, typer.Option("--role", help="spoc, adviser or officer.")] = "spoc",
    name: Annotated[str | None, typer.Option("--name", help="Their name and rank.")] = None,
    phone: Annotated[str | None, typer.Option("--phone", help='Their phone ("" clears it).')] = None,
    email: Annotated[str | None, typer.Option("--email", help='Their email ("" clears it).')] = None,
    notes: Annotated[
        str | None, typer.Option("--notes", help='e.g. hours, reference, who gave you the details ("" clears).')
    ] = None,
    json_out: JsonOpt = False,
) -> None:
    """Keep the details of a police contact you were given (stored only on this computer).

    Saving again for the same force, role and name (or with no --name, the only contact for that force and
    role) updates that entry: fields you give replace theirs, fields you leave out are kept, and a field
    given as "" is cleared.

    Example: campaignsafe contact save metropolitan --role spoc --name "DI Jane Smith" --phone "020 7946 0000"
    """
    from campaignsafe.cli._contact_view import force_id_for
    from campaignsafe.cli._render import console, print_json
    from campaignsafe.contact import contacts

    values = {"name": name, "phone": phone, "email": email, "notes": notes}
    record, changes = contacts.save(force_id_for(force), role, values)
    if json_out:
        print_json({**record, "changes": changes})
        return
    from campaignsafe.incidents.listing import force_name

    who = contacts.ROLE_IN_TEXT[record["role"]] + (f" {record['name']}" if record.get("name") else "")
    force = force_name(record["force"]) or record["force"]
    if not changes:
        console().print(f"Saved your {who} for {force}.")
        return
    done = [f"{field} {how}" for field, how in changes.items() if how != "unchanged"]
    kept = [field for field in contacts.FIELDS if field in record and field not in changes]
    said = "; ".join(done) if done else "nothing changed"
    console().print(f"Updated your {who} for {force}: {said}" + (f"; kept {', '.join(kept)}." if kept else "."))


@app.command("saved")
def saved(
    remove: Annotated[
        str | None, typer.Option("--remove", help="Remove the saved contacts for this force.", metavar="FORCE")
    ] = None,
    role: Annotated[str | None, typer.Option("--role", help="With --remove: only this role.")] = None,
    json_out: JsonOpt = False,
) -> None:
    """List the police contacts you saved, or remove them with --remove FORCE.

    Example: campaignsafe contact saved --json
    """
    from campaignsafe.cli._contact_view import force_id_for, show_saved
    from campaignsafe.cli._render import console, print_json
    from campaignsafe.contact import contacts
    from campaignsafe.errors import NotFoundError

    if remove is not None:
        fid = force_id_for(remove)
        n = contacts.remove(fid, role)
        if not n:
            raise NotFoundError(
                f"no saved contacts for {fid}" + (f" with role {role}" if role else ""), code="contact_not_found"
            )
        if json_out:
            print_json({"removed": n, "force": fid})
        else:
            console().print(f"Removed {n} saved contact{'' if n == 1 else 's'} for {fid}.")
        return
    items = contacts.load()
    if json_out:
        print_json({"contacts": items})
    else:
        show_saved(items)
