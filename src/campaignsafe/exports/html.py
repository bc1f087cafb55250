"""The human report as one self-contained HTML file that prints cleanly on A4.

Inline CSS, an inline SVG chart, no JavaScript and nothing fetched: the file opens the same
on a laptop with no network as in a police station. Every piece of user text is escaped.
The cover and the course of conduct come first, then each incident on a new page. Written in
pieces, so a report of any length streams: :func:`head`, one :func:`chrono` row per incident,
:data:`MIDDLE`, one :func:`incident` each, then :func:`tail`.
"""

from __future__ import annotations

import re
from html import escape

from campaignsafe.exports import model as m
from campaignsafe.exports import statement as st
from campaignsafe.exports import views as vw
from campaignsafe.exports.timeline import svg
from campaignsafe.usertext import REFUSED, shown

CSS = """
@page { size: A4; margin: 15mm 14mm 17mm;
        @bottom-left { content: "Record of incidents · in immediate danger, call 999"; font: 7.5pt sans-serif;
                       color: #555; }
        @bottom-right { content: "Page " counter(page) " of " counter(pages); font: 7.5pt sans-serif;
                        color: #555; } }
* { box-sizing: border-box; }
html { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
body { font: 10pt/1.42 "DejaVu Sans", "Helvetica Neue", Arial, sans-serif; color: #111; max-width: 182mm;
       margin: 0 auto; overflow-wrap: break-word; }
h1 { font-size: 21pt; margin: 0 0 1mm; }
h2 { font-size: 13.5pt; margin: 6mm 0 2mm; padding-bottom: 0.8mm; border-bottom: 0.5mm solid #222;
     break-after: avoid; page-break-after: avoid; }
h3 { font-size: 10.5pt; margin: 4mm 0 1.2mm; break-after: avoid; page-break-after: avoid; }
h4 { font-size: 10pt; margin: 3mm 0 1mm; break-after: avoid; }
p { margin: 0 0 1.6mm; orphans: 3; widows: 3; }
ul { margin: 0 0 1.6mm; padding-left: 5mm; }
li { margin: 0 0 0.6mm; }
code, .mono { font-family: "DejaVu Sans Mono", Menlo, Consolas, monospace; font-size: 8pt; }
.hash, .url { word-break: break-all; }
.danger { font-size: 13pt; font-weight: bold; color: #fff; background: #b00020; padding: 2.5mm 4mm;
          margin: 0 0 5mm; border-radius: 1.5mm; }
.subtitle { font-size: 12pt; margin-bottom: 2mm; }
.period { font-size: 11pt; font-weight: bold; margin-bottom: 4mm; }
.legal { border-left: 1mm solid #666; padding-left: 3mm; color: #222; }
.small { font-size: 8.5pt; color: #333; }
.cover { break-after: page; page-break-after: always; }
.cards { display: flex; gap: 5mm; align-items: flex-start; margin-top: 3mm; }
.card { flex: 1 1 0; border: 0.3mm solid #999; border-radius: 1.5mm; padding: 1mm 3mm 2mm; }
.card h2 { margin-top: 1.5mm; font-size: 11.5pt; }
.card h3 { margin-top: 2.5mm; }
table { border-collapse: collapse; width: 100%; table-layout: fixed; }
th, td { text-align: left; vertical-align: top; padding: 0.9mm 1.6mm; }
tr { break-inside: avoid; page-break-inside: avoid; }
table.kv th { width: 34mm; font-weight: bold; color: #333; padding-left: 0; }
table.kv td { padding-left: 0; }
.card table.kv th { width: 29mm; }
table.grid { margin: 1mm 0 3mm; font-size: 9pt; }
table.grid th { background: #eee; border-bottom: 0.4mm solid #333; }
table.grid td { border-bottom: 0.2mm solid #ccc; }
td.n, th.n { text-align: right; white-space: nowrap; }
span.bar { display: inline-block; height: 2.6mm; background: #555; vertical-align: -0.3mm; }  /* all kinds */
.twocol { display: flex; gap: 6mm; }
.twocol > div:first-child { flex: 5 1 0; }
.twocol > div:last-child { flex: 8 1 0; }
table.grid col.month { width: 25mm; }
table.grid col.num { width: 22mm; }  /* "Incidents" in bold 9pt is 16.5mm, plus 3.2mm of padding */
table.grid col.bar { width: 15mm; }  /* the longest bar, 11mm, inside its 1.6mm padding */
table.grid col.id { width: 8mm; }
table.grid col.when { width: 27mm; }
table.grid col.flag { width: 21mm; }  /* "Amended" in bold 9pt is 16.6mm, plus 3.2mm of padding */
table.grid td.nowrap { white-space: nowrap; }
figure { margin: 2mm 0 3mm; break-inside: avoid; }
figcaption { font-size: 8.5pt; color: #444; }
.conduct, .linked { break-after: page; page-break-after: always; }
a { color: #0b4f9c; text-decoration: none; }
article.incident { break-before: page; page-break-before: always; }
article.incident > header { border-bottom: 0.6mm solid #222; margin-bottom: 2mm; }
article.incident h2 { border: 0; margin: 0 0 0.5mm; padding: 0; font-size: 15pt; }
.sub { font-size: 10.5pt; color: #333; }
.badge { display: inline-block; font-size: 8pt; font-weight: bold; border: 0.3mm solid #8a5a00; color: #8a5a00;
         border-radius: 1mm; padding: 0 1.5mm; margin-left: 2mm; vertical-align: 0.5mm; }
.part { break-inside: avoid; page-break-inside: avoid; }
.part.long { break-inside: auto; page-break-inside: auto; }
.part h3 .n { display: inline-block; min-width: 5.5mm; color: #555; }
blockquote.words { margin: 0 0 2mm; padding: 2mm 3mm; border-left: 1.2mm solid #0072B2; background: #f4f7fb;
                   white-space: pre-wrap; font-size: 10.5pt; }
table.exhibits td { border-top: 0.2mm solid #ccc; padding-top: 1.4mm; padding-bottom: 1.4mm; }
table.exhibits td.ref { width: 18mm; font-weight: bold; white-space: nowrap; }
table.exhibits ul { margin: 0.5mm 0; font-size: 9pt; color: #222; }
table.exhibits .item { font-weight: bold; }
table.diff { font-size: 9pt; margin-bottom: 2mm; }
table.diff thead th { background: #eee; border-bottom: 0.4mm solid #333; }
table.diff tbody th { border-bottom: 0.2mm solid #ccc; }
table.diff td { border-bottom: 0.2mm solid #ccc; white-space: pre-wrap; }
table.diff th:first-child { width: 28mm; }
table.diff td.before { background: #fbf3f3; }
table.diff td.after { background: #f1f8f1; }
.amendment { break-inside: avoid; page-break-inside: avoid; }
.keep { break-after: avoid; page-break-after: avoid; }
.recorded { margin-top: 4mm; font-size: 8pt; color: #444; border-top: 0.2mm solid #999; padding-top: 1.5mm; }
body > footer { margin-top: 6mm; font-size: 9pt; color: #333; border-top: 0.3mm solid #999; padding-top: 2mm; }
@media screen { body { padding: 8mm 5mm; } article.incident { margin-top: 12mm; } }
"""


