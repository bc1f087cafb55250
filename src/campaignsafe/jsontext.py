"""JSON for the screen and for pipes: UTF-8 kept readable, and the characters that could mislead escaped.

Every ``--json`` output goes through here (``json_text``, or ``escape_unsafe`` on JSON text built
by hand, as ``incidents list`` builds it). Nothing a user types can hold these characters (see
:mod:`campaignsafe.usertext`); a record changed outside campaignsafe, or another person's, can.
"""

from __future__ import annotations

import json
import re
from typing import Any

#: characters JSON allows raw in a string that are escaped all the same: DEL and the C1 controls (U+009B opens a
#: terminal escape, U+0085 is a line end to some readers), line and paragraph separators, and bidirectional
#: overrides and isolates (text that reads otherwise than its bytes), and half a surrogate pair (a '\ud800' in JSON
#: read from the store: it has no UTF-8, so printing it raw failed). The JSON's values are unchanged.
UNSAFE = re.compile("[\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff]")


def _escaped(m: re.Match[str]) -> str:
    return f"\\u{ord(m.group()):04x}"


def escape_unsafe(text: str) -> str:
    """JSON text with every :data:`UNSAFE` character written as its ``\\uXXXX`` escape."""
    if text.isascii() and "\x7f" not in text:  # every other UNSAFE character is past ASCII: nothing to look for
        return text
    return UNSAFE.sub(_escaped, text) if UNSAFE.search(text) else text


def json_text(obj: Any, **kwargs: Any) -> str:
    """``obj`` as JSON (UTF-8 kept readable) with DEL, C1 controls, line separators and bidi controls escaped."""
    return escape_unsafe(json.dumps(obj, ensure_ascii=False, **kwargs))
