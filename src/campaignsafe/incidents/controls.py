"""Control characters in incident text: which are refused, and how old records show them.

Kept apart from the models so that listing incidents (which only shows text) loads no pydantic.
"""

from __future__ import annotations

import re

__all__ = ["control_problem", "printable", "visible"]

#: C0 and C1 control characters and DEL, but not tab or newline (a CR is allowed only in CR LF).
# C0/C1 controls (tab and newline allowed) and bidirectional overrides, which make text read
# differently from its bytes (the "Trojan Source" trick) in a terminal or a report.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
_ANY_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_CONTROL_NAMES = {
    "\x00": "NUL",
    "\x07": "BEL",
    "\x08": "backspace",
    "\x0b": "vertical tab",
    "\x0c": "form feed",
    "\r": "a carriage return",
    "\x1b": "ESC",
    "\x7f": "DEL",
}


def control_problem(text: str) -> str | None:
    """Why ``text`` cannot go into a record because of a control character, or None when it can."""
    found = _CONTROL.search(text.replace("\r\n", "\n"))
    if found is None:
        return None
    char = found.group()
    name = _CONTROL_NAMES.get(char, f"U+{ord(char):04X}")
    return f"contains control characters (e.g. {name}); remove them"


def printable(text: str) -> str:
    """``text`` with the control characters a record may not hold written as escapes (tab and newline kept).

    For showing records saved before such characters were refused.
    """
    return _CONTROL.sub(lambda m: repr(m.group())[1:-1], text)


def visible(text: str) -> str:
    """``text`` with every control character written as an escape (``\\x1b``): for names from the disk."""
    return _ANY_CONTROL.sub(lambda m: repr(m.group())[1:-1], text)
