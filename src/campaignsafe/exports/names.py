"""Where each evidence file goes in a bundle: ``evidence/JS-1_original-name.jpg``, safe and unique."""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import PurePosixPath
from typing import Literal, Protocol

from campaignsafe.incidents.models import Evidence, Incident, StoredFile

EVIDENCE_DIR = "evidence"
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")
Part = Literal["file", "screenshot"]


def safe_part(text: str, limit: int = 80) -> str:
    """A file-name part of letters, digits, ``.``, ``_`` and ``-`` only, never starting with a dot."""
    cleaned = _UNSAFE.sub("_", text).strip("._-") or "file"
    if len(cleaned) > limit:
        _stem, dot, ext = cleaned.rpartition(".")
        ext = ext if dot and 0 < len(ext) <= 10 else ""
        cleaned = cleaned[: limit - len(ext) - 1].rstrip("._-") + ("." + ext if ext else "")
    return cleaned


class Taken(Protocol):
    """The names already given (lower-cased): a set, or a table on disk for a large export."""

    def __contains__(self, key: object) -> bool: ...

    def add(self, key: str) -> None: ...


def bundle_name(ref: str, stored: StoredFile, taken: Taken) -> str:
    """``evidence/JS-1_original-name.jpg`` for one file, unique against (and added to) ``taken``."""
    name = f"{safe_part(ref.replace('/', '-'), 30)}_{safe_part(stored.original_name)}"
    candidate, n = name, 1
    while candidate.lower() in taken:  # unique even on case-insensitive file systems
        n += 1
        path = PurePosixPath(name)
        candidate = f"{path.stem}-{n}{path.suffix}"
    taken.add(candidate.lower())
    return f"{EVIDENCE_DIR}/{candidate}"


def bundle_paths(incidents: Sequence[Incident]) -> dict[tuple[str, str], str]:
    """(exhibit ref, part) → ``evidence/JS-1_original-name.jpg``: safe, unique, stable for the same record."""
    out: dict[tuple[str, str], str] = {}
    taken: set[str] = set()
    for incident in incidents:
        for ev in incident.evidence:
            for part, stored in files_of(ev):
                out[(ev.exhibit_ref, part)] = bundle_name(ev.exhibit_ref, stored, taken)
    return out


def files_of(ev: Evidence) -> list[tuple[Part, StoredFile]]:
    """The stored files an exhibit holds, each with its part: the file itself, or a web page's screenshot."""
    parts: list[tuple[Part, StoredFile | None]] = [("file", ev.file), ("screenshot", ev.screenshot)]
    return [(part, f) for part, f in parts if f is not None]
