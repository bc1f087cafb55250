"""The human report as Markdown that reads well as plain text (wrapped at 78 columns).

Written in pieces, so a report of any length streams: :func:`head` (the cover and the course
of conduct), one :func:`chrono` line per incident, :data:`MIDDLE`, one :func:`incident` each,
then :func:`tail`.

What the user typed is escaped just enough that a Markdown viewer shows it exactly as typed
(no headings, lists, links, emphasis or HTML made from it), while the plain text stays readable.
"""

from __future__ import annotations

import textwrap

from campaignsafe.exports import statement as st
from campaignsafe.exports import views as vw
from campaignsafe.mdtext import WIDTH, esc, wrap


def _cell(text: str) -> str:
    return " ".join(esc(text).split()).replace("|", "\\|")


def _rows(rows: list[tuple[str, str]]) -> list[str]:
    out: list[str] = []
    for label, value in rows:
        out += wrap(value, f"- {label}: ", "  ")
    return out


def _text(lines: list[str]) -> str:
    return "".join(line + "\n" for line in lines)


def head(cover: vw.CoverView, conduct: vw.ConductView) -> str:
    """The cover and the course of conduct, up to the chronological index."""
    return _text(_cover(cover) + _conduct(conduct))


def chrono(r: vw.ChronoRow) -> str:
    """One incident's line in the chronological index."""
    flags = f"; {r.exhibits} exhibit" + ("" if r.exhibits == 1 else "s")
    flags += "; amended" if r.amended else ""
    text = f"{r.when}: {r.kind}, {r.place}; reported: {r.reported}{flags}"
    return _text(wrap(text, f"- Incident {r.id}, ", "  "))


#: between the chronological index and the first incident.
MIDDLE = "\n"


def incident(v: vw.IncidentView) -> str:
    """One incident as a statement."""
    return _text(_incident(v))


def tail() -> str:
    """The end of the report (the 999 line again)."""
    return "\n".join(["---", "", f"**{st.DANGER}**", "", *wrap(st.NOT_ADVICE)]).rstrip() + "\n"


def _cover(c: vw.CoverView) -> list[str]:
    out = [f"# {st.TITLE}", "", f"**{st.DANGER}**", "", *wrap(c.subtitle), ""]
    if c.warnings:
        out += [*wrap(f"**{c.warnings[0]}**"), ""]
        out += [line for text in c.warnings[1:] for line in wrap(text, "- ", "  ")] + [""]
    out += [*wrap(st.NOT_ADVICE), "", *wrap(c.note), ""]
    out += ["## Who is reporting", "", *_rows(c.reporter), ""]
    out += ["## Police", ""]
    for f in c.forces:
        out += [*wrap(f.name, "### "), ""]
        out += [line for text in f.lines for line in wrap(text, "- ", "  ")] + [""]
    out += ["## Period covered", "", *wrap(c.period + "."), "", *_rows(c.facts), ""]
    out += [*textwrap.wrap(st.CHECKING, WIDTH), ""]
    return out


def _conduct(v: vw.ConductView) -> list[str]:
    out = ["## Course of conduct", "", *wrap(v.headline), "", *wrap(v.by_month_line), ""]
    out += ["### By kind", "", "| Kind | Incidents |", "|---|---:|"]
    out += [f"| {_cell(label)} | {n} |" for label, n in v.kinds] + [""]
    peak = max((n for _month, n, _kinds in v.months), default=0) or 1
    out += ["### By month", "", "| Month | Incidents | | By kind |", "|---|---:|---|---|"]
    for month, n, by_kind in v.months:
        bar = "#" * round(20 * n / peak) if n else ""
        out.append(f"| {month} | {n} | {bar or ' '} | {_cell(by_kind) or ' '} |")
    return [*out, "", "### Every incident, oldest first", ""]


def _incident(v: vw.IncidentView) -> list[str]:
    out = ["---", "", f"## {_cell(v.heading)}", "", *wrap(v.subtitle), ""]
    for n, part in enumerate(v.parts, 1):
        out += [f"### {n}. {part.title}", ""]
        for block in part.blocks:
            out += _block(block)
    out += [*wrap(v.footer), ""]
    return out


def _block(b: vw.Block) -> list[str]:
    if isinstance(b, vw.Para):
        return [*wrap(b.text), ""]
    if isinstance(b, vw.Rows):
        return [*_rows(b.rows), ""]
    if isinstance(b, vw.Items):
        return [line for item in b.items for line in wrap(item, "- ", "  ")] + [""]
    if isinstance(b, vw.Quote):
        return _quote(b.text)
    if isinstance(b, vw.Exhibits):
        return _exhibits(b)
    return _amendments(b)


def _quote(text: str) -> list[str]:
    """Exact words as a block quote; each line break kept (a hard break: two trailing spaces)."""
    out: list[str] = []
    lines = text.splitlines() or [""]
    for i, line in enumerate(lines):
        if not line.strip():
            out.append(">")
            continue
        wrapped = wrap(line, "> ")
        hard = i + 1 < len(lines) and lines[i + 1].strip()
        out += [*wrapped[:-1], wrapped[-1] + ("  " if hard else "")]
    return [*out, ""]


def _exhibits(b: vw.Exhibits) -> list[str]:
    out: list[str] = []
    for r in b.rows:
        out += wrap(r.item, f"- **{r.ref}** ", "  ")
        out += [line for d in r.details for line in wrap(d, "  - ", "    ")]
        for label, sha, path in r.files:
            out += [f"  - {label}: `{sha}`", f"    in the bundle: `{path}`"]
        if r.note:
            out += wrap(f"Note: {r.note}", "  - ", "    ")
    return [*out, ""]


def _amendments(b: vw.Amendments) -> list[str]:
    out: list[str] = []
    for a in b.items:
        out += [f"#### {a.title}", ""]
        if a.reason:
            out += [*wrap(f"Reason: {a.reason}"), ""]
        for label, before, after in a.changes:
            out.append(f"- {label}")
            out += wrap(before, "  - Before: ", "    ")
            out += wrap(after, "  - Amended to: ", "    ")
        out.append("")
    return out
