"""Incident kinds: stable ids (shared with ``data/guidance/offences.yaml``), labels and lookup.

Kept free of pydantic and YAML so ``report --help`` can list the kinds cheaply.
"""

from __future__ import annotations

import re

from campaignsafe.errors import InputError

#: id → (label, short help). The ids are stable: files, the JSON export and offences.yaml use them.
KINDS: dict[str, tuple[str, str]] = {
    "in-person-abuse": ("In-person abuse", "shouting, swearing or intimidation face to face"),
    "threats": ("Threats", "threats of violence or harm, in person or otherwise"),
    "assault": ("Assault", "being hit, pushed, spat at or attacked"),
    "criminal-damage": ("Criminal damage", "damage to property, posters, office or car"),
    "harassment": ("Harassment", "a course of conduct: repeated contact or behaviour"),
    "stalking": ("Stalking or following", "following, watching, turning up, monitoring"),
    "online-abuse": ("Online abuse", "abuse on social media, forums, messaging (give the platform)"),
    "threatening-communications": ("Threatening letters, email or calls", "letters, email, phone calls, texts"),
    "suspicious-item": ("Suspicious item or package", "an unexpected package, powder, device"),
    "hate": ("Hate-motivated", "hostility because of race, religion, sexuality, disability or gender identity"),
    "electoral-offence": ("Electoral offence", "false statements about a candidate, undue influence"),
    "other": ("Other", "anything else"),
}

#: kinds that happen online or by message, where the platform or service is part of what happened.
#: (Harassment, stalking and hate happen in person as often: they get the question only when the
#: place is online.)
PLATFORM_KINDS = frozenset({"online-abuse", "threatening-communications"})


def _key(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.strip().lower()).strip("-")


def _aliases() -> dict[str, str]:
    table = {kid: kid for kid in KINDS}
    for kid, (label, _help) in KINDS.items():
        table[_key(label)] = kid
    table.update(
        {
            "abuse": "in-person-abuse",
            "verbal-abuse": "in-person-abuse",
            "threat": "threats",
            "damage": "criminal-damage",
            "vandalism": "criminal-damage",
            "following": "stalking",
            "online": "online-abuse",
            "social-media": "online-abuse",
            "letter": "threatening-communications",
            "letters": "threatening-communications",
            "email": "threatening-communications",
            "calls": "threatening-communications",
            "package": "suspicious-item",
            "hate-crime": "hate",
            "electoral": "electoral-offence",
        }
    )
    return table


ALIASES = _aliases()


def label(kind: str) -> str:
    """The human label for a kind id (the id itself when unknown)."""
    return KINDS[kind][0] if kind in KINDS else kind


def parse_kind(text: str) -> str:
    """A kind id from an id, a label, a common alias or a number from the guided list.

    Raises ``InputError`` with the closest ids for anything else.
    """
    raw = text.strip()
    if raw.isdigit() and 1 <= int(raw) <= len(KINDS):
        return list(KINDS)[int(raw) - 1]
    key = _key(raw)
    if key in ALIASES:
        return ALIASES[key]
    from campaignsafe.usertext import near_best

    ids = list(dict.fromkeys(ALIASES[a] for a in near_best(key, ALIASES, 0.6)))[:3]
    hint = f"did you mean {' or '.join(ids)}?" if ids else "kinds: " + ", ".join(KINDS)
    err = InputError(f"unknown kind; {hint}", code="unknown_kind")  # what was typed is never quoted
    err.suggestions = ids  # type: ignore[attr-defined]
    raise err


def help_text() -> str:
    """The kinds as one line each, for ``--help``."""
    return "\n".join(f"  {kid:<28} {lab}" for kid, (lab, _hlp) in KINDS.items())