_SPECIAL = re.compile("[&<>\"'" + REFUSED + "]")


def e(text: object) -> str:
    """Escape text for HTML content or a quoted attribute (a control or bidi character, which no typed text holds,
    made visible as ``[U+XXXX]``)."""
    s = text if type(text) is str else str(text)
    return escape(shown(s), quote=True) if _SPECIAL.search(s) else s


def head(meta: m.ExportMeta, cover: vw.CoverView, conduct: vw.ConductView) -> str:
    """The document up to the chronological index: the head, the cover, the course of conduct."""
    title = f"{st.TITLE} – {meta.producer.name}" if meta.producer.name else st.TITLE
    parts = [
        "<!doctype html>",
        '<html lang="en-GB">',
        '<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{e(title)}</title>",
        f"<style>{CSS}</style></head>",
        "<body>",
        _cover(cover),
    ]
    return "\n".join(parts) + "\n" + _conduct(conduct)


def chrono(r: vw.ChronoRow) -> str:
    """One incident's row in the chronological index."""
    return (
        f'<tr><td><a href="#{r.anchor}">{r.id}</a></td><td>{e(r.when)}</td><td>{e(r.kind)}</td>'
        f'<td>{e(r.place)}</td><td>{e(r.reported)}</td><td class="n">{r.exhibits}</td>'
        f'<td class="nowrap">{"yes" if r.amended else "no"}</td></tr>'
    )


