"""How ``incidents links`` looks: each shared identifier, the forms it was written in, the incidents it joins."""

from __future__ import annotations

import shutil
from typing import TYPE_CHECKING

from campaignsafe.cli._panel import BOLD, style

if TYPE_CHECKING:
    from campaignsafe.incidents.links import Found, Link


def width() -> int:
    """The terminal's width (honours COLUMNS), at most 80 and at least 40."""
    return max(40, min(80, shutil.get_terminal_size((80, 24)).columns))


def _wrap(text: str, first: str, rest: str, w: int) -> list[str]:
    """``text`` after ``first``, folded to ``w`` with ``rest`` before the other lines; a web address,
    hash or phone number is never split (a long one gets a line of its own)."""
    from campaignsafe.cli._panel import lay_out

    lines = lay_out(text, w, len(rest), len(first))
    return [(first + lines[0]).rstrip(), *lines[1:]]


def link_lines(link: Link, w: int) -> list[str]:
    """One link: its heading, how it was written, and one line (or more) per incident."""
    from campaignsafe.incidents import kinds
    from campaignsafe.incidents.links import KIND_LABELS
    from campaignsafe.incidents.models import printable

    n = len(link.incidents)
    head = f"{KIND_LABELS[link.kind]}: {printable(link.label)} ({n} incidents)"
    out = [style(line, BOLD) for line in _wrap(head, "", "  ", w)]
    out += _wrap("; ".join(printable(s) for s in link.seen_as), "  written as: ", "    ", w)
    for i in link.incidents:
        at = i.occurred_at
        where = (i.force_name or i.force_id or "no force known") + (
            # the reporting person's: yours, or for an incident imported from someone else's record, theirs
            " (from the reporting person's profile)" if i.force_source == "profile" else ""
        )
        if i.campaign:
            where = f"{i.campaign} campaign, {where}"
        text = f"{at.day} {at:%b %Y}, {kinds.label(i.kind).lower()}, {where}; {', '.join(i.found_in)}"
        out += _wrap(text, f"  incident {i.id}: ", "    ", w)
    return out


def show(found: Found) -> None:
    """Every link, most incidents first; or why there are none."""
    w = width()
    if found.incidents == 0:
        print("No incidents recorded. Record one: campaignsafe report")
        return
    read = f"{found.incidents} incident{'s' if found.incidents != 1 else ''} read"
    if not found.links:
        print(f"No identifier appears in more than one incident ({read}).")
        return
    n = len(found.links)
    said = "1 identifier appears" if n == 1 else f"{n} identifiers appear"
    lines = _wrap(f"{said} in more than one incident ({read}).", "", "", w)
    for link in found.links:
        lines += ["", *link_lines(link, w)]
    if found.ignored_own:
        lines += ["", *_wrap("Your own name, phone and email (from your profile) are left out.", "", "", w)]
    print("\n".join(lines))
