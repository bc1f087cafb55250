"""Turn what people type for "when" into an aware datetime in Europe/London.

Accepted: ``now``, ``today 18:30``, ``yesterday 9pm``, ``2 hours ago``, ``monday 6pm``,
ISO dates and datetimes (``2026-05-01``, ``2026-05-01T18:30``, ``2026-05-01 18:30+01:00``),
``1 May 2026 6pm``, ``May 1 2026 18:30``, ``1/5/2026 18:30`` (day first, as in the UK).
A date without a time is kept as that day with ``time_known`` false. The future is refused
(with a few minutes' grace for a fast clock). A UK clock time that never happened (the hour
skipped when the clocks go forward) is refused; one that happened twice (the hour repeated
when they go back) is taken as the first, unless an offset such as ``+00:00`` or a zone word
(``GMT``, ``BST``, ``UTC``) says otherwise. A zone word makes the clock that zone's; after ``now`` or
``2 hours ago`` it changes nothing (the moment is counted back from the clock).
"""

from __future__ import annotations

import re
from contextvars import ContextVar
from datetime import UTC, date, datetime, time, timedelta, timezone
from typing import NamedTuple
from zoneinfo import ZoneInfo

from campaignsafe.errors import InputError

LONDON = ZoneInfo("Europe/London")
#: how far ahead of the clock a time may be before it counts as "in the future".
SKEW = timedelta(minutes=5)
MIN_YEAR = 1900
MAX_LEN = 64

MONTHS = {
    name: i
    for i, names in enumerate(
        (
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ),
        start=1,
    )
    for name in names
}
WEEKDAYS = {
    name: i
    for i, names in enumerate(
        (
            ("monday", "mon"),
            ("tuesday", "tue", "tues"),
            ("wednesday", "wed"),
            ("thursday", "thu", "thur", "thurs"),
            ("friday", "fri"),
            ("saturday", "sat"),
            ("sunday", "sun"),
        )
    )
    for name in names
}

_TIME = re.compile(r"(?P<h>\d{1,2})(?:[:.](?P<m>\d{2}))?(?::(?P<s>\d{2}))?(?P<ap>am|pm)?")
_AGO = re.compile(r"(?P<n>\d{1,4}) (?P<unit>min|mins|minute|minutes|hour|hours|hr|hrs|day|days|week|weeks) ago")
_NUMERIC_DATE = re.compile(r"(?P<d>\d{1,2})[/.-](?P<m>\d{1,2})(?:[/.-](?P<y>\d{2}|\d{4}))?")
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
EXAMPLES = "e.g. now, yesterday 9pm, 2026-05-01 18:30 or 1 May 2026 6pm"


class When(NamedTuple):  # not a dataclass: importing dataclasses would be a fifth of `incidents list`'s imports
    """A parsed time: the moment (Europe/London) and whether the time of day was given."""

    at: datetime
    time_known: bool = True
    counted: bool = False  # counted back from the clock (``now``, ``2 hours ago``): the same moment in every zone


def now() -> datetime:
    """The current time in Europe/London."""
    return datetime.now(LONDON)


def parse(text: str, *, clock: datetime | None = None, future: bool = False) -> When:
    """Parse ``text`` (relative words count from ``clock``, default now); raise ``InputError`` and nothing else.
    A moment in the future is refused (an incident cannot have happened yet) unless ``future`` (a filter's end)."""
    if not isinstance(text, str):
        raise InputError(f"a date and time is needed ({EXAMPLES})", code="bad_date")
    current = (clock or now()).astimezone(LONDON)
    # what was typed is never quoted back (it is part of an incident): the caller names the field
    if not text.strip():
        raise InputError(f"a date and time is needed ({EXAMPLES})", code="bad_date")
    if len(text) > MAX_LEN * 2:
        raise InputError(f"not a date and time: far too long ({EXAMPLES})", code="bad_date")
    try:
        when = _parse(text.strip(), current)
    except InputError:
        raise
    except (ValueError, OverflowError, KeyError, IndexError):
        when = None
    if when is None:
        raise InputError(f"not a date and time I understand ({EXAMPLES})", code="bad_date")
    if when.at.year < MIN_YEAR:
        raise InputError(f"the date is before {MIN_YEAR}", code="bad_date")
    # instants compared in UTC: two London times compare by their clock faces, ignoring fold (the repeated hour)
    later = _utc(when.at) > _utc(current) + SKEW if when.time_known else when.at.date() > current.date()
    if later and not future:
        raise InputError("the date and time is in the future; give when it happened", code="future_date")
    return when


