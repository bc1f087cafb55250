"""UK postcode grammar: normalise, classify and explain. Pure functions, no I/O."""

from __future__ import annotations

import itertools
import re
from typing import NamedTuple

from campaignsafe.errors import InputError, NotFoundError

#: Letters used in the last two characters of a postcode (no C I K M O V).
UNIT_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"
UNIT_INDEX = {c: i for i, c in enumerate(UNIT_LETTERS)}
#: Slots per postcode sector: every pair of unit letters.
SECTOR_SLOTS = len(UNIT_LETTERS) ** 2
#: Two unit letters → their slot within a sector (``"AA"`` → 0 … ``"ZZ"`` → 399); upper case only.
UNIT_SLOT = {a + b: i * len(UNIT_LETTERS) + j for i, a in enumerate(UNIT_LETTERS) for j, b in enumerate(UNIT_LETTERS)}

MAX_QUERY = 200

_OUTWARD = re.compile(r"[A-Z]{1,2}[0-9][0-9A-Z]?")
_OUTWARD_FULL = re.compile(
    r"(?:[A-Z][0-9]|[A-Z][0-9][0-9]|[A-Z]{2}[0-9]|[A-Z]{2}[0-9][0-9]|[A-Z][0-9][A-Z]|[A-Z]{2}[0-9][A-Z])"
)
_FULL = re.compile(r"([A-Z]{1,2}[0-9][0-9A-Z]?)([0-9])([A-Z]{2})")
#: a full postcode written among other words (one space or none between its halves)
_IN_TEXT = re.compile(rf"(?<![A-Z0-9])({_OUTWARD.pattern}) ?([0-9][A-Z]{{2}})(?![A-Z0-9])")
_JUNK = re.compile(r"[^A-Z0-9]")
_POSTCODE_CHARS = re.compile(r"[A-Za-z0-9\s]+")
_DIGIT = re.compile(r"[0-9]")

# Crown Dependencies: not UK police forces (answered with their own police service).
CROWN_AREAS = {"JE": "jersey", "GY": "guernsey", "IM": "isle-of-man"}

# Postcodes and areas that name no place a UK police force covers.
SPECIAL: dict[str, str] = {
    # British Forces Post Office: BF1 postcodes and "BFPO n" numbers route mail to
    # service personnel anywhere in the world; they say nothing about a location.
    "BF": "bfpo",
    "BFPO": "bfpo",
    # Non-geographic: Girobank's historic code, Santa's reply address, and the BX
    # area used by organisations such as HMRC and banks for mail only.
    "GIR0AA": "non-geographic",
    "XM45HQ": "non-geographic",
    "BX": "non-geographic",
    # Overseas territories with UK-style postcodes: outside UK police forces.
    "ASCN1ZZ": "overseas",  # Ascension Island
    "STHL1ZZ": "overseas",  # Saint Helena
    "TDCU1ZZ": "overseas",  # Tristan da Cunha
    "BBND1ZZ": "overseas",  # British Indian Ocean Territory
    "BIQQ1ZZ": "overseas",  # British Antarctic Territory
    "FIQQ1ZZ": "overseas",  # Falkland Islands
    "PCRN1ZZ": "overseas",  # Pitcairn Islands
    "SIQQ1ZZ": "overseas",  # South Georgia and the South Sandwich Islands
    "TKCA1ZZ": "overseas",  # Turks and Caicos Islands
    "GX111AA": "overseas",  # Gibraltar
    "SANTA1": "non-geographic",  # Santa's other reply address (SAN TA1)
}

SPECIAL_MESSAGES = {
    "bfpo": (
        "BFPO addresses and BF1 postcodes belong to the British Forces Post Office: they "
        "route mail to service personnel anywhere in the world and say nothing about where "
        "the person is, so no police force can be given for them",
        "use the postcode of the place where the incident happened; an incident on a defence "
        "site or involving service personnel may also involve the Ministry of Defence Police "
        "or the Service Police",
    ),
    "non-geographic": (
        "this is a non-geographic postcode used only for mail, so no police force covers it",
        "use the postcode of the place where the incident happened",
    ),
    "overseas": (
        "this postcode belongs to a British Overseas Territory, outside UK police forces",
        "contact the territory's own police service",
    ),
}


class Parsed(NamedTuple):
    """A postcode-shaped query split into its parts."""

    kind: str  # "full" | "sector" | "district"
    outward: str
    digit: str = ""
    unit: str = ""

    @property
    def display(self) -> str:
        """The postcode as it is written: outward, space, inward."""
        if self.kind == "district":
            return self.outward
        return f"{self.outward} {self.digit}{self.unit}"

    @property
    def area(self) -> str:
        """The postcode area: the leading letters."""
        return self.outward[:2] if self.outward[1:2].isalpha() else self.outward[:1]


def canonical(text: str) -> str:
    """Upper-case and drop everything but A–Z and 0–9 (``" sw1a 1aa"`` → ``"SW1A1AA"``)."""
    return _JUNK.sub("", text.upper())


def display(text: str) -> str:
    """A full postcode written with its single space (``"sw1a1aa"`` → ``"SW1A 1AA"``)."""
    c = canonical(text)
    return f"{c[:-3]} {c[-3:]}" if len(c) > 3 else c


_CONTROL = re.compile("[\x00-\x08\x0a-\x1f\x7f-\x9f\ufffd]")  # control characters but tab; unreadable bytes


def has_control(text: str) -> bool:
    """Whether ``text`` holds control characters (tab apart) or bytes that could not be read."""
    return _CONTROL.search(text) is not None


