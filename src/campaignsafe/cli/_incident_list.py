"""``incidents list``: the table and the JSON, written straight from the listing query's rows.

No objects are built per row and no pydantic is loaded: each row is formatted from its columns,
and what repeats (report labels, kind labels, force names) is worked out once.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from json.encoder import encode_basestring  # the C encoder json.dumps(ensure_ascii=False) uses
from typing import Any

from campaignsafe.cli._panel import BOLD, cut_at_width, style, text_width
from campaignsafe.jsontext import escape_unsafe

#: ``incidents list --json``: the keys of each incident, in order (see ``listing.Summary``).
KEYS = (
    "id",
    "occurred_at",
    "time_known",
    "kind",
    "place",
    "postcode",
    "force_id",
    "force_name",
    "force_source",
    "evidence_count",
    "reported_to",
    "police_reported",
    "amendments",
    "recorded_by",
)


def _lines(keys: Sequence[str]) -> str:
    return ",\n".join(f'      "{k}": %s' for k in keys)


#: an incident's object with its middle (time_known … force_source, which repeat from row to row) as one value
_ROW = "    {\n" + _lines(KEYS[:2]) + ",\n%s,\n" + _lines(KEYS[9:]) + "\n    }"
_MIDDLE = _lines(KEYS[2:9])
#: the same on a server store with campaigns: each incident's campaign last.
_ROW_CAMPAIGN = _ROW[: -len("\n    }")] + ',\n      "campaign": %s\n    }'


def _s(value: str | None) -> str:
    return "null" if value is None else escape_unsafe(encode_basestring(value))


def _count(value: Any) -> int | str:
    """A stored count that is not an integer: as one if it reads as one, else ``null`` (damaged: not known)."""
    try:
        return int(value)
    except (TypeError, ValueError, OverflowError):
        return "null"


def _list(items: list[str]) -> str:
    if not items:
        return "[]"
    return "[\n" + ",\n".join("        " + escape_unsafe(encode_basestring(i)) for i in items) + "\n      ]"


def json_text(
    rows: Sequence[Sequence[Any]],
    mine: str | None = None,
    recorded_by: dict[int, str | None] | None = None,
    campaigns: dict[int, str] | None = None,
    theirs: dict[int, str] | None = None,
) -> str:
    """The document ``json.dumps({"schema_version": 1, "incidents": [...]}, indent=2)`` would give, faster.

    ``rows`` are ``listing.SUMMARY_SQL`` rows; ``mine`` is the profile's force, for incidents with
    no place-based force (``listing.force_of``); ``recorded_by`` (id → initials) names who recorded
    an imported incident, and ``theirs`` (id → force, ``""`` when not known) the force in their profile, which
    is theirs instead; ``campaigns`` (id → name, on a server store with campaigns) adds each one's campaign.
    """
    from campaignsafe.incidents.listing import Labels, force_of

    by, their = recorded_by or {}, theirs or {}

    labels = Labels()
    forces: dict[tuple[Any, Any, bool, str | None], tuple[str | None, str | None, str | None]] = {}

    def force(r: Sequence[Any], whose: str | None) -> tuple[str | None, str | None, str | None]:
        key = (r[6], r[7], bool(r[5]), whose)
        if key not in forces:  # another person's incident takes their profile's force, never this profile's
            forces[key] = force_of(r[6], r[7], r[5], mine if whose is None else whose or None)
        return forces[key]

    if not rows:
        return '{\n  "schema_version": 1,\n  "incidents": []\n}\n'
    texts: dict[str | None, str] = {}  # kinds, places, postcodes and forces repeat: each encoded once
    reported: dict[str, str] = {}

    def s(value: str | None) -> str:
        got = texts.get(value)
        if got is None:
            got = texts[value] = _s(value)
        return got

    bools = ("false", "true")
    middles: dict[Sequence[Any], str] = {}
    items: list[str] = []
    # the loop below runs once a row: names bound locally, each repeating value worked out once
    append, middle_of, routes_of, by_id = items.append, middles.get, reported.get, by.get
    row_text = _ROW_CAMPAIGN if campaigns else _ROW
    for r in rows:
        whose = their.get(r[0], "") if r[0] in by else None  # None: recorded here
        # time_known … force_name: what the middle of the object is made of (and whose: another person's
        # incident takes their profile's force, never this profile's)
        key: Sequence[Any] = r[2:8] if whose is None else (*r[2:8], whose)
        middle = middle_of(key)
        if middle is None:
            middle = middles[key] = _MIDDLE % (
                bools[bool(r[2])], s(r[3]), s(r[4]), s(r[5]), *map(s, force(r, whose))
            )  # fmt: skip
        routes = routes_of(r[9])
        if routes is None:
            routes = reported[r[9]] = _list(labels(r[9]))
        iid = r[0]
        who = by_id(iid)
        at = r[1]
        if type(at) is str and at.endswith("+00:00"):
            at = at[:-6] + "Z"  # as every other JSON of campaignsafe's writes a moment in GMT
        values = (
            iid,
            _s(at),
            middle,
            r[8],
            routes,
            bools[bool(r[10])],
            r[11] if type(r[11]) is int else _count(r[11]),
            "null" if who is None else s(who),
        )
        append(row_text % (*values, s(campaigns.get(iid))) if campaigns else row_text % values)
    return '{\n  "schema_version": 1,\n  "incidents": [\n' + ",\n".join(items) + "\n  ]\n}\n"


def show(
    since: str | None, until: str | None, kinds: Sequence[str], force: str | None, unreported: bool, json_out: bool
) -> None:
    """``incidents list`` with these options: the JSON or the table, on stdout (both command paths run this)."""
    from campaignsafe.incidents import listing

    flt = listing.make_filter(since, until, kinds, force, unreported)
    rows, recorders, campaigns = listing.list_rows(flt, listing.SUMMARY_SQL if json_out else listing.TABLE_SQL)
    by = {i: who for i, (who, _force) in recorders.items()}
    theirs = {i: force for i, (_who, force) in recorders.items()}
    if not rows and not json_out and (since or until or kinds or force or unreported):
        everything = listing.make_filter(None, None, [], None, False)
        total = len(listing.list_rows(everything, listing.IDS_SQL)[0])
        if total:  # the filters matched nothing: the record is not empty, and must not be said to be
            print(f"No incidents match these filters ({total} recorded). See them all: campaignsafe incidents list")
            return
    try:
        if json_out:
            sys.stdout.write(json_text(rows, flt.profile_force_id, by, campaigns, theirs))
        else:
            from campaignsafe.cli._incident_view import width

            recorded = {i: who or "?" for i, who in by.items()}
            print_table(rows, width(), flt.profile_force_id, recorded, campaigns, theirs)
    except TypeError as exc:  # a listed column changed in the store to bytes (a BLOB)
        raise listing.unreadable(exc, rows) from None


def print_table(
    rows: Sequence[Sequence[Any]],
    total: int,
    mine: str | None = None,
    recorded_by: dict[int, str] | None = None,
    campaigns: dict[int, str] | None = None,
    theirs: dict[int, str] | None = None,
) -> None:
    """The incidents as a table (id, when, kind, place, force, evidence, reported to); ``listing.TABLE_SQL`` rows.

    ``mine`` is the profile's force (marked ``*``); ``recorded_by`` (id → initials) adds a "By" column
    for incidents imported from someone else's record; ``campaigns`` (id → name) a "Campaign" column,
    when the rows are of more than one campaign (an HQ role's).
    """
    from campaignsafe.incidents import kinds
    from campaignsafe.incidents.controls import printable
    from campaignsafe.incidents.listing import routes_text

    if not rows:
        print("No incidents recorded. Record one: campaignsafe report")
        return
    short: dict[str | None, str] = {}
    kind_labels: dict[str, str] = {}
    reported_text: dict[str, str] = {}
    places: dict[str, str] = {}
    cells = []
    from_profile = False
    imported = recorded_by or {}
    for iid, occurred, time_known, kind, place, force_id, force_name, evidence_count, reports in rows:
        mark = ""
        # no place-based force: the profile's (force_of); for another person's incident (imported), the force in
        # their profile, never this one's
        fallback = (theirs or {}).get(iid) if iid in imported else mine
        if force_id is None and fallback:
            from campaignsafe.incidents.listing import known_force

            name = known_force(fallback)
            if name:  # one campaignsafe does not know (a profile edited by hand) is no force
                force_id, force_name, mark, from_profile = fallback, name, "*", True
        if force_id not in short:
            short[force_id] = printable(_short_force(force_id, force_name))  # a stored value: escaped as the place is
        if kind not in kind_labels:
            kind_labels[kind] = kinds.label(kind)
        if reports not in reported_text:
            reported_text[reports] = printable(routes_text(reports))
        when = occurred[:16].replace("T", " ") if time_known else occurred[:10]
        if time_known and occurred[11:13] == "01" and occurred[5:7] == "10" and occurred[8:10] >= "25":
            from campaignsafe.incidents.when import listed

            when = listed(occurred)  # maybe the hour the clocks go back: say BST or GMT
        cells.append(
            [
                str(iid),
                when,
                kind_labels[kind],
                places.get(place) or places.setdefault(place, _one_line(printable(place))),
                short[force_id] + mark,
                str(evidence_count),
                reported_text[reports],
            ]
        )
    headers = ["Id", "When", "Kind", "Place", "Force", "Ev.", "Reported to"]
    fixed, right = {0, 1, 5}, {0, 5}
    extra: list[str] = []  # the columns after the id: who recorded it, its campaign
    several = campaigns if len(set((campaigns or {}).values())) > 1 else None  # an HQ role's rows
    for label, header, given, default in (
        ("by", "By", recorded_by, "" if several else "you"),  # HQ recorded none of them
        ("campaign", "Campaign", several, ""),
    ):
        if not given:
            continue
        at = 1 + len(extra)
        headers.insert(at, header)
        for (iid, *_), row in zip(rows, cells, strict=True):
            row.insert(at, _one_line(printable(given.get(iid, default))))
        extra.append(label)
        fixed = {i if i < at else i + 1 for i in fixed} | ({at} if label == "by" else set())
        right = {i if i < at else i + 1 for i in right}
    if total < 80 and not fits_whole(headers, cells, total):
        lines = stacked(cells, total, extra)  # a narrow terminal: no word is split across lines
    else:
        lines = table(headers, cells, total, fixed=fixed, right=right)
    from campaignsafe.cli._panel import lay_out

    if from_profile:
        whose = "the recording person's profile (yours, or for an imported one theirs)" if imported else "your profile"
        lines += lay_out(f"* the force from {whose}: no postcode or force was given for the place.", total, 2)
    lines += lay_out(
        f"{len(rows)} incident{'' if len(rows) == 1 else 's'}. Details: campaignsafe incidents show ID", total
    )
    sys.stdout.write("\n".join(lines) + "\n")


def fits_whole(headers: list[str], rows: list[list[str]], total: int) -> bool:
    """Whether the table fits ``total`` columns with no word of any cell or heading split."""
    longest = [max(len(w) for w in h.split()) for h in headers]
    for row in rows:
        for i, cell in enumerate(row):
            longest[i] = max(longest[i], max((text_width(w) for w in cell.split()), default=0))
    return sum(longest) + 2 * (len(headers) - 1) <= total


def stacked(rows: list[list[str]], total: int, extra: Sequence[str] = ()) -> list[str]:
    """Each incident on two lines or more, for a terminal too narrow for the table:
    ``  1  2026-05-01 18:30  Threats`` then ``High Street · Kent Police · 2 exhibits · reported: 101``
    (``extra``: the labels of the columns after the id, ``by`` and ``campaign``, said after the kind)."""
    from campaignsafe.cli._panel import lay_out

    out = []
    for row in rows:
        iid, said, rest = row[0], row[1 : 1 + len(extra)], row[1 + len(extra) :]
        when, kind, place, force, evidence, reported = rest
        room = max(8, total - 5)  # a word of what was typed wider than a line is cut, as the table cuts it
        pairs = zip(extra, said, strict=True)
        more = "".join(f" · {label} {' '.join(_fold_by_width(value, room))}" for label, value in pairs if value)
        head = lay_out(f"{when}  {kind}{more}", total, 5, 5)
        n = int(evidence)
        told = "not reported" if reported in ("", "-") else f"reported: {reported}"
        tail = [" ".join(_fold_by_width(place, room)), force, f"{n} exhibit{'' if n == 1 else 's'}", told]
        out += [f"{iid:>3}  {head[0]}", *head[1:]]
        folded = lay_out(" · ".join(x for x in tail if x), total, 5, 5)
        out += ["     " + line.lstrip() for line in folded if line.strip()]  # (a word of its own leaves a blank)
    return out


def _short_force(force_id: str | None, name: str | None) -> str:
    """The force as the table names it: its short name (``Met``, ``PSNI``), else its name without
    "Police" or "Constabulary" at the end (``Kent``, ``Avon and Somerset``): the column is headed Force."""
    from campaignsafe.contact.forces import force_routes

    if not force_id:
        return ""
    routes = force_routes(force_id) or {}
    short = routes.get("short_name")
    if short:
        return str(short)
    full = str(name or force_id)
    plain = full.split(" (", 1)[0]  # "Guernsey Police (Bailiwick Law Enforcement)"
    for suffix in (" Police", " Constabulary"):
        if plain.endswith(suffix) and plain != suffix.strip():
            return plain[: -len(suffix)]
    return full


def column_widths(
    headers: list[str], rows: list[list[str]], total: int, fixed: set[int]
) -> tuple[list[int], list[int]]:
    """Each column's width in a table of ``total`` columns, and the width it would take unfolded.

    While the table is too wide, the column narrowed by one is the one whose narrowing adds the fewest
    lines (a heading that folds costs one line; ``Reported to`` gives way before a place), the widest
    of equals; none goes below its longest word while another can give way (then the column with the
    longest word gives), nor ``fixed`` ones at all.
    """
    # each column's distinct cells (kinds, places and forces repeat): the widths are the same, found sooner
    columns = [list(set(col)) for col in zip(*rows, strict=True)] or [[] for _ in headers]
    natural = [max(len(h), _widest(col)) for h, col in zip(headers, columns, strict=True)]
    widths = list(natural)
    room = total - 2 * (len(headers) - 1)
    flexible = [i for i in range(len(headers)) if i not in fixed]
    words = {i: max((text_width(w) for c in (headers[i], *columns[i]) for w in c.split()), default=0) for i in flexible}
    if sum(widths) > room:
        lines_of = _line_counter(headers, rows, flexible)
        while sum(widths) > room:
            give = [i for i in flexible if widths[i] > max(6, words[i])]
            if give:
                widths[min(give, key=lambda i: (lines_of(widths, i), -widths[i]))] -= 1
                continue
            # a word must be split: the longest one, which reads badly in any width, rather than a short one
            give = [i for i in flexible if widths[i] > 6]
            if not give:
                break
            widths[min(give, key=lambda i: (-words[i], lines_of(widths, i), -widths[i]))] -= 1
    return widths, natural


def _one_line(text: str) -> str:
    """A cell's text with each run of whitespace (a tab, a line break) as one space, as the Markdown report has
    it: a tab would throw the columns out of line, and the full text is in ``incidents show``."""
    return " ".join(text.split())


def table(headers: list[str], rows: list[list[str]], total: int, fixed: set[int], right: set[int]) -> list[str]:
    """A plain text table in ``total`` columns: ``fixed`` columns never wrap, the others fold.

    Drawn without rich; a row whose cells all fit is one ``str.format`` call, so a list of
    thousands of incidents prints in a fraction of the time.
    """
    widths, natural = column_widths(headers, rows, total, fixed)
    line = "  ".join(f"{{{i}:{'>' if i in right else '<'}{w}}}" for i, w in enumerate(widths))
    narrowed = [i for i, (w, n) in enumerate(zip(widths, natural, strict=True)) if w < n]
    import textwrap  # the table's only: ``--json`` never loads it

    folded: dict[tuple[str, int], list[str]] = {}  # the same place or force folds the same way every time

    def fold(text: str, width: int) -> list[str]:
        got = folded.get((text, width))
        if got is None:
            if text.isascii() or text_width(text) == len(text):
                got = textwrap.wrap(text, width, break_on_hyphens=False) or [""]
            else:  # wide characters: folded by the columns they take
                got = _fold_by_width(text, width)
            folded[(text, width)] = got
        return got

    heads = [fold(h, widths[i]) for i, h in enumerate(headers)]  # a heading folds like a cell: none is wider
    out = [
        "  ".join(style((c[n] if n < len(c) else "").ljust(widths[i]), BOLD) for i, c in enumerate(heads)).rstrip()
        for n in range(max(map(len, heads)))
    ]
    for row in rows:
        plain = "".join(row).isascii()  # a character a column: str.format, len and textwrap count right
        if plain and not any(len(row[i]) > widths[i] for i in narrowed):
            out.append(line.format(*row).rstrip())
            continue
        size = len if plain else text_width
        folds = [[c] if size(c) <= widths[i] else fold(c, widths[i]) for i, c in enumerate(row)]
        for n in range(max(len(c) for c in folds)):
            parts = []
            for i, c in enumerate(folds):
                text = c[n] if n < len(c) else ""
                w = widths[i] if plain else widths[i] - text_width(text) + len(text)  # ljust counts characters
                parts.append(text.rjust(w) if i in right else text.ljust(w))
            out.append("  ".join(parts).rstrip())
    return out


def _widest(column: Sequence[str]) -> int:
    """The columns the widest cell takes (characters, but two for a wide one)."""
    widest = max(map(len, column), default=0)
    wide = [c for c in column if not c.isascii()]
    return max(widest, max(map(text_width, wide), default=0)) if wide else widest


def _fold_by_width(text: str, width: int) -> list[str]:
    """``text`` folded at spaces into lines of at most ``width`` terminal columns, a word wider than that cut."""
    out: list[str] = []
    line = ""
    for word in text.split():
        while text_width(word) > width:  # cut: Chinese or Japanese has no spaces to fold at
            room = width - text_width(line) - 1 if line else width
            if room < 1:
                out.append(line)
                line, room = "", width
            head, word = cut_at_width(word, room)
            out.append(f"{line} {head}" if line else head)
            line = ""
        if not line:
            line = word
        elif text_width(line) + 1 + text_width(word) <= width:
            line = f"{line} {word}"
        else:
            out.append(line)
            line = word
    if line or not out:
        out.append(line)
    return out


#: rows the table's column widths are chosen on (the last ones: a long list's end is what stays on screen)
_SAMPLE = 200


def _line_counter(headers: list[str], rows: list[list[str]], flexible: list[int]) -> Callable[[list[int], int], int]:
    """``lines(widths, i)``: how many lines the headings and the last rows take with column ``i`` one narrower."""
    from collections import Counter

    seen = Counter(tuple(row[i] for i in flexible) for row in rows[-_SAMPLE:])
    seen[tuple(headers[i] for i in flexible)] += 1
    known: dict[tuple[str, int], int] = {}

    def need(text: str, width: int) -> int:  # lines of ``text`` folded at word boundaries into ``width``
        got = known.get((text, width))
        if got is None:
            got, used = 1, -1
            for word in text.split():
                size = text_width(word)
                if used + 1 + size <= width:
                    used += 1 + size
                else:
                    got, used = (got + 1, size) if used >= 0 else (got, size)
                    got += max(0, -(-size // width) - 1)  # a word longer than the column is broken
            known[(text, width)] = got
        return got

    def lines(widths: list[int], narrower: int) -> int:
        w = [widths[i] - (i == narrower) for i in flexible]
        return sum(n * max(need(c, wi) for c, wi in zip(texts, w, strict=True)) for texts, n in seen.items())

    return lines
