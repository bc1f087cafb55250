"""A small boxed panel for the ``contact`` answer, drawn without importing rich.

``contact`` is what a candidate runs when something is happening, so its start-up is
kept near the floor of any typer CLI; rich's console alone would add about 15 ms.
The panel matches rich's rounded style, folds long values, and uses colour only on
a terminal without ``NO_COLOR``.
"""

import os
import shutil
import sys
import textwrap

BOLD, RED, YELLOW, RESET = "\x1b[1m", "\x1b[31m", "\x1b[33m", "\x1b[0m"


def colour_enabled() -> bool:
    """Colour only on a terminal, and never with NO_COLOR set."""
    return "NO_COLOR" not in os.environ and sys.stdout.isatty() and os.environ.get("TERM") != "dumb"


def style(text: str, *codes: str) -> str:
    """``text`` wrapped in ANSI codes when colour is on."""
    return "".join(codes) + text + RESET if codes and colour_enabled() else text


def width() -> int:
    """Terminal width (honours COLUMNS), kept between 40 and 100 columns."""
    return max(40, min(100, shutil.get_terminal_size((80, 24)).columns))


def fold(rows: list[tuple[str, str]], value_w: int, *, break_long_words: bool) -> list[tuple[str, str]]:
    """(label, line) pairs: every value folded to ``value_w``, its label on the first line only."""
    out: list[tuple[str, str]] = []
    for label, value in rows:
        lines: list[str] = []
        for para in str(value).split("\n"):
            lines += textwrap.wrap(para, value_w, break_long_words=break_long_words, break_on_hyphens=False) or [""]
        out += [(label if i == 0 else "", line) for i, line in enumerate(lines)]
    return out


def panel(title: str, rows: list[tuple[str, str]], total: int | None = None) -> str:
    """A rounded box titled ``title`` with a label column and a folded value column."""
    total = total or width()
    label_w = max((len(label) for label, _ in rows), default=0)
    inner = total - 4
    value_w = max(10, inner - label_w - 2)
    lines: list[str] = []
    # a long address stays whole (copyable) even if it pushes past the border
    for lab, chunk in fold(rows, value_w, break_long_words=False):
        plain = f"{lab:<{label_w}}  {chunk}" if label_w else chunk
        shown = (style(lab, BOLD) + " " * (label_w - len(lab)) + "  " + chunk) if label_w else chunk
        lines.append("│ " + shown + " " * max(0, inner - len(plain)) + " │")
    title = title if len(title) <= total - 6 else title[: total - 7] + "…"
    top = "╭─ " + style(title, BOLD) + " " + "─" * max(0, total - 5 - len(title)) + "╮"
    return "\n".join([top, *lines, "╰" + "─" * (total - 2) + "╯"])


def wrapped(text: str, indent: int = 0) -> str:
    """``text`` folded to the terminal width, continuation lines indented."""
    lines = textwrap.wrap(text, width() - indent) or [""]
    return ("\n" + " " * indent).join(lines)
