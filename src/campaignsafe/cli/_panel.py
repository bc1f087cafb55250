"""A small boxed panel for the ``contact`` answer, drawn without importing rich.

``contact`` is what a candidate runs when something is happening, so its start-up is
kept near the floor of any typer CLI; rich's console alone would add about 15 ms.
The panel matches rich's rounded style, folds long values, and uses colour only on
a terminal without ``NO_COLOR``. Web addresses never go inside a border: they are listed
under the box, each the last thing on its line, and on a line of its own when it does not fit
beside its label (a terminal soft-wraps an address longer than the screen, which still copies
whole).
"""

import os
import re
import shutil
import sys
import textwrap

BOLD, RED, YELLOW, RESET = "\x1b[1m", "\x1b[31m", "\x1b[33m", "\x1b[0m"
URL = re.compile(r"https?://\S+")
_MOVED = "the address below"


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


def panel(
    title: str, rows: list[tuple[str, str]], total: int | None = None, links: list[tuple[str, str]] | None = None
) -> str:
    """A rounded box titled ``title`` with a label column and a folded value column, then ``links``.

    ``links`` are (label, address) pairs shown under the box; an address inside a row's text is
    moved there too (once), leaving "the address below" in its place.
    """
    total = total or width()
    label_w = max((len(label) for label, value in rows if not URL.fullmatch(str(value).strip())), default=0)
    inner = total - 4
    value_w = max(10, inner - label_w - 2)
    below = list(links or [])
    kept: list[tuple[str, str]] = []
    for label, value in rows:
        if URL.fullmatch(str(value).strip()):  # a row that is only an address: under the box
            below.append((label, str(value).strip()))
            continue

        def move(m: re.Match[str], label: str = label) -> str:
            url = m.group(0).rstrip(".,;)")
            if all(url != u for _, u in below):
                below.append((label, url))
            return _MOVED + m.group(0)[len(url) :]

        kept.append((label, URL.sub(move, str(value))))
    lines: list[str] = []
    for lab, chunk in fold(kept, value_w, break_long_words=True):
        plain = f"{lab:<{label_w}}  {chunk}" if label_w else chunk
        shown = (style(lab, BOLD) + " " * (label_w - len(lab)) + "  " + chunk) if label_w else chunk
        lines.append("│ " + shown + " " * max(0, inner - len(plain)) + " │")
    title = title if len(title) <= total - 6 else title[: total - 7] + "…"
    top = "╭─ " + style(title, BOLD) + " " + "─" * max(0, total - 5 - len(title)) + "╮"
    return "\n".join([top, *lines, "╰" + "─" * (total - 2) + "╯", *link_lines(below, total)])


def link_lines(links: list[tuple[str, str]], total: int | None = None) -> list[str]:
    """Each address last on its line after its label, or alone on the next line when they do not fit."""
    total = total or width()
    label_w = max((len(label) for label, _ in links), default=0)
    out: list[str] = []
    for label, url in links:
        if label_w + 1 + len(url) <= total:
            out.append(style(f"{label:<{label_w}}", BOLD) + " " + url)
        else:
            out += [style(label + ":", BOLD), url]
    return out


def wrapped(text: str, indent: int = 0, first: int | None = None) -> str:
    """``text`` folded to the terminal width; ``first`` columns are already used on the first line
    (default ``indent``) and the other lines are indented by ``indent``. Words are never split."""
    first = indent if first is None else first
    lines = textwrap.wrap(
        text, width(), initial_indent=" " * first, subsequent_indent=" " * indent,
        break_long_words=False, break_on_hyphens=False,
    ) or [""]  # fmt: skip
    lines[0] = lines[0][first:]
    return "\n".join(lines)
