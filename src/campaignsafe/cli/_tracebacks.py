"""``--debug``: the traceback of an internal error, without anything the user wrote.

Frames (file, line, function, source line) are shown; no local variables, and no exception
message that could carry input: a pydantic ``ValidationError`` is reduced to where and why
(never its ``input_value``), an ``OSError`` to its errno and reason, a decode error to its
codec and position. Any other exception shows only its type.
"""

from __future__ import annotations

import traceback
from typing import Any


def _safe_message(exc: BaseException) -> str:
    errors: Any = getattr(exc, "errors", None)
    if type(exc).__name__ == "ValidationError" and callable(errors):
        parts = []
        for e in errors(include_input=False, include_url=False, include_context=False)[:10]:
            where = ".".join(str(p) for p in e.get("loc", ())) or "top level"
            parts.append(f"{where}: {e.get('type')}")
        return "; ".join(parts)
    if isinstance(exc, UnicodeError) and isinstance(exc, (UnicodeDecodeError, UnicodeEncodeError)):
        return f"{exc.encoding} at position {exc.start}: {exc.reason}"
    if isinstance(exc, OSError):
        return f"[Errno {exc.errno}] {exc.strerror}" if exc.errno is not None else ""
    return "(message withheld: it may hold what you entered)"


def redacted_traceback(exc: BaseException) -> str:
    """The traceback of ``exc`` and the exceptions it was raised from, with every message made safe."""
    out: list[str] = []
    seen: set[int] = set()
    current: BaseException | None = exc
    chain: list[BaseException] = []
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        chain.append(current)
        current = current.__cause__ or (None if current.__suppress_context__ else current.__context__)
    for i, item in enumerate(reversed(chain)):
        if i:
            out.append("\nThe above exception led to the following exception:\n\n")
        out.append("Traceback (most recent call last):\n")
        out.extend(traceback.format_list(traceback.extract_tb(item.__traceback__, limit=None)))
        message = _safe_message(item)
        out.append(f"{type(item).__module__}.{type(item).__qualname__}" + (f": {message}" if message else "") + "\n")
    out.append("campaignsafe: internal error; the details above hold no text you entered\n")
    return "".join(out)