def check_text(text: str) -> str:
    """Reject empty, absurdly long or binary input; return the stripped text."""
    stripped = text.strip()
    if not stripped:
        raise InputError("empty query", "give a postcode, constituency, council or police force", code="empty_query")
    if len(stripped) > MAX_QUERY:
        raise InputError(f"query is too long ({len(stripped)} characters; at most {MAX_QUERY})", code="query_too_long")
    if has_control(stripped):
        raise InputError("query contains control characters or unreadable bytes", code="unreadable_query")
    return stripped


def find_in(text: str) -> str | None:
    """The first full postcode written in ``text`` (``"12 High St, sw1a1aa"`` → ``SW1A 1AA``), else None."""
    found = _IN_TEXT.search(text.upper())
    return f"{found[1]} {found[2]}" if found else None


def find_all_in(text: str) -> list[str]:
    """Every different full postcode written in ``text``, in order."""
    return list(dict.fromkeys(f"{m[1]} {m[2]}" for m in _IN_TEXT.finditer(text.upper())))


def looks_like_postcode(text: str) -> bool:
    """True when ``text`` is postcode-shaped enough to be parsed as one: letters, digits and spaces, with a digit."""
    if _DIGIT.search(text) is None or _POSTCODE_CHARS.fullmatch(text) is None:
        return False
    return 2 <= len(canonical(text)) <= 8


def special_kind(text: str) -> str | None:
    """The ``SPECIAL``/Crown Dependency class of a postcode-like query, if any."""
    c = canonical(text)
    if c in SPECIAL:
        return SPECIAL[c]
    if c.startswith("BFPO") or (c.startswith("BF") and c[2:3].isdigit()):
        return "bfpo"
    if c.startswith("BX") and c[2:3].isdigit():
        return "non-geographic"
    area = c[:2]
    if area in CROWN_AREAS and c[2:3].isdigit():
        return "crown:" + CROWN_AREAS[area]
    return None


def parse(text: str) -> Parsed:
    """Split a postcode, sector or district query; raise ``InputError`` saying what is wrong.

    Spacing and case never matter for a full postcode. A space only tells a sector
    (``SK1 7``) from a district (``SK17``); without one, the district reading wins.
    """
    c = canonical(text)
    if not c:
        raise InputError("empty postcode", code="empty_query")
    if len(c) >= 5 and _FULL.fullmatch(c):
        return _full(c[:-3], c[-3:], text)
    tokens = text.split()
    if len(tokens) > 1 and canonical(tokens[-1]).isdigit() and len(canonical(tokens[-1])) == 1:
        _check_outward(c[:-1], text)
        return Parsed("sector", c[:-1], c[-1])
    if _OUTWARD_FULL.fullmatch(c):
        return Parsed("district", c)
    if c[-1].isdigit() and _OUTWARD_FULL.fullmatch(c[:-1]):
        return Parsed("sector", c[:-1], c[-1])
    if len(c) > 7:
        raise InputError(
            f"{text.strip()!r} is too long for a postcode (at most 7 letters and digits)",
            code="malformed_postcode",
        )
    if len(c) <= 4:
        _check_outward(c, text)
    _check_outward(c[:-3], text)
    return _full(c[:-3], c[-3:], text)


#: characters people type for one another in a postcode: the letters O and I (and l) for the digits 0 and 1
_MISTYPED = {"O": "0", "0": "O", "I": "1", "1": "I", "L": "1"}


def misreadings(text: str) -> list[str]:
    """Full postcodes ``text`` could be with one or two of O/0, I/1, L/1 typed for the other (``SWIA 1AA`` →
    ``SW1A 1AA``): shaped as postcodes, not yet known to exist."""
    c = canonical(text)
    if not 5 <= len(c) <= 7:
        return []
    spots = [i for i, ch in enumerate(c) if ch in _MISTYPED]
    found: list[str] = []
    for n in (1, 2):
        for picked in itertools.combinations(spots, n):
            chars = list(c)
            for i in picked:
                chars[i] = _MISTYPED[chars[i]]
            candidate = "".join(chars)
            if _FULL.fullmatch(candidate) and candidate[-2] in UNIT_INDEX and candidate[-1] in UNIT_INDEX:
                found.append(display(candidate))
        if found:
            return found  # the fewest changes first
    return found


def _check_outward(out: str, text: str) -> None:
    if not _OUTWARD_FULL.fullmatch(out):
        reason = (
            "a postcode starts with one or two letters, then a digit"
            if not _OUTWARD.match(out)
            else "the first part must be like A9, A99, AA9, AA99, A9A or AA9A"
        )
        raise InputError(f"{text.strip()!r} is not a valid postcode: {reason}", code="malformed_postcode")


def _full(out: str, inward: str, text: str) -> Parsed:
    if len(inward) != 3 or not inward[0].isdigit() or not inward[1:].isalpha():
        raise InputError(
            f"{text.strip()!r} is not a valid postcode: the second part must be a digit and two letters (like 1AA)",
            code="malformed_postcode",
        )
    bad = [ch for ch in inward[1:] if ch not in UNIT_INDEX]
    if bad:
        raise NotFoundError(
            f"{display(out + inward)} does not exist: postcodes never end in the letters C, I, K, M, O or V",
            code="postcode_not_found",
        )
    return Parsed("full", out, inward[0], inward[1:])


def slot(unit: str) -> int:
    """Index of a unit's two letters within its sector (0 … 399)."""
    return UNIT_INDEX[unit[0]] * len(UNIT_LETTERS) + UNIT_INDEX[unit[1]]


def unit_of_slot(index: int) -> str:
    """The two unit letters stored at ``index`` within a sector."""
    return UNIT_LETTERS[index // len(UNIT_LETTERS)] + UNIT_LETTERS[index % len(UNIT_LETTERS)]
