"""What people type for "when" becomes the right moment in UK time, and nothing else gets through."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from campaignsafe.errors import InputError
from campaignsafe.incidents.when import LONDON, When, before, describe, parse

CLOCK = datetime(2026, 11, 24, 22, 30, tzinfo=LONDON)  # a Tuesday evening, GMT


@pytest.mark.parametrize(
    ("text", "expected", "time_known"),
    [
        ("now", "2026-11-24T22:30:00+00:00", True),
        ("today 18:30", "2026-11-24T18:30:00+00:00", True),
        ("yesterday 9pm", "2026-11-23T21:00:00+00:00", True),
        ("yesterday at 9.30 p.m.", "2026-11-23T21:30:00+00:00", True),
        ("2 hours ago", "2026-11-24T20:30:00+00:00", True),
        ("monday 6pm", "2026-11-23T18:00:00+00:00", True),
        ("noon", "2026-11-24T12:00:00+00:00", True),
        ("2026-05-01", "2026-05-01T00:00:00+01:00", False),
        ("2026-05-01T18:30", "2026-05-01T18:30:00+01:00", True),
        ("2026-05-01 18:30", "2026-05-01T18:30:00+01:00", True),
        ("2026-05-01 6pm", "2026-05-01T18:00:00+01:00", True),
        ("2026-05-01T17:30:00Z", "2026-05-01T18:30:00+01:00", True),
        ("1 May 2026 6pm", "2026-05-01T18:00:00+01:00", True),
        ("May 1st 2026 18:30", "2026-05-01T18:30:00+01:00", True),
        ("1/5/2026 18:30", "2026-05-01T18:30:00+01:00", True),
        ("1 dec", "2025-12-01T00:00:00+00:00", False),
        ("3 days ago", "2026-11-21T00:00:00+00:00", False),
    ],
)
def test_accepted_forms(text: str, expected: str, time_known: bool) -> None:
    """Everyday and ISO forms give the moment a person in the UK means."""
    got = parse(text, clock=CLOCK)
    assert got.at == datetime.fromisoformat(expected)
    assert got.at.utcoffset() == datetime.fromisoformat(expected).utcoffset()
    assert got.time_known is time_known


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("tomorrow", "in the future"),
        ("today 23:00", "in the future"),
        ("2027-01-01", "in the future"),
        ("banana", "not a date and time"),
        ("", "is needed"),
        ("25:00", "not a time of day"),
        ("13pm", "12-hour"),
        ("30/2/2026", "not a real date"),
        ("2026-03-29 01:30", "clocks went forward"),
    ],
)
def test_refused_forms(text: str, fragment: str) -> None:
    """Future times, nonsense, impossible dates and skipped clock times are refused with a reason."""
    with pytest.raises(InputError) as exc:
        parse(text, clock=CLOCK)
    assert fragment in exc.value.message


def test_a_few_minutes_of_clock_skew_is_forgiven() -> None:
    """A time a couple of minutes ahead of this computer's clock still counts as now."""
    assert parse("today 22:33", clock=CLOCK).at.minute == 33


def test_repeated_hour_takes_the_first_unless_an_offset_says_otherwise() -> None:
    """01:30 on the night the clocks go back is the first (BST) one; +00:00 picks the second."""
    first = parse("2026-10-25 01:30", clock=CLOCK).at
    second = parse("2026-10-25T01:30+00:00", clock=CLOCK).at
    assert first.utcoffset() == timedelta(hours=1)
    assert second.utcoffset() == timedelta(0)
    assert second.astimezone(UTC) - first.astimezone(UTC) == timedelta(hours=1)


def test_describe_reads_naturally() -> None:
    """A parsed time is shown the way a statement would write it."""
    assert describe(parse("1 May 2026 6pm", clock=CLOCK)) == "Fri 1 May 2026 18:00"
    assert describe(parse("2026-05-01", clock=CLOCK)) == "Fri 1 May 2026, time not known"


WORDS = st.sampled_from(
    ["now", "today", "yesterday", "at", "9pm", "18:30", "1", "May", "2026", "last", "monday", "ago", "hours",
     "2", "12.30", "noon", "/", "-", "T", "Z", "+01:00", "2026-05-01", "31/12/2025", "pm", "am", "0", "99"]
)  # fmt: skip