def _parse(text: str, current: datetime) -> When | None:
    zoned = _ZONED.fullmatch(text)
    if zoned:  # "01:30 GMT", as a repeated hour's time is shown: that clock at that offset
        return _zoned(zoned["rest"], zoned["zone"].upper(), current)
    iso = _iso(text)
    if iso is not None:
        return iso
    t = " ".join(re.sub(r"[,]", " ", text.lower()).split())
    t = re.sub(r"\b(at|on|the|of)\b", " ", t)
    t = re.sub(r"(\d)(st|nd|rd|th)\b", r"\1", t)
    t = re.sub(r"\b(a|p)\.m\.?", r"\1m", t)
    t = re.sub(r"(\d)\s+(am|pm)\b", r"\1\2", t)
    t = " ".join(t.split())
    instant = _instant(t, current)
    if instant is not None:
        return instant
    tokens = t.split()
    clock: time | None = None
    rest: list[str] = []
    for tok in tokens:
        parsed = _clock(tok)
        if parsed is not None and clock is None:
            clock = parsed
        else:
            rest.append(tok)
    day = _day(rest, current, clock)
    if day is None:
        return None
    if clock is None:
        return When(datetime.combine(day, time(0), tzinfo=LONDON), time_known=False)
    return When(_local(day, clock))


def _instant(t: str, current: datetime) -> When | None:
    """``now`` or ``2 hours ago`` (``t`` lower case, single-spaced): counted back from the clock, not read off one."""
    if t in ("now", "just now", "right now"):
        return When(current.replace(microsecond=0), counted=True)
    ago = _AGO.fullmatch(t)
    return _ago(int(ago["n"]), ago["unit"], current) if ago else None


def _zoned(rest: str, zone: str, current: datetime) -> When | None:
    """``rest`` read as a clock in ``zone``: UTC anywhere; GMT or BST only when the UK kept it at that time (GMT in
    July is most often meant as UK time, so it is refused, not moved an hour), and never beside an offset."""
    if _OFFSET_AT_END.search(rest):
        raise InputError(f"give either an offset or {zone}, not both", code="bad_date")
    if _ZONED.fullmatch(rest):  # "18:30 UTC UTC", "18:30 BST UTC": which one?
        raise InputError("give one zone (GMT, BST or UTC), not two", code="bad_date")
    token = _ZONE_GIVEN.set(True)
    try:
        inner = _parse(rest, current)
    finally:
        _ZONE_GIVEN.reset(token)
    if inner is None:
        return None
    if inner.counted:  # "2 hours ago UTC" is the same moment in every zone
        return inner
    if not inner.time_known:  # "yesterday UTC": a zone says how to read a clock, and there is none
        raise InputError(
            f"{zone} goes with a time of day: give the time too, or the day without {zone}", code="bad_date"
        )
    offset = timedelta(hours=1 if zone == "BST" else 0)
    at = inner.at.replace(tzinfo=timezone(offset)).astimezone(LONDON)
    if zone != "UTC" and at.utcoffset() != offset:  # the UK's own zone at that instant, the hour of change too
        other = "BST" if zone == "GMT" else "GMT"
        raise InputError(
            f"the UK kept {other}, not {zone}, at that time: give it without the zone (UK time is taken), or in UTC",
            code="bad_date",
        )
    return When(at)


#: set while the clock before a zone word is read: that clock is the zone's, so the UK's skipped hour does not apply
#: (``2026-03-29 01:30 UTC`` happened, though no UK clock showed 01:30 that night)
_ZONE_GIVEN = ContextVar("_ZONE_GIVEN", default=False)
#: an offset after a clock (``18:30+01``, ``18:30:00-05:00``, ``1830+0100``, ``18:30Z``); a date's ``-05-01`` is not
_OFFSET_AT_END = re.compile(r"\d{1,2}:?\d{2}(?::?\d{2}(?:[.,]\d+)?)?\s*(?:z|[+-]\d{2}(?::?\d{2}(?::?\d{2})?)?)$", re.I)
_ZONED = re.compile(r"(?P<rest>.*\S)(?:\s+|(?<=\d))(?P<zone>gmt|bst|utc)", re.IGNORECASE)


