"""``incidents list`` formats rows straight from the query: the same text as the objects would give."""

from __future__ import annotations

import json
import sqlite3
import textwrap

from hypothesis import given, settings
from hypothesis import strategies as st

from campaignsafe.cli._incident_list import column_widths, json_text, table
from campaignsafe.incidents.listing import _ROUTES, Labels, force_of, routes_text

text = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=30)
maybe = st.none() | text
#: report fields hold no control characters (the records refuse them)
clean = st.none() | st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), max_size=30)
reports = st.lists(
    st.fixed_dictionaries(
        {"to": st.sampled_from(["999", "101", "online", "police", "platform", "other"])},
        optional={"platform": clean, "reference": clean},
    ),
    max_size=3,
).map(json.dumps)
row = st.tuples(
    st.integers(1, 2**63 - 1), text, st.booleans(), text, text, maybe, maybe, maybe,
    st.integers(0, 10**6), reports, st.booleans(), st.integers(0, 10**6),
)  # fmt: skip


def _expected(rows: list[tuple[object, ...]], by: dict[int, str] | None = None) -> str:
    labels = Labels()
    by = by or {}
    keys = ["id", "occurred_at", "time_known", "kind", "place", "postcode"]
    items = []
    for r in rows:
        item = dict(zip(keys, r[:6], strict=True))
        fid, name, source = force_of(r[6], r[7], r[5], None)  # type: ignore[arg-type]
        item.update(force_id=fid, force_name=name, force_source=source)
        item.update(evidence_count=r[8], reported_to=labels(str(r[9])), police_reported=r[10], amendments=r[11])
        item.update(recorded_by=by.get(r[0]))
        items.append(item)
    from campaignsafe.jsontext import json_text as print_json_text  # what every other --json prints

    return print_json_text({"schema_version": 1, "incidents": items}, indent=2) + "\n"


@settings(max_examples=200, deadline=None)
@given(st.lists(row, max_size=6))
def test_list_json_is_what_json_dumps_gives(rows: list[tuple[object, ...]]) -> None:
    """Any text at all in any field (quotes, newlines, emoji, controls): the JSON is json.dumps's with the characters
    every --json escapes escaped (jsontext), and parses back."""
    got = json_text(rows)
    assert got == _expected(rows)
    assert len(json.loads(got)["incidents"]) == len(rows)
    if rows:  # an imported incident names its recorder; the others say null
        by = {rows[0][0]: "SJ"}
        assert json_text(rows, recorded_by=by) == _expected(rows, by)


def _slow_table(headers: list[str], rows: list[list[str]], total: int, right: set[int], fixed: set[int]) -> list[str]:
    """The table as it was drawn cell by cell before the fast path (the same widths)."""
    widths, _natural = column_widths(headers, rows, total, fixed)
    heads = [textwrap.wrap(h, widths[i], break_on_hyphens=False) or [""] for i, h in enumerate(headers)]
    out = [
        "  ".join((c[n] if n < len(c) else "").ljust(widths[i]) for i, c in enumerate(heads)).rstrip()
        for n in range(max(map(len, heads)))
    ]
    for row in rows:
        cells = [
            [c] if len(c) <= widths[i] else textwrap.wrap(c, widths[i], break_on_hyphens=False) or [""]
            for i, c in enumerate(row)
        ]
        for n in range(max(len(c) for c in cells)):
            parts = [
                (c[n] if n < len(c) else "").rjust(widths[i])
                if i in right
                else (c[n] if n < len(c) else "").ljust(widths[i])
                for i, c in enumerate(cells)
            ]
            out.append("  ".join(parts).rstrip())
    return out


cell = st.text(st.sampled_from("ab c-é"), max_size=40)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.lists(cell, min_size=4, max_size=4), max_size=8), st.integers(30, 120))
def test_table_fast_path_draws_the_same_table(rows: list[list[str]], total: int) -> None:
    """Rows that fit and rows that fold, at any width: the same lines as drawing every cell."""
    headers = ["Id", "When", "Place", "Ev."]
    assert table(headers, rows, total, fixed={0, 1}, right={0, 3}) == _slow_table(headers, rows, total, {0, 3}, {0, 1})


@settings(max_examples=200, deadline=None)
@given(reports)
def test_table_routes_from_sql_match_the_report_labels(reports_json: str) -> None:
    """The table's 'Reported to', worked out inside SQLite, names each route as the report labels do."""
    conn = sqlite3.connect(":memory:")
    (routes,) = conn.execute(f"SELECT {_ROUTES} FROM (SELECT ? AS reports) i", (reports_json,)).fetchone()
    labels = Labels()(reports_json)
    assert routes_text(routes) == (", ".join(dict.fromkeys(x.split(" (ref")[0] for x in labels)) or "-")


HEADERS = ["Id", "When", "Kind", "Place", "Force", "Ev.", "Reported to"]
REALISTIC = [
    [str(n), "2026-05-01 18:30", kind, place, force, "2", reported]
    for n, (kind, place, force, reported) in enumerate(
        [
            ("Threats", "High Street", "Met", "101"),
            ("Online abuse", "Princes Street", "Police Scotland", "-"),
            ("Harassment", "Queen Street", "South Wales", "-"),
            ("In-person abuse", "online", "", "101"),
            ("Stalking or following", "Market Square", "Avon and Somerset", "999, platform"),
        ]
        * 4,
        1,
    )
]


def test_at_80_columns_the_heading_gives_way_before_the_places() -> None:
    """At 80 columns "Reported to" folds under its heading rather than a street name being cut in two,
    and the table takes fewer lines than narrowing the widest column first did."""
    lines = table(HEADERS, REALISTIC, 80, fixed={0, 1, 5}, right={0, 5})
    assert lines[0].endswith("Reported") and lines[1].strip() == "to"
    assert all(len(line) <= 80 for line in lines)
    body = "\n".join(lines)
    assert "Queen Street" in body and "High Street" in body  # each on one line
    widest_first = 1 + len(REALISTIC) * 2  # every row folded in two, as before
    assert len(lines) < widest_first - 5


@settings(max_examples=200, deadline=None)
@given(st.lists(st.lists(cell, min_size=4, max_size=4), min_size=1, max_size=8), st.integers(20, 120))
def test_column_widths_fit_when_they_can_and_keep_words_whole_while_another_can_give(
    rows: list[list[str]], total: int
) -> None:
    """The widths fit ``total`` unless every flexible column is down to 6; none is wider than it needs."""
    headers = ["Id", "When", "Place", "Ev."]
    widths, natural = column_widths(headers, rows, total, {0, 1})
    assert all(w <= n for w, n in zip(widths, natural, strict=True)) and widths[:2] == natural[:2]
    if sum(widths) + 2 * 3 > total:
        assert widths[2] <= 6 and widths[3] <= 6


def test_del_is_escaped_though_it_is_ascii() -> None:
    """DEL (U+007F) is the one character to escape that ASCII holds: text that is ASCII otherwise must still be
    searched (the shortcut for ASCII text left it raw in the list's JSON, where a terminal would act on it)."""
    from campaignsafe.jsontext import escape_unsafe

    assert escape_unsafe('"a\x7fb"') == '"a\\u007fb"'
    assert escape_unsafe('"plain"') == '"plain"'
    row = (1, "2026-05-01T18:30:00+01:00", True, "threats", "High St\x7f", None, None, None, 0, "[]", False, 0)
    assert '"place": "High St\\u007f"' in json_text([row])
