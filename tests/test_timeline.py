"""The course-of-conduct summary that makes escalation visible."""

from __future__ import annotations

from datetime import datetime

from campaignsafe.exports.timeline import summarise, svg

EVENTS = [
    (datetime(2026, 1, 5), "online-abuse"),
    (datetime(2026, 3, 5), "threats"),
    (datetime(2026, 3, 9), "online-abuse"),
    (datetime(2026, 4, 1), "harassment"),
    (datetime(2026, 4, 2), "harassment"),
]


def test_summary_counts_by_kind_and_every_month() -> None:
    """Counts per kind, and every month in the period, including quiet ones."""
    s = summarise(EVENTS)
    assert s.total == 5 and s.first == datetime(2026, 1, 5) and s.last == datetime(2026, 4, 2)
    assert s.months == ["2026-01", "2026-02", "2026-03", "2026-04"]
    assert dict(s.by_kind) == {"online-abuse": 2, "harassment": 2, "threats": 1}
    assert sum(s.by_month["2026-02"].values()) == 0


def test_svg_is_inline_and_labelled() -> None:
    """The chart is plain SVG with a bar per incident kind per month and readable labels."""
    out = svg(summarise(EVENTS), {"online-abuse": "Online abuse", "threats": "Threats & <calls>"})
    assert out.startswith("<svg") and "<script" not in out
    assert "Online abuse" in out and "Threats &amp; &lt;calls&gt;" in out
    assert out.count("<rect") == 4 + 3  # bars + legend swatches


def test_nothing_to_chart() -> None:
    """No incidents, no chart."""
    assert svg(summarise([]), {}) == ""
