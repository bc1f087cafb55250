"""``contact --batch``: one query per input line → one JSON object per output line, in order."""

from __future__ import annotations

import errno
import json
from typing import IO, Any, BinaryIO

from campaignsafe.contact.postcode import MAX_QUERY
from campaignsafe.errors import CampaignsafeError, InputError
from campaignsafe.inputfiles import LINE_MAX, lines
from campaignsafe.jsontext import json_text


def answer_line(raw: bytes) -> dict[str, Any]:
    """The JSON object for one input line; never raises for bad input."""
    from campaignsafe.contact.resolve import crown_answer, resolve

    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        text = raw.decode("utf-8", "replace")
    text = text.rstrip("\r\n")
    try:
        return resolve(text).to_dict()
    except CampaignsafeError as exc:
        crown = crown_answer(text, exc)  # an answer, as `contact --json` gives it
        if crown is not None:
            return crown
        fallback = getattr(exc, "answer", None)
        out = fallback.to_dict() if fallback is not None else {"schema_version": 1, "query": text[: MAX_QUERY + 1]}
        out["error"] = exc.as_dict()
        return out


def miss_line(text: str) -> str | None:
    """The JSON line for text that names nothing at all, without the search (None: take the full path).

    The same object ``answer_line`` gives; a batch of junk costs about what a batch of names does.
    """
    from campaignsafe.contact import places, postcode, resolve

    stripped = text.strip()
    if (
        not stripped
        or len(stripped) > MAX_QUERY
        or postcode.looks_like_postcode(stripped)
        or stripped[:4].upper() == "BFPO"
        or postcode.has_control(stripped)
        or not places.names_nothing(stripped)
        or resolve.crown_named(stripped)
        or postcode.find_in(stripped)
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


def _too_long() -> dict[str, Any]:
    hint = "give one postcode or place per line"
    error = InputError(f"the line is longer than {LINE_MAX} bytes", hint, code="too_long")
    return {"schema_version": 1, "query": None, "error": error.as_dict()}


def _write(dest: IO[str], text: str, written: int) -> None:
    """Write to the output; a closed pipe or a full disk is an output problem, said as such."""
    try:
        dest.write(text)
        dest.flush()
    except OSError as exc:
        if isinstance(exc, BrokenPipeError) or exc.errno == errno.EPIPE:
            reason = "the output was closed before every answer was written"
        elif exc.errno in (errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)):
            reason = "the disk is full"
        else:
            reason = exc.strerror or type(exc).__name__
        raise InputError(f"cannot write the answers: {reason} ({written:,} lines written)", code="bad_output") from None


def run_batch(src: BinaryIO, dest: IO[str]) -> int:
    """Answer every line of ``src``; returns the number of lines written."""
    from campaignsafe.contact.resolve import _lookup

    fast = _lookup().json_line
    n = 0
    written = 0
    buf: list[str] = []
    seen: dict[bytes, str] = {}  # names repeat in a batch (the same constituency on many lines)
    for raw in lines(src):
        line: str | None
        if raw is None:
            line = json_text(_too_long(), separators=(",", ":"))
        else:
            line = fast(raw.decode("ascii")) if raw.isascii() else None
            if line is None:
                line = seen.get(raw)
                if line is None:
                    line = (miss_line(raw.decode("ascii")) if raw.isascii() else None) or json_text(
                        answer_line(raw), separators=(",", ":")
                    )
                    if len(seen) >= 65536:
                        seen.clear()
                    seen[raw] = line
        buf.append(line)
        n += 1
        if len(buf) >= 4096:
            _write(dest, "\n".join(buf) + "\n", written)
            written = n
            buf.clear()
    if buf:
        _write(dest, "\n".join(buf) + "\n", written)
    return n
