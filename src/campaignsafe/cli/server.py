"""``campaignsafe server``: set up a shared PostgreSQL store, its campaigns and who may see what."""

import os
from pathlib import Path
from typing import Annotated, Any

import typer

from campaignsafe.cli._options import JsonOpt

app = typer.Typer(add_completion=False, rich_markup_mode=None, no_args_is_help=True)

UrlOpt = Annotated[
    str | None,
    typer.Option(
        "--url",
        help="The administrator's URL (default: CAMPAIGNSAFE_DATABASE_URL); keep its password in ~/.pgpass."
        " With neither, exit 3.",
        metavar="URL",
        show_default=False,
    ),
]
LoginOpt = Annotated[
    str | None, typer.Option("--login", help="The login role to create (default: cs_<name>).", show_default=False)
]
GrantOpt = Annotated[
    str | None,
    typer.Option("--grant", help="Let an existing role in instead of creating a login role.", metavar="ROLE"),
]
PasswordFile = Annotated[
    str | None,
    typer.Option(
        "--password-file",
        help="The new login's password: the first line of FILE. Without it, asked at a terminal (Enter to generate"
        " one) or generated.",
        metavar="FILE",
        show_default=False,
    ),
]
PasswordOut = Annotated[
    Path | None,
    typer.Option(
        "--password-out",
        help="Where a generated password is written (0600; default ./<login>.password). Never printed.",
        metavar="FILE",
        show_default=False,
    ),
]


def _url(url: str | None) -> str:
    from campaignsafe.incidents import server

    return server.admin_url(url)


@app.command("init")
def init(url: UrlOpt = None, json_out: JsonOpt = False) -> None:
    """Create the schema (the named migrations), the roles and row-level security, with an administrator's URL.

    Run once per server (again after an upgrade: it brings everything up to date). The tables belong
    to the administrator; campaigns' roles read and write only their own campaign's rows, the HQ role
    reads every campaign's and changes none, and no role can change an original.

    Example: campaignsafe server init
    """
    from campaignsafe.incidents import server

    done = server.init(_url(url))
    if json_out:
        from campaignsafe.cli._render import print_json

        print_json({"schema_version": 1, **done})
        return
    from campaignsafe.cli._panel import say

    say(f"Set up {done['store']}: the schema, the roles {', '.join(done['roles'])} and row-level security.")
    say("Next: campaignsafe server add-campaign NAME (and add-hq for a role that reads every campaign).")


def _password(grant: str | None, file: str | None, out: Path | None, role: str) -> tuple[str | None, Path | None]:
    """The new login's password and, when generated, the 0600 file it was written to."""
    from campaignsafe.backup import crypto
    from campaignsafe.cli._render import interactive
    from campaignsafe.errors import InputError
    from campaignsafe.incidents import server

    if grant:
        if file or out:
            raise InputError("--grant lets an existing role in: it takes no password", code="usage")
        return None, None
    if file:
        try:
            return crypto.read_passphrase_file(file), None
        except InputError as exc:
            raise InputError(
                exc.message.replace("--passphrase-file", "--password-file"), code="bad_password_file"
            ) from None
    if interactive(False) and out is None:
        import getpass

        first = getpass.getpass(f"Password for {role} (Enter to generate one): ")
        if first:
            if getpass.getpass("The same password again: ") != first:
                raise InputError("the two passwords differ; nothing was changed", code="password_mismatch")
            return first, None
    target = out or Path(f"{role}.password")
    password = server.new_password()
    server.write_password(target, password)
    return password, target


def _add(kind: str, url: str | None, login: str | None, grant: str | None, file: str | None, out: Path | None,
         name: str | None, json_out: bool) -> None:  # fmt: skip
    from campaignsafe.incidents import server

    admin = _url(url)
    role = grant or login or (f"cs_{server.slug(name)}" if name else "cs_hq")
    password, written = _password(grant, file, out, role)
    try:
        if name is not None:
            done: dict[str, Any] = server.add_campaign(admin, name, login, grant, password)
        else:
            done = server.add_hq(admin, login, grant, password)
    except BaseException:
        if written is not None:
            os.unlink(written)  # the role was not made: its password file would mislead
        raise
    done["password_file"] = str(written) if written else None
    if json_out:
        from campaignsafe.cli._render import print_json

        print_json({"schema_version": 1, "kind": kind, **done})
        return
    from campaignsafe.cli._panel import say

    who = f"Campaign {name!r}: its role {done['group_role']}; " if name is not None else "HQ (reads every campaign): "
    if done["created"]:
        where = f" (its password is in {written}, readable only by you)" if written else ""
        say(f"{who}login role {done['login_role']} created{where}.")
    else:
        say(f"{who}role {done['login_role']} let in.")
    say("Members connect with:" if name is not None else "HQ connects with:")
    typer.echo(f"  export CAMPAIGNSAFE_DATABASE_URL='{done['connect']}'")  # whole, to copy: never folded
    say("or, in Windows PowerShell:")
    typer.echo(f"  $env:CAMPAIGNSAFE_DATABASE_URL = '{done['connect']}'")
    say(
        "and the password in their ~/.pgpass (never in the URL; the file readable only by them, chmod 600;"
        r" on Windows %APPDATA%\postgresql\pgpass.conf), on a line"
    )
    typer.echo(f"  {done['pgpass']}PASSWORD")
    if written:
        whom = "the members" if name is not None else "HQ's staff"
        say(f"Give {written} to {whom} in person, then delete it.", err=True)


@app.command("add-campaign")
def add_campaign(
    name: Annotated[str, typer.Argument(help="The campaign's name (letters, digits, spaces, . _ -).")],
    url: UrlOpt = None,
    login: LoginOpt = None,
    grant: GrantOpt = None,
    password_file: PasswordFile = None,
    password_out: PasswordOut = None,
    json_out: JsonOpt = False,
) -> None:
    """Create a campaign and a login role for its members (or --grant an existing role), and say how to connect.

    The members read and write only this campaign's incidents, evidence, amendments and audit log.
    The password is never printed: it is read from --password-file or a prompt, or generated and
    written to a file only you can read.

    Example: campaignsafe server add-campaign "Bath" --password-out bath.password
    """
    _add("campaign", url, login, grant, password_file, password_out, name, json_out)


@app.command("add-hq")
def add_hq(
    url: UrlOpt = None,
    login: Annotated[str | None, typer.Option("--login", help="The login role to create (default: cs_hq).")] = None,
    grant: GrantOpt = None,
    password_file: PasswordFile = None,
    password_out: PasswordOut = None,
    json_out: JsonOpt = False,
) -> None:
    """Create a login role that reads every campaign's record and changes none (or --grant an existing role).

    With CAMPAIGNSAFE_CAMPAIGN=NAME it looks at one campaign (check and export take one at a time).

    Example: campaignsafe server add-hq --login regional_office --password-out hq.password
    """
    _add("hq", url, login, grant, password_file, password_out, None, json_out)
