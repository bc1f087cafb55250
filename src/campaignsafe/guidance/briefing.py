"""The printable briefing ``campaignsafe checklist export`` writes: Markdown, JSON or one HTML file.

Every format starts with the 999 line and says plainly that it is information, not legal
advice; every item carries its progress and its sources. Notes stay out unless asked for,
because a briefing is made to be handed to a canvassing team. The HTML needs no network
and no JavaScript, and its print styles lay it out on A4.
"""

from __future__ import annotations

import html
import json
import textwrap
from datetime import date
from typing import Any

from campaignsafe import __version__
from campaignsafe.guidance.checklist import DANGER, NOT_ADVICE, STATUS_WORDS, View, view_json
from campaignsafe.guidance.content import NATION_NAMES, nations_text
from campaignsafe.mdtext import wrap

FORMATS = ("md", "html", "json")
TITLE = "Campaign security briefing"
WIDTH = 78
_MARK = {"done": "[x]", "todo": "[ ]", "na": "[-]"}


def briefing_data(view: View, notes: bool = False, today: date | None = None) -> dict[str, Any]:
    """The briefing as one JSON-ready object: the ``checklist list --json`` shape plus its header lines."""
    body = view_json(view, notes=notes)
    return {
        "schema_version": body.pop("schema_version"),
        "title": TITLE,
        "danger": DANGER,
        "disclaimer": NOT_ADVICE,
        "generated": (today or date.today()).isoformat(),
        "generator": f"campaignsafe {__version__}",
        **body,
    }


def render(view: View, fmt: str, notes: bool = False, today: date | None = None) -> str:
    """The briefing in ``fmt`` (md, html or json)."""
    data = briefing_data(view, notes, today)
    if fmt == "json":
        return json.dumps(data, ensure_ascii=False, indent=2) + "\n"
    if fmt == "html":
        return to_html(data)
    return to_markdown(data)


def scope_line(data: dict[str, Any]) -> str:
    """Who the briefing is for: profile, role and nation."""
    role = f"{data['role']}s" if data["role"] else "candidates, agents and volunteers"
    if data.get("role_from_profile"):
        role += " (the role in the profile)"
    nation = NATION_NAMES[data["nation"]] if data["nation"] else "all UK nations"
    if data.get("nation_from_profile_force"):
        nation += f" (the nation of {data['nation_from_profile_force']}, the force in the profile)"
    return f"Profile {data['profile']}: items for {role}, {nation}."


def progress_line(p: dict[str, int]) -> str:
    """'12 of 124 items done, 3 not applicable, 109 still to do.'"""
    left = p["total"] - p["done"] - p["na"]
    return f"{p['done']} of {p['total']} items done, {p['na']} not applicable, {left} still to do."


def status_word(item: dict[str, Any]) -> str:
    """``done``, ``not yet`` (answered so), ``not applicable``, or ``not answered yet`` (never answered)."""
    return STATUS_WORDS[item["status"]] if item.get("answered") else "not answered yet"


def tags(item: dict[str, Any]) -> str:
    """'Essential · candidate, agent · Wales only' for one item."""
    parts = [item["priority"].capitalize(), ", ".join(item["roles"])]
    if item["nations"]:
        parts.append(nations_text(item["nations"]) + " only")
    return " · ".join(parts)


def source_text(src: dict[str, str]) -> str:
    """'Title. Publisher, 2024.' (the URL goes on its own)."""
    title = src["title"].rstrip(".")
    return f"{title}. {src['publisher']}, {src['date']}."


def _wrap(text: str, indent: str = "") -> list[str]:
    return textwrap.wrap(
        " ".join(text.split()), WIDTH, initial_indent=indent, subsequent_indent=indent,
        break_on_hyphens=False, break_long_words=False,  # an item id (to type in checklist mark) stays whole
    ) or [indent]  # fmt: skip


