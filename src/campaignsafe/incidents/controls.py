"""Control characters in incident text: the names the incident code uses for the one text rule.

The rule itself lives in ``campaignsafe.usertext`` (plain ``re``, so listing incidents, which
only shows text, loads no pydantic).
"""

from __future__ import annotations

from campaignsafe import usertext

__all__ = ["control_problem", "printable", "visible"]

printable = usertext.printable
visible = usertext.visible


def control_problem(text: str) -> str | None:
    """Why ``text`` cannot go into a record (the one rule in ``usertext``), or None when it can."""
    return usertext.problem(text)
