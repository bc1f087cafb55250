"""A small boxed panel for the ``contact`` answer, drawn without importing rich.

``contact`` is what a candidate runs when something is happening, so its start-up is
kept near the floor of any typer CLI; rich's console alone would add about 15 ms.
The panel matches rich's rounded style, folds long values, and uses colour only on
a terminal without ``NO_COLOR``. Web addresses never go inside a border: they are listed
under the box, each the last thing on its line, and on a line of its own when it does not fit
beside its label (a terminal soft-wraps an address longer than the screen, which still copies
whole).
"""

import functools
import os
import re
import sys

BOLD, RED, YELLOW, RESET = "\x1b[1m", "\x1b[31m", "\x1b[33m", "\x1b[0m"
URL = re.compile(r"https?://\S+")
_MOVED = "the address below"


def text_width(text: str) -> int:
    """The terminal columns ``text`` takes: a wide character (Chinese, Japanese, most emoji) two, a combining or
    format character none (ASCII: its length, at once)."""
    if text.isascii():
        return len(text)
    import unicodedata

    n = 0
    for c in text:
        if c.isascii():
            n += 1
        elif unicodedata.combining(c) or unicodedata.category(c) in ("Mn", "Me", "Cf"):
            continue
        else:
            n += 2 if unicodedata.east_asian_width(c) in ("W", "F") else 1
    return n


def cut_at_width(text: str, room: int) -> tuple[str, str]:
    """``text`` split where the first part takes at most ``room`` columns (at least one character)."""
    if text.isascii():
        return text[: max(1, room)], text[max(1, room) :]
    used = 0
    for i, c in enumerate(text):
        used += text_width(c)
        if used > room and i:
            return text[:i], text[i:]
    return text, ""


def colour_enabled() -> bool:
    """Colour only on a terminal that draws it, and never with NO_COLOR set."""
    return "NO_COLOR" not in os.environ and sys.stdout.isatty() and os.environ.get("TERM") != "dumb" and _draws_ansi()


@functools.cache
def _draws_ansi() -> bool:
    """Whether the terminal draws ANSI codes. Windows' console shows them as ``←[1m`` unless told to draw them
    (Windows 10 and later can be): told so here, once; where it cannot be, no colour."""
    if sys.platform != "win32":
        return True
    import ctypes
    from ctypes import wintypes

    kernel32 = ctypes.windll.kernel32
    handle = kernel32.GetStdHandle(-11)  # standard output
    mode = wintypes.DWORD()
    if not kernel32.GetConsoleMode(handle, ctypes.byref(mode)):
        return False
    return bool(kernel32.SetConsoleMode(handle, mode.value | 0x0004))  # ENABLE_VIRTUAL_TERMINAL_PROCESSING


def style(text: str, *codes: str) -> str:
    """``text`` wrapped in ANSI codes when colour is on."""
    return "".join(codes) + text + RESET if codes and colour_enabled() else text


def width() -> int:
    """Terminal width (honours COLUMNS), kept between 40 and 100 columns."""
    import shutil  # here, not at the top: ``incidents list --json`` imports this module and never asks

    return max(40, min(100, shutil.get_terminal_size((80, 24)).columns))


def taller_than_screen(parts: list[str], below: int = 0) -> bool:
    """Whether ``parts`` (printed one a line), with ``below`` lines more after them, fill the terminal, so that
    their first lines scroll away."""
    import shutil

    return sum(part.count("\n") + 1 for part in parts) + below >= shutil.get_terminal_size((80, 24)).lines


def fold(rows: list[tuple[str, str]], value_w: int) -> list[tuple[str, str]]:
    """(label, line) pairs: every value folded to ``value_w``, its label on the first line only.

    A command to type that fits the column is never split (it gets a line of its own); any other
    word too long for the column (a long e-mail address in a note) is cut, to keep the border whole.
    """
    import textwrap

    out: list[tuple[str, str]] = []
    for label, value in rows:
        folded = fold_words(str(value), value_w)
        if len(folded) > 1 and folded[0] == (False, "") and folded[1][0]:
            folded = folded[1:]  # the first word has a line of its own: no empty line before it
        lines: list[str] = []
        for own, line in folded:
            lines += textwrap.wrap(line, value_w, break_on_hyphens=False) if own and len(line) > value_w else [line]
        out += [(label if i == 0 else "", line) for i, line in enumerate(lines)]
    return out


