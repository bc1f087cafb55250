"""A JSON document's top-level object read member by member, one array's items one at a time.

An export's ``incidents.json`` may hold a hundred thousand incidents: ``import`` reads its
``export`` facts first and then each incident as it comes, so only one incident is ever held
as parsed JSON, never the whole document. Each value is parsed with the standard library's
decoder from a buffer that grows only as far as that one value needs, capped at ``ITEM_MAX``.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import IO, Any

from campaignsafe.hashing import CHUNK

#: the largest single value (one incident with its case, or the export facts) read at once.
ITEM_MAX = 64 * 1024 * 1024
_DECODER = json.JSONDecoder()
_SPACE = " \t\r\n"


class TooLarge(ValueError):
    """One value is larger than the cap."""


class _Reader:
    def __init__(self, fh: IO[str], cap: int) -> None:
        self.fh, self.cap = fh, cap
        self.buf, self.pos, self.eof = "", 0, False

    def _more(self, at_least: int = 0) -> bool:
        if self.eof:
            return False
        chunk = self.fh.read(max(at_least, CHUNK))
        if not chunk:
            self.eof = True
            return False
        self.buf = self.buf[self.pos :] + chunk
        self.pos = 0
        return True

    def peek(self) -> str:
        while True:
            while self.pos < len(self.buf) and self.buf[self.pos] in _SPACE:
                self.pos += 1
            if self.pos < len(self.buf):
                return self.buf[self.pos]
            if not self._more():
                return ""

    def take(self, expected: str) -> str:
        c = self.peek()
        if c not in expected or not c:
            raise ValueError(f"expected one of {expected!r}")
        self.pos += 1
        return c

    def value(self) -> Any:
        self.peek()
        while True:
            pending = len(self.buf) - self.pos
            try:
                value, end = _DECODER.raw_decode(self.buf, self.pos)
            except json.JSONDecodeError:
                if pending > self.cap:
                    raise TooLarge from None
                if not self._more(pending):  # double what is held: linear, however large the value
                    raise
                continue
            cut = end == len(self.buf) or self.buf[end] in ".eE+-0123456789"
            if cut and isinstance(value, int | float) and not isinstance(value, bool) and self._more(pending):
                continue  # a number cut at the buffer's end ("1" of "1.5"): read on and parse it whole
            if end - self.pos > self.cap:
                raise TooLarge
            self.pos = end
            return value

    def finish(self) -> None:
        if self.peek():
            raise ValueError("extra data after the document")


def members(fh: IO[str], array_key: str, cap: int | None = None) -> Iterator[tuple[str, Any]]:
    """(key, value) for each member of the top-level object, in the document's order; an array under
    ``array_key`` is given item by item, each as (``array_key + "[]"``, item). ValueError for what is not JSON."""
    r = _Reader(fh, ITEM_MAX if cap is None else cap)
    r.take("{")
    if r.peek() == "}":
        r.pos += 1
        r.finish()
        return
    while True:
        key = r.value()
        if not isinstance(key, str):
            raise ValueError("a key is not a string")
        r.take(":")
        if key == array_key and r.peek() == "[":
            r.pos += 1
            if r.peek() == "]":
                r.pos += 1
                yield key, []  # an empty array, said once
            else:
                while True:
                    yield key + "[]", r.value()
                    if r.take(",]") == "]":
                        break
        else:
            yield key, r.value()
        if r.take(",}") == "}":
            break
    r.finish()