#: closes the chronological index and the course of conduct.
MIDDLE = "</tbody></table></section>"


def incident(v: vw.IncidentView) -> str:
    """One incident as a statement, on a new page."""
    return "\n" + _incident(v)


def tail() -> str:
    """The footer and the end of the document."""
    return (
        "\n"
        + "\n".join([f"<footer><strong>{e(st.DANGER)}</strong> {e(st.NOT_ADVICE)}</footer>", "</body>", "</html>"])
        + "\n"
    )


def _code_spans(text: str) -> str:
    """Our own text with `backticked` commands shown as code (escaped like everything else)."""
    parts = e(text).split("`")
    return "".join(f"<code>{p}</code>" if i % 2 else p for i, p in enumerate(parts))


#: a value set in monospace on the cover: an audit chain head (``SEQ:SHA256``) or a command to type
_TYPED = re.compile(r"\d+:[0-9a-f]{64}|campaignsafe [a-z]")


def _kv(rows: list[tuple[str, str]], typed: bool = False) -> str:
    """A table of labels and values; with ``typed`` (the cover's facts, never the user's words) a head or a
    command is set in monospace, whole or broken at a space."""
    body = "".join(
        f'<tr><th>{e(k)}</th><td><code class="mono">{e(v)}</code></td></tr>'
        if typed and _TYPED.match(v)
        else f"<tr><th>{e(k)}</th><td>{_breakable(v)}</td></tr>"
        for k, v in rows
    )
    return f'<table class="kv">{body}</table>'


def _breakable(value: str) -> str:
    """``value`` escaped; an email address may break after its ``@`` (a narrow card broke it mid-domain)."""
    text = e(value)
    return text.replace("@", "@<wbr>", 1) if _EMAIL.fullmatch(value) else text


_EMAIL = re.compile(r"[^\s@<>]+@[^\s@<>]+\.[^\s@<>]+")


def _warnings(lines: list[str]) -> str:
    if not lines:
        return ""
    items = "".join(f"<li>{e(line)}</li>" for line in lines[1:])
    return f'<div class="danger record-check"><p><strong>{e(lines[0])}</strong></p><ul>{items}</ul></div>'


def _cover(c: vw.CoverView) -> str:
    forces = "".join(
        f"<h3>{e(f.name)}</h3><ul>{''.join(f'<li>{e(line)}</li>' for line in f.lines)}</ul>" for f in c.forces
    )
    return (
        '<section class="cover">'
        f'<p class="danger">{e(st.DANGER)}</p>'
        f"{_warnings(c.warnings)}"
        f"<h1>{e(st.TITLE)}</h1>"
        f'<p class="subtitle">{e(c.subtitle)}</p>'
        f'<p class="period">{e(c.period)}</p>'
        f'<p class="legal">{e(st.NOT_ADVICE)} {e(c.note)}</p>'
        '<div class="cards">'
        f'<div class="card"><h2>Who is reporting</h2>{_kv(c.reporter)}</div>'
        f'<div class="card"><h2>Police</h2>{forces}</div>'
        "</div>"
        f"<h2>About this report</h2>{_kv(c.facts, typed=True)}"
        f'<p class="small">{_code_spans(st.CHECKING)}</p>'
        "</section>"
    )