def _iso(text: str) -> When | None:
    if not re.fullmatch(r"\d{4}-?\d{2}-?\d{2}([T ].*)?", text):
        return None
    if _ISO_DATE.fullmatch(text) or re.fullmatch(r"\d{8}", text):
        d = date.fromisoformat(text)
        return When(datetime.combine(d, time(0), tzinfo=LONDON), time_known=False)
    if re.search(r"\dz$", text):  # "18:30z", as "18:30Z"
        text = text[:-1] + "Z"
    # "18.30" is a UK way of writing 18:30; Python reads "18.30" as 18:00 and 0.3 of a second
    text = re.sub(r"^(\S+[T ])(\d{1,2})\.(\d{2})(?=$|[^\d:.])", lambda m: f"{m[1]}{m[2]:0>2}:{m[3]}", text)
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        return None  # e.g. "2026-05-01 6pm": left to the word parser
    if value.microsecond and not re.search(r"\d:\d\d:\d", text):  # "18.3": a fraction of an hour, not a time
        return None
    if value.tzinfo is not None:
        return When(value.astimezone(LONDON))
    return When(_local(value.date(), value.time()))


def _clock(tok: str) -> time | None:
    if tok == "noon" or tok == "midday":
        return time(12)
    if tok == "midnight":
        return time(0)
    m = _TIME.fullmatch(tok)
    if not m or (m["m"] is None and m["ap"] is None):
        return None
    hour, minute, second = int(m["h"]), int(m["m"] or 0), int(m["s"] or 0)
    if m["ap"]:
        if not 1 <= hour <= 12:
            raise InputError("the time is not a time of day (12-hour times run from 1 to 12)", code="bad_date")
        hour = hour % 12 + (12 if m["ap"] == "pm" else 0)
    if hour > 23 or minute > 59 or second > 59:
        raise InputError("the time is not a time of day (e.g. 18:30 or 6.30pm)", code="bad_date")
    return time(hour, minute, second)


def _day(words: list[str], current: datetime, clock: time | None) -> date | None:
    today = current.date()
    if not words:
        return today if clock is not None else None
    if words in (["today"], ["tonight"], ["this", "morning"], ["this", "afternoon"], ["this", "evening"]):
        return today
    if words == ["tomorrow"]:
        return today + timedelta(days=1)
    if words in (["yesterday"], ["last", "night"]):
        return today - timedelta(days=1)
    if len(words) <= 2 and words[-1] in WEEKDAYS and (len(words) == 1 or words[0] == "last"):
        back = (today.weekday() - WEEKDAYS[words[-1]]) % 7
        if len(words) == 2 and back == 0:
            back = 7
        return today - timedelta(days=back)
    if len(words) == 1:
        if _ISO_DATE.fullmatch(words[0]):
            return date.fromisoformat(words[0])
        m = _NUMERIC_DATE.fullmatch(words[0])
        if m:
            return _with_year(int(m["d"]), int(m["m"]), m["y"], current, clock)
        return None
    words = [w for w in words if w not in WEEKDAYS]
    if len(words) in (2, 3):
        day_w, month_w = (words[0], words[1]) if words[0].isdigit() else (words[1], words[0])
        if month_w in MONTHS and day_w.isdigit():
            year = words[2] if len(words) == 3 else None
            if year is not None and not (year.isdigit() and len(year) == 4):
                return None
            return _with_year(int(day_w), MONTHS[month_w], year, current, clock)
    return None


def _with_year(d: int, m: int, y: str | None, current: datetime, clock: time | None) -> date:
    year = current.year if y is None else int(y) + (2000 if len(y) == 2 else 0)
    try:
        candidate = date(year, m, d)
    except ValueError:
        raise InputError("the day is not a real date (past the end of its month?)", code="bad_date") from None
    if y is not None:
        return candidate
    moment = _local(candidate, clock) if clock is not None else None
    in_future = _utc(moment) > _utc(current) + SKEW if moment is not None else candidate > current.date()
    return candidate.replace(year=current.year - 1) if in_future else candidate