def to_markdown(data: dict[str, Any]) -> str:
    """Markdown that reads as plain text: wrapped at 78 columns, one task-list entry per item."""
    out = [f"# {TITLE}", "", f"**{DANGER}**", ""]
    out += [*_wrap(data["disclaimer"]), ""]
    out += _wrap(scope_line(data)) + _wrap(f"Progress: {progress_line(data['progress'])}")
    out += [f"Generated {data['generated']} by {data['generator']}.", ""]
    out += [*_wrap("Key: [x] done · [ ] not yet, or not answered yet (each says which) · [-] not applicable"), ""]
    for n, topic in enumerate(data["topics"], 1):
        p = topic["progress"]
        out += [f"## {n}. {topic['title']} ({p['done']} of {p['total']} done)", ""]
        out += [*_wrap(topic["summary"]), ""]
        for item in topic["items"]:
            out += _hanging(f"{_MARK[item['status']]} **{item['title']}**", "- ", "  ")
            out += _item_markdown(item)
    if data["orphaned_answers"]:
        out += ["## Answers to items no longer in the guidance", ""]
        out += [f"- {o['id']}: {STATUS_WORDS[o['status']]}" for o in data["orphaned_answers"]] + [""]
    return "\n".join(out).rstrip() + "\n"


def _hanging(text: str, first: str, rest: str) -> list[str]:
    lines = textwrap.wrap(" ".join(text.split()), WIDTH - len(first), break_on_hyphens=False) or [""]
    return [first + lines[0], *(rest + line for line in lines[1:])]


def _item_markdown(item: dict[str, Any]) -> list[str]:
    out = [*_wrap(f"{status_word(item).capitalize()} · {tags(item)} · `{item['id']}`", "  "), ""]
    out += [*_wrap(item["detail"], "  "), ""]
    if item.get("note"):
        out += [*wrap(f"Note: {item['note']}", "  "), ""]  # the user's own words: escaped
    out.append("  Sources:")
    for src in item["sources"]:
        out += _hanging(source_text(src), "  - ", "    ")
        out.append(f"    <{src['url']}>")
    return [*out, ""]


_CSS = """
@page { size: A4; margin: 16mm 15mm 18mm;
        @bottom-left { content: "Campaign security briefing · in immediate danger, call 999"; font: 8pt sans-serif;
                       color: #555; }
        @bottom-right { content: "Page " counter(page) " of " counter(pages); font: 8pt sans-serif; color: #555; } }
* { box-sizing: border-box; }
html { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
body { font: 10.5pt/1.45 "DejaVu Sans", "Helvetica Neue", Arial, sans-serif; color: #111;
       max-width: 180mm; margin: 0 auto; padding: 8mm 0; overflow-wrap: anywhere; }
.danger { font-size: 13pt; font-weight: bold; color: #fff; background: #b00020;
          padding: 3mm 4mm; margin: 0 0 4mm; border-radius: 2mm; }
h1 { font-size: 19pt; margin: 0 0 2mm; }
h2 { font-size: 13.5pt; margin: 7mm 0 1mm; padding-bottom: 1mm; border-bottom: 0.5mm solid #333;
     break-after: avoid; page-break-after: avoid; }
h2 .count { font-weight: normal; font-size: 10pt; color: #444; float: right; margin-top: 1mm; }
h3 { font-size: 11pt; margin: 0 0 0.5mm; break-after: avoid; }
p { margin: 0 0 1.5mm; }
.legal { border-left: 1mm solid #555; padding-left: 3mm; color: #222; }
.meta { color: #333; }
.bar { display: inline-block; width: 40mm; height: 3mm; border: 0.3mm solid #333; vertical-align: middle;
       margin-left: 2mm; background: #fff; }
.bar span { display: block; height: 100%; background: #2e7d32; }
table.toc { border-collapse: collapse; width: 100%; margin: 3mm 0 2mm; font-size: 10pt; }
table.toc td { padding: 0.8mm 1.5mm; border-bottom: 0.2mm solid #ccc; }
table.toc td.n { text-align: right; white-space: nowrap; width: 22mm; }
table.toc td.b { width: 44mm; }
.summary { color: #333; font-style: italic; }
section { break-before: page; page-break-before: always; }
.nowrap { white-space: nowrap; }
.item { margin: 3mm 0 0; padding: 2mm 0 1mm 9mm; position: relative; border-top: 0.2mm solid #ddd;
        break-inside: avoid; page-break-inside: avoid; }
.box { position: absolute; left: 0; top: 2.4mm; width: 5mm; height: 5mm; border: 0.4mm solid #222;
       text-align: center; line-height: 4.4mm; font-weight: bold; font-size: 10pt; }
.key { display: inline-block; width: 3.6mm; height: 3.6mm; border: 0.3mm solid #222; text-align: center;
       line-height: 3.2mm; font-size: 8pt; font-weight: bold; vertical-align: -0.6mm; }
.key.done { background: #2e7d32; border-color: #2e7d32; color: #fff; }
.done .box { background: #2e7d32; border-color: #2e7d32; color: #fff; }
.na .box { color: #555; }
.tags { font-size: 9pt; color: #444; }
.tags code { font-size: 8.5pt; }
.status { font-weight: bold; }
.note { background: #f3f3f3; padding: 1mm 2mm; }
ol.sources { font-size: 8.8pt; color: #333; margin: 1mm 0 0; padding-left: 5mm; }
ol.sources li { margin: 0 0 0.6mm; }
a { color: #0b4f9c; text-decoration: none; }
footer { margin-top: 8mm; font-size: 9pt; color: #444; border-top: 0.3mm solid #999; padding-top: 2mm; }
@media screen { body { padding: 10mm 6mm; } }
"""


