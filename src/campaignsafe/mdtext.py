"""Markdown for user text: escaped so nothing a person typed becomes a link, HTML, emphasis or a heading."""

from __future__ import annotations

import re
import textwrap

from campaignsafe.usertext import REFUSED, shown

WIDTH = 78
_INLINE = re.compile(r"([\\`*\[<])")
_LONE_UNDERSCORE = re.compile(r"(?<![A-Za-z0-9])_|_(?![A-Za-z0-9])")
_ENTITY = re.compile(r"&(?=#?[A-Za-z0-9]+;)")
_BLOCK_START = re.compile(r"^(\s*)([#>+=|~-]|\d+[.)])")
_SPECIAL = re.compile(r"[\\`*\[<_&" + REFUSED + "]")
_PLAIN_START = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ\"'(*`_<\\")


def esc(text: str) -> str:
    """User text made inert for Markdown (inline): no emphasis, code, links, HTML or entities."""
    if not _SPECIAL.search(text):
        return text
    text = shown(text)  # a control or bidi character (never typed: a record changed outside) made visible
    text = _INLINE.sub(r"\\\1", text)
    text = _LONE_UNDERSCORE.sub(r"\\_", text)
    return _ENTITY.sub("&amp;", text)


def _line(line: str) -> str:
    """A physical line that cannot start a heading, quote, list, table or setext underline."""
    if line[:1] in _PLAIN_START:
        return line
    return _BLOCK_START.sub(r"\1\\\2", line)


def wrap(text: str, first: str = "", rest: str | None = None, width: int = WIDTH) -> list[str]:
    """Escaped, wrapped lines of user text (one paragraph; whitespace runs become single spaces)."""
    rest = first if rest is None else rest
    body = " ".join(esc(text).split())
    if len(first) + len(body) <= width:  # the common case: one short line
        return [first + _line(body)]
    if body:
        lines = _fill(body, width - len(first), width - len(rest))
        return [first + _line(lines[0]), *(rest + _line(line) for line in lines[1:])]
    lines = textwrap.wrap(
        body, width, initial_indent=first, subsequent_indent=rest, break_long_words=False, break_on_hyphens=False
    ) or [first]
    return [first + _line(lines[0][len(first) :]), *(rest + _line(line[len(rest) :]) for line in lines[1:])]


def _fill(body: str, room: int, rest_room: int) -> list[str]:
    """``textwrap.wrap``'s lines (indents left off) for text whose only whitespace is single spaces.

    Greedy, as textwrap is with ``break_long_words=False`` and ``break_on_hyphens=False``: a word
    goes on the line while it fits in ``room`` columns (``rest_room`` after the first line), and a
    word longer than a line has a line to itself. About ten times faster, which a report of
    thousands of incidents notices.
    """
    lines: list[str] = []
    cur = ""
    for word in body.split(" "):
        if not cur:
            cur = word
        elif len(cur) + 1 + len(word) <= room:
            cur += " " + word
        else:
            lines.append(cur)
            cur, room = word, rest_room
    lines.append(cur)
    return lines