def _conduct(v: vw.ConductView) -> str:
    peak = max((n for _m, n, _k in v.months), default=0) or 1
    kinds = "".join(f'<tr><td>{e(label)}</td><td class="n">{n}</td></tr>' for label, n in v.kinds)
    months = "".join(
        f'<tr><td class="nowrap">{e(month)}</td><td class="n">{n}</td>'
        f'<td><span class="bar" style="width:{round(11 * n / peak, 1)}mm"></span></td><td>{e(by_kind)}</td></tr>'
        for month, n, by_kind in v.months
    )
    chart = svg(v.chart, v.labels)
    return (
        '<section class="conduct">'
        "<h2>Course of conduct</h2>"
        f'<p class="period">{e(v.headline)}</p>'
        f"<figure>{chart}<figcaption>Incidents per month, by kind.</figcaption></figure>"
        '<div class="twocol">'
        '<div><h3>By kind</h3><table class="grid"><col><col class="num">'
        f'<thead><tr><th>Kind</th><th class="n">Incidents</th></tr></thead><tbody>{kinds}</tbody></table></div>'
        '<div><h3>By month</h3><table class="grid"><col class="month"><col class="num"><col class="bar"><col>'
        '<thead><tr><th>Month</th><th class="n">Incidents</th><th></th><th>By kind</th></tr></thead>'
        f"<tbody>{months}</tbody></table></div>"
        "</div>"
        "<h3>Every incident, oldest first</h3>"
        '<table class="grid chrono"><col class="id"><col class="when"><col><col><col><col class="num">'
        '<col class="flag"><thead><tr><th>Id</th><th>When</th><th>Kind</th><th>Where</th><th>Reported to</th>'
        '<th class="n">Exhibits</th><th>Amended</th></tr></thead><tbody>'
    )


def _incident(v: vw.IncidentView) -> str:
    badge = '<span class="badge">amended</span>' if v.amended else ""
    parts = []
    for n, part in enumerate(v.parts, 1):
        long = any(_tall(b) for b in part.blocks)
        parts.append(
            f'<section class="part{" long" if long else ""}"><h3><span class="n">{n}</span>{e(part.title)}</h3>'
            + "".join(_block(b) for b in part.blocks)
            + "</section>"
        )
    return (
        f'<article class="incident" id="{v.anchor}">'
        f'<header><h2>{e(v.heading)}{badge}</h2><p class="sub">{e(v.subtitle)}</p></header>'
        + "".join(parts)
        + f'<p class="recorded">{e(v.footer)}</p></article>'
    )


def _tall(b: vw.Block) -> bool:
    """Whether a block may be too tall to keep on one page (so its part may break inside)."""
    if isinstance(b, vw.Quote):
        return len(b.text) > 1500 or b.text.count("\n") > 20
    if isinstance(b, vw.Exhibits):
        return len(b.rows) > 4
    if isinstance(b, vw.Amendments):
        return sum(len(a.changes) + 2 for a in b.items) > 12
    return False


def _block(b: vw.Block) -> str:
    if isinstance(b, vw.Para):
        return f'<p class="keep">{e(b.text)}</p>' if b.keep else f"<p>{e(b.text)}</p>"
    if isinstance(b, vw.Rows):
        return _kv(b.rows)
    if isinstance(b, vw.Items):
        return "<ul>" + "".join(f"<li>{e(i)}</li>" for i in b.items) + "</ul>"
    if isinstance(b, vw.Quote):
        return f'<blockquote class="words">{e(b.text)}</blockquote>'
    if isinstance(b, vw.Exhibits):
        return _exhibits(b)
    return _amendments(b)


def _exhibits(b: vw.Exhibits) -> str:
    rows = []
    for r in b.rows:
        details = "".join(f"<li>{e(d)}</li>" for d in r.details)
        details += "".join(
            f'<li>{e(label)}: <code class="hash">{e(sha)}</code><br>in the bundle: <code>{e(path)}</code></li>'
            for label, sha, path in r.files
        )
        if r.note:
            details += f"<li>Note: {e(r.note)}</li>"
        url = " url" if "://" in r.item else ""
        rows.append(
            f'<tr><td class="ref">{e(r.ref)}</td><td><span class="item{url}">{e(r.item)}</span>'
            f"<ul>{details}</ul></td></tr>"
        )
    return f'<table class="exhibits">{"".join(rows)}</table>'


def _amendments(b: vw.Amendments) -> str:
    out = []
    for a in b.items:
        rows = "".join(
            f'<tr><th>{e(label)}</th><td class="before">{e(before)}</td><td class="after">{e(after)}</td></tr>'
            for label, before, after in a.changes
        )
        reason = f"<p>Reason: {e(a.reason)}</p>" if a.reason else ""
        out.append(
            f'<div class="amendment"><h4>{e(a.title)}</h4>{reason}<table class="diff">'
            "<thead><tr><th>Field</th><th>Before</th><th>Amended to</th></tr></thead>"
            f"<tbody>{rows}</tbody></table></div>"
        )
    return "".join(out)
