"""The one rule for text a user types: incident text, profile fields, saved contacts, checklist notes, file names.

Text is kept exactly as typed, except that the ends are trimmed and a CR LF becomes LF. It is
refused (``InputError``, exit 3) when it holds:

- a control character (C0, C1 or DEL; tab and, where a field is more than one line, newline
  are allowed): ESC or BEL would reach the terminal, an email header or a report raw;
- a bidirectional override, embedding or isolate (U+202A–U+202E, U+2066–U+2069), which
  makes text read differently from its bytes (the "Trojan Source" trick);
- a line or paragraph separator (U+2028, U+2029), which some readers take as a new line;
- a lone surrogate (from bytes that are not UTF-8), which cannot be written to a file;
- more characters than the field's limit.

Messages name the field and the kind of character, never the text itself. Plain ``re`` only:
the lookup path imports this module.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import Any

from campaignsafe.errors import InputError

#: limits, in characters: a name, phone or reference; a line of free text; a description.
NAME_MAX = 200
LINE_MAX = 2_000
LONG_MAX = 50_000

REFUSED = r"\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff"
_MULTILINE = re.compile(f"[{REFUSED}]")
_ONE_LINE = re.compile(f"[\n{REFUSED}]")
_ANY_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff]")
_NAMES = {
    "\x00": "NUL",
    "\x07": "BEL",
    "\x08": "backspace",
    "\n": "a line break",
    "\x0b": "vertical tab",
    "\x0c": "form feed",
    "\r": "a carriage return",
    "\x1b": "ESC",
    "\x7f": "DEL",
    "\x85": "a next-line character (U+0085)",
    "\u2028": "a line separator (U+2028)",
    "\u2029": "a paragraph separator (U+2029)",
}


def _describe(char: str) -> str:
    if char in _NAMES:
        return _NAMES[char]
    code = ord(char)
    if 0xD800 <= code <= 0xDFFF:
        return "bytes that are not UTF-8"
    return f"U+{code:04X}"


REFUSED_CLASS = f"[{REFUSED}]"
_SHOWN = re.compile(REFUSED_CLASS)


def shown(text: str) -> str:
    """``text`` with every character no typed text may hold written as ``[U+XXXX]`` (for the reports: a record
    changed outside campaignsafe, exported with ``--anyway``, must not clear a terminal or reverse a line)."""
    return _SHOWN.sub(lambda m: f"[U+{ord(m.group()):04X}]", text)


#: what no campaignsafe has ever let typed text hold: C0 and C1 controls (tab and newline aside), DEL, bidi
#: overrides and isolates (line separators and lone surrogates were let in before the rule took them in)
_NEVER = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def has_control(text: str) -> bool:
    """Whether ``text`` holds a character no campaignsafe ever recorded (newline and tab allowed, CR LF too)."""
    return _NEVER.search(text.replace("\r\n", "\n")) is not None


def problem(text: str, *, multiline: bool = True, limit: int = LONG_MAX) -> str | None:
    """Why ``text`` cannot be kept (without quoting it), or None when it can. CR LF counts as LF."""
    text = text.replace("\r\n", "\n")
    found = (_MULTILINE if multiline else _ONE_LINE).search(text)
    if found is not None:
        kind = "control characters" if found.group() != "\n" else "a line break"
        detail = _describe(found.group())
        return f"contains {kind} (e.g. {detail}); remove them" if kind != detail else f"contains {kind}; remove it"
    if len(text.strip()) > limit:
        return f"is longer than {limit:,} characters"
    return None


def clean(text: str, field: str, *, multiline: bool = False, limit: int = NAME_MAX) -> str:
    """``text`` as it will be kept (trimmed, CR LF as LF); InputError naming ``field`` when refused."""
    found = problem(text, multiline=multiline, limit=limit)
    if found:
        raise InputError(f"{field} {found}", code="bad_text")
    return text.replace("\r\n", "\n").strip()


def checker(*, multiline: bool = True, limit: int = LONG_MAX) -> Callable[[Any], Any]:
    """A pydantic ``BeforeValidator`` function applying the rule (ValueError carries the reason)."""

    def check(value: Any) -> Any:
        if not isinstance(value, str):
            return value
        found = problem(value, multiline=multiline, limit=limit)
        if found:
            raise ValueError(found)
        return value.replace("\r\n", "\n")

    return check


def printable(text: str) -> str:
    """``text`` with every refused character written as an escape (tab and newline kept).

    For showing text saved before the rule, or read from the disk.
    """
    return _MULTILINE.sub(lambda m: m.group().encode("unicode_escape", "backslashreplace").decode("ascii"), text)


def visible(text: str) -> str:
    """``text`` with every control character, newline included, written as an escape (``\\x1b``)."""
    return _ANY_CONTROL.sub(lambda m: m.group().encode("unicode_escape", "backslashreplace").decode("ascii"), text)


def near_best(word: str, choices: Iterable[str], cutoff: float) -> list[str]:
    """The ``choices`` closest to ``word``, best first: each at least ``cutoff`` alike and about as close as the
    best (within 0.05), so a far second is never offered beside a near first."""
    import difflib  # only when something was not known

    scored = sorted(((difflib.SequenceMatcher(None, word, c).ratio(), c) for c in choices), reverse=True)
    best = scored[0][0] if scored else 0.0
    return [c for r, c in scored if r >= cutoff and r >= best - 0.05]
