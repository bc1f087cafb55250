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
    from campaignsafe.contact.batch import json_text

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
    """The one-line error the user sees (plus an optional hint line)."""
    sys.stderr.write(f"campaignsafe: error: {message}\n")
    if hint:
        sys.stderr.write(f"  hint: {hint}\n")


def interactive(no_input: bool) -> bool:
    """True when we may prompt: stdin is a terminal and --no-input was not given."""
    return not no_input and sys.stdin.isatty()
