"""``campaignsafe incidents list`` answered without loading typer (its import alone is twice the list).

:func:`run` recognises only the plain forms of the command (``incidents list`` with ``--json``,
``--unreported``, ``--since``, ``--until``, ``--kind`` and ``--force``) and prints exactly what the
typer command prints, through the same function (:func:`campaignsafe.cli._incident_list.show`).
Anything else (help, a misspelt option, a root option, an error to report) returns None, and
the whole typer program runs instead, so every message and exit code stays its own.
"""

from __future__ import annotations

import os
import sys

_FLAGS = ("--json", "--unreported")
_VALUES = ("--since", "--until", "--kind", "--force")


#: ``(since, until, kinds, force, unreported, json)``: what :func:`campaignsafe.cli._incident_list.show` takes
Options = tuple[str | None, str | None, list[str], str | None, bool, bool]


def parse(argv: list[str]) -> Options | None:
    """The options of a plain ``incidents list`` command line (None: leave it to typer)."""
    if argv[:2] != ["incidents", "list"]:
        return None
    flags = {"--json": False, "--unreported": False}
    values: dict[str, str] = {}
    kinds: list[str] = []
    rest = argv[2:]
    i = 0
    while i < len(rest):
        name, eq, value = rest[i].partition("=")
        if name in _FLAGS and not eq:
            flags[name] = True
        elif name in _VALUES:
            if not eq:
                i += 1
                if i >= len(rest):
                    return None
                value = rest[i]
            if value.startswith("-"):
                return None  # typer decides what a value like that means
            if name == "--kind":
                kinds.append(value)
            else:
                values[name] = value  # the last one given, as typer takes it
        else:
            return None
        i += 1
    get = values.get
    return get("--since"), get("--until"), kinds, get("--force"), flags["--unreported"], flags["--json"]


def run(argv: list[str]) -> int | None:
    """Print the list for ``argv`` and return 0, or return None having printed nothing (typer's turn)."""
    opts = parse(argv)
    if opts is None or os.environ.get("CAMPAIGNSAFE_DEBUG", "") not in ("", "0"):
        return None
    real, held = sys.stdout, _Held(sys.stdout)
    try:
        from campaignsafe.cli._incident_list import show

        sys.stdout = held
        try:
            show(*opts)
        finally:
            sys.stdout = real
        real.write("".join(held.parts))
    except KeyboardInterrupt:
        from campaignsafe.cli._render import error_line

        error_line("interrupted")
        return 130
    except Exception as exc:
        from campaignsafe.cli._pipes import output_full, reader_gone, unwritten

        if reader_gone(exc) or output_full(exc):  # `| head`, or a full disk: as the typer program does
            return unwritten(exc, 0)
        return None  # an error to report (nothing printed yet): typer's program says it its own way
    return 0


class _Held:
    """Stdout as ``show`` sees it (a terminal or not, its encoding), holding the text until it is all made."""

    def __init__(self, real: object) -> None:
        self.real = real
        self.parts: list[str] = []

    def write(self, text: str) -> int:
        self.parts.append(text)
        return len(text)

    def __getattr__(self, name: str) -> object:
        return getattr(self.real, name)