@given(st.one_of(st.text(max_size=80), st.lists(WORDS, max_size=6).map(" ".join)))
def test_parser_raises_only_input_errors(text: str) -> None:
    """Whatever is typed, the answer is a moment in the past or a readable InputError, never a crash."""
    try:
        got = parse(text, clock=CLOCK)
    except InputError:
        return
    assert got.at.tzinfo is not None
    assert got.at <= CLOCK + timedelta(minutes=5)


MOMENTS = st.datetimes(
    min_value=datetime(1970, 1, 1), max_value=datetime(2026, 11, 23), timezones=st.sampled_from([UTC, LONDON])
).map(lambda m: m.astimezone(UTC).astimezone(m.tzinfo))  # real instants only (no skipped clock times)


@given(MOMENTS)
def test_iso_datetimes_round_trip(moment: datetime) -> None:
    """An ISO 8601 time with an offset comes back as exactly the same instant."""
    got = parse(moment.isoformat(), clock=CLOCK)
    assert got.at.astimezone(UTC) == moment.astimezone(UTC) and got.time_known


@given(st.datetimes(min_value=datetime(1970, 1, 1), max_value=datetime(2026, 11, 23)))
def test_iso_local_times_keep_their_wall_clock(naive: datetime) -> None:
    """An ISO time without an offset is UK local time: same wall clock, or refused if the clocks skipped it."""
    try:
        got = parse(naive.isoformat(), clock=CLOCK)
    except InputError as exc:
        assert "clocks went forward" in exc.message
        return
    assert got.at.astimezone(LONDON).replace(tzinfo=None) == naive


@given(st.dates(min_value=datetime(1970, 1, 1).date(), max_value=datetime(2026, 11, 24).date()))
def test_iso_dates_round_trip(day: datetime) -> None:
    """An ISO date is that day in the UK, with the time marked as not known."""
    got = parse(day.isoformat(), clock=CLOCK)
    assert got.at.date() == day and not got.time_known


def test_fixed_offset_is_converted_to_uk_time() -> None:
    """A time given with another offset is shown in UK time, the same instant."""
    got = parse("2026-05-01T10:30:00-05:00", clock=CLOCK)
    assert got.at == datetime(2026, 5, 1, 10, 30, tzinfo=timezone(timedelta(hours=-5)))
    assert got.at.tzinfo is LONDON


def test_windows_installs_the_time_zone_database() -> None:
    """Windows has no time-zone database of its own: without the ``tzdata`` package, ``ZoneInfo("Europe/London")``
    fails when campaignsafe starts and no incident command runs. The package asks for it on Windows (it came only
    by way of psycopg's own requirements before)."""
    from importlib.metadata import requires

    from packaging.requirements import Requirement

    wanted = [Requirement(r) for r in requires("campaignsafe") or []]
    tzdata = [r for r in wanted if r.name == "tzdata"]
    assert tzdata and tzdata[0].marker is not None
    assert tzdata[0].marker.evaluate({"sys_platform": "win32"})
    assert not tzdata[0].marker.evaluate({"sys_platform": "linux"})


@pytest.mark.parametrize(
    ("text", "iso"),
    [
        ("2025-10-26 01:30 GMT", "2025-10-26T01:30:00+00:00"),
        ("Sun 26 Oct 2025 01:30 GMT", "2025-10-26T01:30:00+00:00"),
        ("2025-10-26 01:30bst", "2025-10-26T01:30:00+01:00"),
        ("1 July 2026 12:00 UTC", "2026-07-01T13:00:00+01:00"),
    ],
)
def test_a_time_can_be_typed_as_it_is_shown_in_the_repeated_hour(text: str, iso: str) -> None:
    """The repeated hour is shown as "01:30 GMT"; typing that back was "not a date and time I understand"."""
    assert parse(text, clock=CLOCK).at.isoformat() == iso