def _ago(n: int, unit: str, current: datetime) -> When:
    if unit.startswith(("min", "hour", "hr")):
        delta = timedelta(minutes=n) if unit.startswith("min") else timedelta(hours=n)
        # counted back on the real clock, not London's face: across a change of the clocks they differ by an hour
        back = (current.astimezone(UTC) - delta).astimezone(LONDON)
        return When(back.replace(microsecond=0), counted=True)
    days = n * (7 if unit.startswith("week") else 1)
    return When(datetime.combine(current.date() - timedelta(days=days), time(0), tzinfo=LONDON), time_known=False)


def _local(day: date, clock: time) -> datetime:
    """``day`` at ``clock`` in London; refuses a time the clocks skipped, takes the first of a repeated one."""
    naive = datetime.combine(day, clock)
    aware = naive.replace(tzinfo=LONDON, fold=0)
    if _ZONE_GIVEN.get():
        return aware  # only its clock is used (_zoned)
    back = aware.astimezone(UTC).astimezone(LONDON)
    if back.replace(tzinfo=None) != naive:
        raise InputError(
            "that time did not happen in the UK: the clocks went forward an hour that night",
            "did you mean an hour later?",
            code="bad_date",
        )
    return back


def day_label(at: datetime) -> str:
    """``Fri 1 May 2026`` in London (no ``%-d``: Windows' strftime does not have it)."""
    local = at.astimezone(LONDON)
    return f"{local:%a} {local.day} {local:%b %Y}"


def zone_if_repeated(at: datetime) -> str:
    """`` BST`` or `` GMT`` when ``at`` falls in the hour the clocks go back (it happens twice), else ``""``."""
    local = at.astimezone(LONDON)
    other = local.replace(fold=1 - local.fold)
    return f" {local.tzname()}" if other.utcoffset() != local.utcoffset() else ""


def clock_label(at: datetime) -> str:
    """``18:30``, or ``01:30 BST`` / ``01:30 GMT`` in the repeated hour."""
    local = at.astimezone(LONDON)
    return f"{local:%H:%M}{zone_if_repeated(local)}"


def describe(when: When) -> str:
    """``Fri 1 May 2026 18:30`` (or ``Fri 1 May 2026, time not known``); ``Sun 25 Oct 2026 01:30 BST`` in
    the hour that happens twice when the clocks go back."""
    if not when.time_known:
        return f"{day_label(when.at)}, time not known"
    return f"{day_label(when.at)} {clock_label(when.at)}"


def zone_given(text: str) -> bool:
    """Whether ``text`` names its zone or offset (``18:30 UTC``, ``18:30+02:00``): its clock may not be the UK's."""
    t = text.strip()
    return bool(_ZONED.fullmatch(t) or _OFFSET_AT_END.search(t))


def before(at: datetime, incident: When) -> bool:
    """Whether ``at`` (a report made, say) is before the incident happened: to the minute, as both are shown (only
    its day known: before that day). Compared as instants: two London times are compared by their clocks, which
    ignores ``fold``, so in the hour the clocks go back 01:45 BST came after 01:30 GMT."""
    if incident.time_known:
        return _minute(at) < _minute(incident.at)
    return at.astimezone(LONDON).date() < incident.at.astimezone(LONDON).date()


def _utc(at: datetime) -> datetime:
    return at.astimezone(UTC)


def _minute(at: datetime) -> datetime:
    return _utc(at).replace(second=0, microsecond=0)


def too_early(incident: When | None = None) -> str:
    """The one wording of the rule ``before`` checks. An error names no date of the incident (it is part of what
    was typed about it); the guided form, which is showing the user their own answers, passes ``incident``."""
    said = f" ({describe(incident)})" if incident is not None else ""
    return f"the report is dated before the incident happened{said}"


def listed(iso_text: str, time_known: bool = True) -> str:
    """``2026-05-01 18:30`` for a table (the zone added in the repeated hour; the date alone if no time)."""
    at = datetime.fromisoformat(iso_text).astimezone(LONDON)
    if not time_known:
        return f"{at:%Y-%m-%d}"
    return f"{at:%Y-%m-%d} {clock_label(at)}"


def iso(at: datetime) -> str:
    """The instant as ISO 8601 in Europe/London with its offset, to the second."""
    return at.astimezone(LONDON).replace(microsecond=0).isoformat()
