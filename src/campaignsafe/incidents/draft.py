"""The guided-entry draft: every answer saved the moment it is given (atomic, 0600).

Ctrl-C, a closed terminal or a crash therefore loses at most the answer being typed;
``campaignsafe report --resume`` asks only what is still missing.
"""

from __future__ import annotations

import contextlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from campaignsafe import paths
from campaignsafe.errors import StoreError
from campaignsafe.incidents.when import iso, now


def path() -> Path:
    """Where the draft is kept."""
    return paths.home() / "drafts" / "report.json"


@dataclass
class Draft:
    """Answers so far (question id → text or list of lines) and the questions skipped for later."""

    started_at: str = field(default_factory=lambda: iso(now()))
    answers: dict[str, Any] = field(default_factory=dict)
    skipped: list[str] = field(default_factory=list)
    partial: dict[str, list[str]] = field(default_factory=dict)

    def answer(self, qid: str, value: Any) -> None:
        """Record an answer and write the draft at once."""
        self.answers[qid] = value
        self.partial.pop(qid, None)
        if qid in self.skipped:
            self.skipped.remove(qid)
        save(self)

    def add_line(self, qid: str, line: str) -> None:
        """Keep one more line of a multi-line answer still being typed, and write the draft."""
        self.partial.setdefault(qid, []).append(line)
        save(self)

    def skip(self, qid: str) -> None:
        """Mark a question to come back to, and write the draft."""
        self.answers.pop(qid, None)
        if qid not in self.skipped:
            self.skipped.append(qid)
        save(self)


def load() -> Draft | None:
    """The saved draft, or None."""
    from campaignsafe.inputfiles import read_data_file

    p = path()
    raw = read_data_file(p, "the saved draft")
    if raw is None:
        return None
    try:
        data = json.loads(raw.decode("utf-8"))
        return Draft(
            str(data["started_at"]),
            dict(data["answers"]),
            list(data.get("skipped", [])),
            {str(k): list(v) for k, v in data.get("partial", {}).items()},
        )
    except (OSError, ValueError, KeyError, TypeError, AttributeError, RecursionError):
        raise StoreError(
            f"the saved draft {p} cannot be read",
            f"move it aside (rename it to {p.name}.bad) to start again",
            code="draft_corrupt",
        ) from None


def save(draft: Draft) -> None:
    """Write the draft atomically (0600, folder 0700)."""
    from campaignsafe.incidents.schema import os_failure, require_folder

    require_folder(path().parent, "the unfinished report")
    paths.private_home()
    data = {
        "version": 1,
        "started_at": draft.started_at,
        "answers": draft.answers,
        "skipped": draft.skipped,
        "partial": draft.partial,
    }
    try:
        paths.atomic_write(path(), json.dumps(data, ensure_ascii=False, indent=2) + "\n")
    except OSError as exc:
        raise os_failure("save the unfinished report to", path(), exc) from None


def discard() -> None:
    """Remove the draft (after the incident is saved)."""
    with contextlib.suppress(FileNotFoundError):
        path().unlink()