@pytest.mark.parametrize(
    ("text", "iso"),
    [
        ("2026-03-29 01:30 UTC", "2026-03-29T02:30:00+01:00"),
        ("29 March 2026 01:30 utc", "2026-03-29T02:30:00+01:00"),
    ],
)
def test_a_zoned_time_in_the_hour_the_clocks_skip_is_that_zones_time(text: str, iso: str) -> None:
    """No UK clock showed 01:30 on the night the clocks went forward, but 01:30 UTC (a platform's log, say)
    happened: it was refused as "that time did not happen in the UK". A zone word reads the clock as that zone's."""
    assert parse(text, clock=CLOCK).at.isoformat() == iso
    with pytest.raises(InputError, match="did not happen in the UK"):
        parse(text.rsplit(" ", 1)[0], clock=CLOCK)  # without the zone it is UK time, which skipped it


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("2026-05-01 GMT", "GMT goes with a time of day"),  # a day alone
        ("yesterday UTC", "UTC goes with a time of day"),  # was "not a date and time I understand"
        ("2 days ago bst", "BST goes with a time of day"),
        ("2026-07-01 12:00 GMT", "the UK kept BST, not GMT"),  # meant as UK time, most often: not moved an hour
        ("today 10:05 BST", "the UK kept GMT, not BST"),
        ("2026-05-01T18:30+01:00 GMT", "an offset or GMT, not both"),
        # offsets written other ways were dropped, the clock read as the zone's: stored an hour off
        ("2026-05-01T18:30+01 UTC", "an offset or UTC, not both"),
        ("2026-05-01T18:30:00+01:00:00 UTC", "an offset or UTC, not both"),
        ("20260501T1830+0100 UTC", "an offset or UTC, not both"),
        ("2026-05-01 18:30Z UTC", "an offset or UTC, not both"),
        # a second zone word was applied too: "18:30 UTC UTC" was stored as 19:30 UTC
        ("2026-05-01 18:30 UTC UTC", "one zone"),
        ("2026-05-01 18:30 BST UTC", "one zone"),
        # in the hour the clocks skip, 01:30 GMT is 01:30 UTC (the UK was on BST) and 01:30 BST is 00:30 UTC (GMT)
        ("2026-03-29 01:30 GMT", "the UK kept BST, not GMT"),
        ("29 March 2026 01:30 BST", "the UK kept GMT, not BST"),
    ],
)
def test_a_zone_the_uk_did_not_keep_then_is_refused_not_applied(text: str, why: str) -> None:
    """ "2026-07-01 12:00 GMT" was stored as 13:00 BST, an hour from what was typed, and an offset beside a zone was
    silently dropped."""
    with pytest.raises(InputError, match=why):
        parse(text, clock=CLOCK)


@pytest.mark.parametrize("zone", ["UTC", "GMT", "BST", "utc"])
@pytest.mark.parametrize(
    ("text", "back"),
    [("now", 0), ("just now", 0), ("2 hours ago", 120), ("45 mins ago", 45), ("now,", 0), ("2 hours ago,", 120)],
)
def test_a_zone_word_after_a_relative_time_changes_nothing(text: str, back: int, zone: str) -> None:
    """In summer "now UTC" read London's clock (14:00 BST) as 14:00 UTC and was refused as the future, and
    "2 hours ago UTC" was stored an hour late; in winter "just now BST" was refused. Counted back from the clock,
    the moment is the same in every zone (with a comma before the zone too: "2 hours ago, UTC" was an hour late)."""
    for clock in (CLOCK, datetime(2026, 7, 1, 14, 0, tzinfo=LONDON)):
        assert parse(f"{text} {zone}", clock=clock).at == clock - timedelta(minutes=back)


@pytest.mark.parametrize(
    ("text", "iso"),
    [("2026-05-01 18.30", "2026-05-01T18:30:00+01:00"), ("2026-05-01T8.05", "2026-05-01T08:05:00+01:00"),
     ("2026-05-01 18.30 UTC", "2026-05-01T19:30:00+01:00"), ("2026-05-01 18.30+00:00", "2026-05-01T19:30:00+01:00")],
)  # fmt: skip
def test_a_date_then_a_time_with_a_dot_is_that_time_not_a_fraction_of_an_hour(text: str, iso: str) -> None:
    """Python reads "2026-05-01 18.30" as 18:00 and 0.3 of a second: stored half an hour early, with no word."""
    assert parse(text, clock=CLOCK).at.isoformat() == iso
    with pytest.raises(InputError, match="not a date and time"):
        parse("2026-05-01 18.3", clock=CLOCK)  # 18:00:00.3, or 18:03, or 18:30? refused


