"""Running documented examples as a new user would: the commands in the README and in every ``--help``.

``readme_commands`` finds every ``campaignsafe …`` line in the README's code blocks (joining ``\\``
continuations, dropping ``# comments``, taking the ``campaignsafe`` part of ``a && campaignsafe b``),
so a section added to the README is covered without touching the tests. ``make_inputs`` creates
the files a command reads (a photo, a screenshot, a postcode list, a backlog file) before it runs,
and never the ones it writes (``-o``, ``--bundle``, ``--eml`` …).
"""

from __future__ import annotations

import re
import shlex
import zipfile
from collections.abc import Callable
from pathlib import Path

#: options whose value is a file the command writes (never created beforehand).
OUTPUT_OPTIONS = {"-o", "--output", "--bundle", "--eml", "--out"}
_FILE = re.compile(r"^[\w./~-]+\.(jpe?g|png|gif|pdf|txt|ya?ml|json|csv|eml|mp3|mp4|docx?)$", re.IGNORECASE)
_FENCE = re.compile(r"^```(\w*)\s*$")

BACKLOG = """\
# four earlier incidents, imported at once
- occurred_at: 2026-04-02T09:00
  kind: criminal-damage
  description: Posters torn down outside the office.
  location: {text: Campaign office, postcode: SW1A 1AA}
- occurred_at: 2026-04-09T20:15
  kind: online-abuse
  platform: X
  description: 'A reply saying "we know where you live".'
  location: {text: online}
- occurred_at: 2026-04-20
  kind: threatening-communications
  description: A letter through the door.
  location: {text: Home, postcode: SW1A 1AA}
- occurred_at: 2026-04-28T18:00
  kind: threats
  description: 'He said "you will regret standing".'
  location: {text: High Street, postcode: SW1A 1AA}
"""
ONE_INCIDENT = (
    '{"occurred_at": "2026-05-01T18:30", "kind": "threats", "description": "He shouted at me.",'
    ' "location": {"text": "High Street", "postcode": "SW1A 1AA"}}\n'
)


def readme_commands(text: str) -> list[tuple[int, str]]:
    """``(line number, command)`` for each ``campaignsafe`` command in the README's code blocks, in order."""
    out: list[tuple[int, str]] = []
    in_fence = in_block = False  # inside any fenced block; inside a shell one
    pending, start = "", 0
    for n, line in enumerate(text.splitlines(), start=1):
        fence = _FENCE.match(line.strip())
        if fence:
            in_fence = not in_fence
            in_block = in_fence and fence.group(1) in ("", "sh", "shell", "bash", "console")
            continue
        if not in_block:
            continue
        if not pending:
            start = n
        pending += line.rstrip()
        if pending.endswith("\\"):
            pending = pending[:-1] + " "
            continue
        for part in _commands(pending):
            out.append((start, part))
        pending = ""
    return out


def _commands(line: str) -> list[str]:
    """The ``campaignsafe …`` commands on one shell line (``&&``-joined; a ``#`` comment dropped)."""
    try:
        words = shlex.split(line, comments=True)
    except ValueError:
        return []
    found, current = [], []
    for w in [*words, "&&"]:
        if w in ("&&", ";", "||"):
            if current and current[0] == "campaignsafe":
                found.append(shlex.join(current))
            current = []
        else:
            current.append(w)
    return found


#: an audit-chain anchor written as a placeholder (``12:3f5a…``): the reader copies theirs from an export.
ANCHOR_PLACEHOLDER = re.compile(r"^\d+:[0-9a-f]*…$")


def fill_placeholders(argv: list[str], anchor: Callable[[], str]) -> list[str]:
    """``argv`` with each documented placeholder replaced by the value a user would copy in.

    ``check --anchor 12:3f5a…`` stands for the head printed on the user's own export, so the
    test gives the current audit head (``anchor()``), as the reader would paste it.
    """
    return [anchor() if ANCHOR_PLACEHOLDER.match(w) else w for w in argv]


def make_inputs(argv: list[str], cwd: Path) -> None:
    """Create the files ``argv`` reads (in ``cwd``) unless they exist; unpack ``X.zip`` for a folder ``X/``."""
    previous = ""
    for word in argv:
        if previous in OUTPUT_OPTIONS:
            previous = word
            continue
        values = [word]
        if ";" in word or "=" in word:  # 'URL; screenshot=shot.png'
            values += [part.split("=", 1)[1].strip() for part in word.split(";") if "=" in part]
        for value in values:
            _make(value, cwd)
        previous = word


def _make(value: str, cwd: Path) -> None:
    if value.endswith("/") and not (cwd / value).exists() and (cwd / (value.rstrip("/") + ".zip")).is_file():
        with zipfile.ZipFile(cwd / (value.rstrip("/") + ".zip")) as z:
            z.extractall(cwd / value)
        return
    if not _FILE.match(value) or value.startswith(("http", "/")) or (cwd / value).exists():
        return
    path = cwd / value
    path.parent.mkdir(parents=True, exist_ok=True)
    suffix = path.suffix.lower()
    if suffix in (".yaml", ".yml"):
        path.write_text(BACKLOG, encoding="utf-8")
    elif suffix == ".json":
        path.write_text(ONE_INCIDENT, encoding="utf-8")
    elif value.startswith("pass"):  # a passphrase file (a backup refuses a weak one)
        path.write_text("lantern orbit cabbage velvet\n", encoding="utf-8")
    elif suffix == ".txt":
        path.write_text("SW1A 1AA\nSK17\nCF10 1EP\nBT1 5GS\nnot a postcode\n", encoding="utf-8")
    else:
        path.write_bytes(b"example evidence: " + value.encode() + bytes(range(256)))
