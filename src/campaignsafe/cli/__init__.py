"""The ``campaignsafe`` command: its sub-commands and the console-script entry point.

The typer program lives in :mod:`campaignsafe.cli._app` (``app`` here is it, loaded on first use).
:func:`main` answers a plain ``campaignsafe incidents list`` without loading typer at all
(:mod:`campaignsafe.cli._list_fast`); everything else runs the typer program.
"""

import os
import sys
from typing import Any

#: command name → (module, attribute, one-line help). A Typer attribute becomes a group.
COMMANDS: dict[str, tuple[str, str, str]] = {
    "contact": ("campaignsafe.cli.contact", "app", "Find the police force for a place and every way to reach it."),
    "checklist": ("campaignsafe.cli.checklist", "app", "Work through the security guidance as checklists."),
    "report": ("campaignsafe.cli.report", "report", "Record an incident (guided, by flags or from a file)."),
    "incidents": ("campaignsafe.cli.incidents", "app", "List, show, amend, update and delete recorded incidents."),
    "export": ("campaignsafe.cli.export", "export", "Export incidents for the police: report, data, bundle, email."),
    "verify": ("campaignsafe.cli.export", "verify", "Re-check an evidence bundle's files against its manifest."),
    "check": ("campaignsafe.cli.check", "check", "Re-check the whole record: hashes, audit chain, exhibits, files."),
    "backup": ("campaignsafe.cli.backup", "backup", "Write the whole data folder to one file (optionally encrypted)."),
    "restore": ("campaignsafe.cli.backup", "restore", "Put a backup back into an empty data folder."),
    "import": ("campaignsafe.cli.backup", "import_", "Bring another person's bundle or backup into your record."),
    "profile": ("campaignsafe.cli.profile", "profile", "Who keeps the record: name, role, contact, exhibit initials."),
    "server": ("campaignsafe.cli.server", "app", "Set up a shared PostgreSQL store: campaigns, roles, access."),
    "about": ("campaignsafe.cli.about", "about", "Version, datasets and the attribution the data licences require."),
}


def __getattr__(name: str) -> Any:
    """``app``, ``App`` and the rest of the typer program, imported only when asked for."""
    if name.startswith("_"):  # a sub-module being imported, or a dunder: not the typer program's
        raise AttributeError(name)
    import importlib

    return getattr(importlib.import_module("campaignsafe.cli._app"), name)


def main() -> None:
    """Console-script entry point.

    Everything is written and closed by the time a command returns, so the process ends
    with ``os._exit`` and skips tearing down the interpreter (about 10 ms of a lookup).
    """
    import gc

    # Collect cycles after 50,000 new objects rather than 700: a command makes its objects and drops
    # them by reference counting, and an export of 10,000 incidents spent about a tenth of its time
    # in collections that found nothing. Cycles are still collected, only less often.
    gc.set_threshold(50_000)
    if sys.stdin is None:  # started with stdin closed (`<&-`): read as an empty input instead
        sys.stdin = open(os.devnull)  # noqa: SIM115 - lives as long as the process
    if sys.stdout is None:  # stdout closed (`>&-`): the command still does its work, and says it nowhere
        sys.stdout = open(os.devnull, "w")  # noqa: SIM115
    if sys.stderr is None:  # stderr closed (`2>&-`): every command ended with an internal error
        sys.stderr = open(os.devnull, "w")  # noqa: SIM115
    _utf8_out()
    from campaignsafe.cli import _list_fast

    code = _list_fast.run(sys.argv[1:])
    if code is None:  # not a plain list: the whole typer program
        from campaignsafe.cli._app import run

        code = run()
    try:
        sys.stdout.flush()
    except OSError as exc:  # what the command said, still buffered: a reader gone (`| head`), or a full disk
        from campaignsafe.cli._pipes import unwritten

        code = unwritten(exc, code)
    try:
        sys.stderr.flush()
    except OSError:
        code = code or 1
    os._exit(code)


def _utf8_out() -> None:
    """Standard output and error written as UTF-8 when each is a file or a pipe, whatever the system's code page.

    Windows writes a pipe or a file in its ANSI code page (cp1252), which has no "ŵ", "Ł" or box-drawing line:
    ``contact … > out.txt`` stopped half-way with an internal error, and ``export --format md > report.md`` left
    a truncated file. A terminal keeps its own encoding (Windows' console is UTF-8 already); one that cannot show
    a character (an ASCII terminal) shows ``?`` for it, where ``incidents show`` failed with an internal error.
    """
    for stream in (sys.stdout, sys.stderr):
        if stream is None or (stream.encoding or "").lower().replace("-", "") == "utf8":
            continue
        try:
            if stream.isatty():
                stream.reconfigure(errors="replace")  # type: ignore[union-attr]
            else:
                stream.reconfigure(encoding="utf-8")  # type: ignore[union-attr]
        except (AttributeError, OSError, ValueError):  # not a text stream of its own (a test's capture): as it is
            continue