def test_a_lower_case_z_is_utc_as_an_upper_case_one() -> None:
    """``2026-05-01 18:30z`` was "not a date and time I understand" while ``18:30Z`` was UTC."""
    assert parse("2026-05-01 18:30z", clock=CLOCK).at == parse("2026-05-01 18:30Z", clock=CLOCK).at
    assert parse("2026-05-01T18:30z", clock=CLOCK).at.isoformat() == "2026-05-01T19:30:00+01:00"


def test_before_compares_instants_in_the_repeated_hour() -> None:
    """London times were compared by their clocks, which ignores fold: a report at 01:45 BST was taken as after an
    incident at 01:30 GMT (it is 45 minutes before it), and 01:10 GMT as before 01:30 BST (40 minutes after)."""
    gmt_0130 = parse("2025-10-26T01:30+00:00", clock=CLOCK)
    bst_0145 = parse("2025-10-26T01:45+01:00", clock=CLOCK).at
    assert before(bst_0145, gmt_0130)
    bst_0130 = parse("2025-10-26 01:30", clock=CLOCK)
    gmt_0110 = parse("2025-10-26T01:10+00:00", clock=CLOCK).at
    assert not before(gmt_0110, bst_0130)


def test_before_is_to_the_minute_as_times_are_shown() -> None:
    """An incident at 18:30:30 and a report at 18:30 were refused as "before the incident happened (… 18:30)"."""
    incident = When(datetime(2026, 5, 1, 18, 30, 30, tzinfo=LONDON))
    assert not before(datetime(2026, 5, 1, 18, 30, tzinfo=LONDON), incident)
    assert before(datetime(2026, 5, 1, 18, 29, 59, tzinfo=LONDON), incident)


@given(st.datetimes(min_value=datetime(2020, 1, 1), max_value=datetime(2030, 1, 1)), st.integers(-7200, 7200))
def test_before_agrees_with_the_instants(moment: datetime, seconds: int) -> None:
    """For an incident on the minute, in any hour (the repeated ones too), a report is before it exactly when it
    is earlier as an instant."""
    incident = moment.replace(second=0, microsecond=0, tzinfo=UTC).astimezone(LONDON)
    report = (incident.astimezone(UTC) + timedelta(seconds=seconds)).astimezone(LONDON)
    assert before(report, When(incident)) == (seconds < 0)


@pytest.mark.parametrize(
    ("clock", "text", "utc"),
    [
        ("2026-03-29T02:30:00+00:00", "2 hours ago", "2026-03-29T00:30:00+00:00"),  # the clocks went forward at 01:00
        ("2026-10-25T01:30:00+00:00", "60 minutes ago, UTC", "2026-10-25T00:30:00+00:00"),  # back at 02:00 BST
        ("2026-10-25T01:30:00+00:00", "2 hours ago", "2026-10-24T23:30:00+00:00"),
        ("2026-10-25T01:10:00+00:00", "45 mins ago", "2026-10-25T00:25:00+00:00"),
    ],
)
def test_time_ago_counts_back_on_the_real_clock_across_a_change_of_the_clocks(clock: str, text: str, utc: str) -> None:
    """ "2 hours ago" subtracted from London's clock face: across the night the clocks change it was stored an
    hour (in October up to two) from the moment meant."""
    got = parse(text, clock=datetime.fromisoformat(clock)).at
    assert got.astimezone(UTC).isoformat() == utc


def test_a_utc_time_in_the_repeated_hour_is_read_back_with_one_zone() -> None:
    """`2026-10-25 01:30 UTC` was read back "01:30 GMT UK time": the zone said twice."""
    from campaignsafe.incidents.questions import BY_ID

    check = BY_ID["when"].check
    assert check is not None
    assert check("2026-10-25 01:30 UTC", {})[1] == "Sun 25 Oct 2026 01:30 GMT"
    assert check("2026-05-01 17:30 UTC", {})[1] == "Fri 1 May 2026 18:30 UK time"