def panel(
    title: str, rows: list[tuple[str, str]], total: int | None = None, links: list[tuple[str, str]] | None = None
) -> str:
    """A rounded box titled ``title`` with a label column and a folded value column, then ``links``.

    ``links`` are (label, address) pairs shown under the box; an address inside a row's text is
    moved there too (once), leaving "the address below" in its place, and so is a command to type
    too long for the value column ("the command below").
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

        text = URL.sub(move, str(value))
        long_commands = [
            w for w, whole, _ in tokens(text) if whole and w.startswith("campaignsafe ") and len(w) > value_w
        ]
        for command in long_commands:
            below.append((label, command))  # too long for the column: under the box, whole
            text = text.replace(command, "the command below")
        kept.append((label, text))
    lines: list[str] = []
    for lab, chunk in fold(kept, value_w):
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


#: the commands ``campaignsafe`` takes: "campaignsafe verify police.zip" in a message is a command to type
COMMANDS = frozenset(
    ["about", "backup", "check", "checklist", "contact", "export", "import", "incidents", "profile", "report",
     "restore", "verify"]
)  # fmt: skip
#: words never broken: web addresses, hashes (a SHA-256, an audit anchor ``12:3f5a…``), key fingerprints
_ATOM = re.compile(
    r"[(<\"']?(?:https?://|www\.)\S+|\S*[0-9a-fA-F]{32,}\S*|\S*SHA256:[A-Za-z0-9+/=]{20,}\S*", re.IGNORECASE
)
_ENDS = ",;:)."


def tokens(text: str) -> list[tuple[str, bool, str]]:
    """The words of ``text`` as ``(word, whole, gap)``, ``gap`` the spaces before the word as written.

    ``whole`` marks what is never broken and goes on a line of its own when it does not fit: a
    command to type (``campaignsafe …`` up to a ``,``, ``;``, ``:``, ``)`` or ``.`` outside quotes,
    a word opening a ``(``, or the end), a web address, a hash or a fingerprint.
    """
    found = [(m.group(2), m.group(1), m.start(2), m.end(2)) for m in re.finditer(r"(\s*)(\S+)", text)]
    out: list[tuple[str, bool, str]] = []
    i = 0
    while i < len(found):
        word, gap, start, end = found[i]
        if word == "campaignsafe" and i + 1 < len(found) and found[i + 1][0].rstrip(_ENDS) in COMMANDS:
            j, quote = i, ""
            while j < len(found):
                w = found[j][0]
                if not quote and j > i + 1 and w.startswith("("):
                    break  # "(essentials first)" after a command is not part of it
                end = found[j][3]
                j += 1
                if not quote and w[:1] in "'\"" and not (len(w) > 1 and w.rstrip(_ENDS).endswith(w[0])):
                    quote = w[0]
                elif quote and w.rstrip(_ENDS).endswith(quote):
                    quote = ""
                if not quote and w[-1] in _ENDS and j > i + 1:
                    break
            out.append((" ".join(text[start:end].split()), True, gap))
            i = j
            continue
        out.append((word, bool(_ATOM.fullmatch(word)), gap))
        i += 1
    return out


def fold_words(text: str, room: int, first_room: int | None = None) -> list[tuple[bool, str]]:
    """``text`` as ``(own, line)`` lines of at most ``room`` columns (``first_room`` on the first line).

    Words are never split, and the spaces between words on a line are kept as written. A command,
    web address, hash or fingerprint that does not fit beside the words before it gets a line of its
    own (``own``), with nothing after it; so does any word longer than ``room``. Only an ``own`` line
    may be longer than ``room``. When the very first word is put on its own line, the first line is
    ``(False, "")``. Line breaks in ``text`` are kept.
    """
    first_room = room if first_room is None else first_room
    out: list[tuple[bool, str]] = []
    for para in text.split("\n"):
        line, start = "", len(out)
        for word, whole, gap in tokens(para):
            limit = first_room if not out else room
            candidate = f"{line}{gap or ' '}{word}" if line else word
            if text_width(candidate) <= limit:
                line = candidate
            elif whole or text_width(word) > room:
                if line or not out:
                    out.append((False, line))
                out.append((True, word))
                line = ""
            else:
                out.append((False, line))
                line = word
        if line or len(out) == start:  # an empty paragraph stays a blank line
            out.append((False, line))
    return out


def lay_out(text: str, total: int, indent: int = 0, first: int | None = None) -> list[str]:
    """``text`` folded to ``total`` columns by :func:`fold_words`, every line but the first indented by
    ``indent`` (the first has ``first`` columns used already, default ``indent``, and is returned
    without them). A line of its own is indented when it fits indented, else starts at the first column."""
    first = indent if first is None else first
    lines = fold_words(text, max(8, total - indent), max(1, total - first))
    out = []
    for i, (own, line) in enumerate(lines):
        if i == 0:
            out.append(line if not own or first + text_width(line) <= total else "\n" + line)
        elif own and indent + text_width(line) > total:
            out.append(line)
        else:
            out.append(" " * indent + line if line else "")
    return out


def wrapped(text: str, indent: int = 0, first: int | None = None) -> str:
    """``text`` folded to the terminal width; ``first`` columns are already used on the first line
    (default ``indent``) and the other lines are indented by ``indent``. Words, commands, web
    addresses and hashes are never split (see :func:`fold_words`)."""
    return "\n".join(lay_out(text, width(), indent, first))


def counted(n: int, one: str, many: str | None = None) -> str:
    """``1 incident``, ``2 incidents``; ``many`` for an irregular plural (``entry``, ``entries``)."""
    return f"{n:,} {one if n == 1 else (many or one + 's')}"


def say(text: str, indent: int = 2, *, err: bool = False, total: int | None = None) -> None:
    """Print a message folded to the terminal (continuation lines indented by ``indent``; spaces
    at the start of ``text`` are kept before its first line)."""
    body = text.lstrip(" ")
    lead = text[: len(text) - len(body)]
    lines = lay_out(body, total or width(), indent, len(lead))
    (sys.stderr if err else sys.stdout).write(lead + "\n".join(lines) + "\n")


def prompt_text(text: str, *, err: bool = False, room: int = 12) -> str:
    """A prompt folded to the terminal: all but its last line printed now, the last returned to prompt with.

    ``room`` keeps space on the last line for what the prompt adds (``[Y/n]: ``) and the answer, so the
    terminal never wraps a word of the prompt.
    """
    lines = lay_out(text, width())  # every line but the last as wide as the terminal
    if lines and text_width(lines[-1]) > width() - room:
        lines[-1:] = lay_out(lines[-1], max(20, width() - room))
    (sys.stderr if err else sys.stdout).write("".join(line + "\n" for line in lines[:-1]))
    (sys.stderr if err else sys.stdout).flush()
    return lines[-1] if lines else text