def _e(text: Any) -> str:
    return html.escape(" ".join(str(text).split()), quote=True)


def _bar(p: dict[str, int]) -> str:
    pct = 0 if not p["total"] else round(100 * (p["done"] + p["na"]) / p["total"])
    return f'<span class="bar" role="img" aria-label="{pct}% settled"><span style="width:{pct}%"></span></span>'


def to_html(data: dict[str, Any]) -> str:
    """One self-contained HTML page (inline CSS, no scripts, no external resources) laid out for A4."""
    p = data["progress"]
    parts = [
        "<!doctype html>",
        '<html lang="en-GB">',
        '<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{_e(TITLE)} ({_e(data['profile'])})</title>",
        f"<style>{_CSS}</style></head>",
        "<body>",
        f'<p class="danger">{_e(DANGER)}</p>',
        f"<h1>{_e(TITLE)}</h1>",
        f'<p class="legal">{_e(data["disclaimer"])}</p>',
        f'<p class="meta">{_e(scope_line(data))} Generated <span class="nowrap">{_e(data["generated"])}</span>'
        f" by {_e(data['generator'])}.</p>",
        f"<p><strong>Progress:</strong> {_e(progress_line(p))} {_bar(p)}</p>",
        '<table class="toc">',
    ]
    for n, topic in enumerate(data["topics"], 1):
        tp = topic["progress"]
        parts.append(
            f'<tr><td><a href="#{_e(topic["id"])}">{n}. {_e(topic["title"])}</a></td>'
            f'<td class="b">{_bar(tp)}</td><td class="n">{tp["done"]} of {tp["total"]} done</td></tr>'
        )
    parts.append("</table>")
    parts.append(
        '<p class="tags">Key: <span class="key done">✓</span> done · <span class="key"></span> not yet, or not '
        "answered yet (each says which) · "
        '<span class="key">–</span> not applicable. Each topic starts on a new page, so a topic can be printed '
        "on its own for the people it concerns.</p>"
    )
    for n, topic in enumerate(data["topics"], 1):
        tp = topic["progress"]
        parts += [
            f'<section id="{_e(topic["id"])}">',
            f'<h2>{n}. {_e(topic["title"])} <span class="count">{tp["done"]} of {tp["total"]} done</span></h2>',
            f'<p class="summary">{_e(topic["summary"])}</p>',
            *(_item_html(item) for item in topic["items"]),
            "</section>",
        ]
    if data["orphaned_answers"]:
        parts.append("<h2>Answers to items no longer in the guidance</h2><ul>")
        parts += [f"<li>{_e(o['id'])}: {_e(STATUS_WORDS[o['status']])}</li>" for o in data["orphaned_answers"]]
        parts.append("</ul>")
    parts += [
        f"<footer><strong>{_e(DANGER)}</strong> {_e(data['disclaimer'])}</footer>",
        "</body>",
        "</html>",
    ]
    return "\n".join(parts) + "\n"


def _item_html(item: dict[str, Any]) -> str:
    box = {"done": "✓", "todo": "", "na": "–"}[item["status"]]
    sources = "".join(
        f'<li>{_e(source_text(s))} <a href="{_e(s["url"])}">{_e(s["url"])}</a></li>' for s in item["sources"]
    )
    note = f'<p class="note">Note: {_e(item["note"])}</p>' if item.get("note") else ""
    return (
        f'<article class="item {item["status"]}" id="{_e(item["id"])}">'
        f'<span class="box" aria-hidden="true">{box}</span>'
        f"<h3>{_e(item['title'])}</h3>"
        f'<p class="tags"><span class="status">{_e(status_word(item).capitalize())}</span>'
        f" · {_e(tags(item))} · <code>{_e(item['id'])}</code></p>"
        f"<p>{_e(item['detail'])}</p>{note}"
        f'<ol class="sources">{sources}</ol></article>'
    )
