"""``contact --batch``: one query per input line → one JSON object per output line, in order."""

from __future__ import annotations

import json
from typing import IO, Any

from campaignsafe.contact.postcode import MAX_QUERY
from campaignsafe.errors import CampaignsafeError


def answer_line(raw: bytes) -> dict[str, Any]:
    """The JSON object for one input line; never raises for bad input."""
    from campaignsafe.contact.resolve import resolve

    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        text = raw.decode("utf-8", "replace")
    text = text.rstrip("\r\n")
    try:
        return resolve(text).to_dict()
    except CampaignsafeError as exc:
        fallback = getattr(exc, "answer", None)
        out = fallback.to_dict() if fallback is not None else {"schema_version": 1, "query": text[: MAX_QUERY + 1]}
        out["error"] = exc.as_dict()
        return out


def miss_line(text: str) -> str | None:
    """The JSON line for text that names nothing at all, without the search (None: take the full path).

    The same object ``answer_line`` gives; a batch of junk costs about what a batch of names does.
    """
    from campaignsafe.contact import places, postcode

    stripped = text.strip()
    if (
        not stripped
        or len(stripped) > MAX_QUERY
        or postcode.looks_like_postcode(stripped)
        or stripped[:4].upper() == "BFPO"
        or postcode.has_control(stripped)
        or not places.names_nothing(stripped)
    ):
        return None
    message = f"no constituency, council or police force matches {stripped!r}"
    return (
        '{"schema_version":1,"query":'
        + json.dumps(text[: MAX_QUERY + 1], ensure_ascii=False)
        + ',"error":{"code":"place_not_found","message":'
        + json.dumps(message, ensure_ascii=False)
        + ',"hint":"give a postcode, constituency, council or police force"}}'
    )


def run_batch(src: IO[bytes], dest: IO[str]) -> int:
    """Answer every line of ``src``; returns the number of lines written."""
    from campaignsafe.contact.resolve import _lookup

    fast = _lookup().json_line
    dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
    n = 0
    buf: list[str] = []
    seen: dict[bytes, str] = {}  # names repeat in a batch (the same constituency on many lines)
    for raw in src:
        line = None
        if raw.isascii():
            line = fast(raw.decode("ascii").rstrip("\r\n"))
        if line is None:
            line = seen.get(raw)
            if line is None:
                line = (miss_line(raw.decode("ascii").rstrip("\r\n")) if raw.isascii() else None) or dumps(
                    answer_line(raw)
                )
                if len(seen) >= 65536:
                    seen.clear()
                seen[raw] = line
        buf.append(line)
        n += 1
        if len(buf) >= 4096:
            dest.write("\n".join(buf) + "\n")
            buf.clear()
    if buf:
        dest.write("\n".join(buf) + "\n")
    return n
