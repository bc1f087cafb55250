"""RFC 4180 CSV for spreadsheets, safe from formula injection."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence

from campaignsafe.usertext import REFUSED_CLASS, shown

# A cell starting with one of these is read as a formula by spreadsheet programs.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


_CONTROL = re.compile(REFUSED_CLASS)


def neutralise(value: object) -> str:
    """The cell as text, with a leading apostrophe when a spreadsheet would run it as a formula (and a control
    or bidi character, which no typed text holds, made visible as ``[U+XXXX]``)."""
    text = "" if value is None else str(value)
    if _CONTROL.search(text):
        text = shown(text)
    return "'" + text if text.startswith(FORMULA_START) else text


def to_csv(header: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    """CSV text: CRLF line ends, minimal quoting, every cell neutralised."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    w.writerow([neutralise(h) for h in header])
    for row in rows:
        w.writerow([neutralise(v) for v in row])
    return buf.getvalue()
