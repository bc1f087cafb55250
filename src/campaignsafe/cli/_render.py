"""Output helpers: JSON to stdout, one-line errors to stderr, rich consoles created lazily."""

from __future__ import annotations

import os
import re
import sys
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from rich.console import Console

DANGER = "In immediate danger: call 999"
#: spaces at the end of a line, before any closing style codes
_TRAILING = re.compile(r" +((?:\x1b\[[0-9;]*m)*)(?=\n)")


def print_json(obj: Any) -> None:
    """One JSON document on stdout."""
    from campaignsafe.jsontext import json_text

    sys.stdout.write(json_text(obj, indent=2) + "\n")


def console(stderr: bool = False) -> Console:
    """A rich console honouring NO_COLOR and non-terminals."""
    from rich.console import Console

    class _Console(Console):
        def on_broken_pipe(self) -> None:
            raise BrokenPipeError  # let the root command stop quietly, as for plain output

        def _render_buffer(self, buffer: Any) -> str:
            # rich keeps the space it wrapped at (and pads some lines): no line ends in spaces
            return _TRAILING.sub(r"\1", super()._render_buffer(buffer))

    return _Console(stderr=stderr, no_color="NO_COLOR" in os.environ or None, highlight=False, soft_wrap=False)


def error_line(message: str, hint: str | None = None) -> None:
    """The one-line error the user sees (plus an optional hint line).

    On a terminal each is folded to its width by the one folding rule (``_panel.say``: commands, web
    addresses and hashes never split; continuation lines indented), so the terminal never breaks a
    word or a command in two. Anywhere else (a pipe, a log, a test) each stays one line. A message of
    several lines (each problem of an input) is shown line by line.
    """
    from campaignsafe.usertext import visible  # a name from a hostile file or argument never reaches the terminal raw

    total = _stderr_width()
    # the message's own line breaks (several problems, one a line) are kept; every other control is escaped
    first, *rest = (visible(line) for line in message.split("\n"))
    hint = visible(hint) if hint else hint
    texts = [(f"campaignsafe: error: {first}", 4), *((line, 6) for line in rest)]
    texts.append((f"  hint: {hint}" if hint else "", 8))
    for text, indent in texts:
        if not text:
            continue
        if total is None:
            sys.stderr.write(text + "\n")
            continue
        from campaignsafe.cli._panel import lay_out

        body = _paths_whole(text.lstrip(" "))
        lead = text[: len(text) - len(text.lstrip(" "))]
        lines = lay_out(body, total, indent, len(lead))
        sys.stderr.write(lead + "\n".join(lines).replace(_KEEP, " ") + "\n")


#: stands for a space inside a path while an error is folded, so the path is never split (the macOS data
#: folder is under "Application Support")
_KEEP = "\x00"


def _paths_whole(text: str) -> str:
    """``text`` with the spaces inside the data folder's path and the paths given on the command line kept."""
    from campaignsafe import paths
    from campaignsafe.usertext import visible

    known = {str(paths.home()), *(a for a in sys.argv[1:] if " " in a and (os.sep in a or os.path.exists(a)))}
    known = {visible(p) for p in known}
    for path in sorted((p for p in known if " " in p), key=len, reverse=True):
        text = text.replace(path, path.replace(" ", _KEEP))
    return text


def _stderr_width() -> int | None:
    """The width of the terminal stderr is (COLUMNS when set); None when stderr is not a terminal."""
    try:
        if not sys.stderr.isatty():
            return None
        columns = os.environ.get("COLUMNS", "")
        return max(20, int(columns) if columns.isdigit() else os.get_terminal_size(sys.stderr.fileno()).columns)
    except (OSError, ValueError, AttributeError):
        return None


def interactive(no_input: bool) -> bool:
    """True when we may prompt: stdin is a terminal and --no-input was not given."""
    return not no_input and sys.stdin.isatty()
