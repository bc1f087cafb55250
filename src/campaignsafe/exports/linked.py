"""The report's "Linked incidents" section, in HTML and in Markdown.

Computed from the links of the exported incidents (:func:`campaignsafe.exports.case.links_of`,
one pass over the incidents), so a writer that streams the incidents one by one can put the
section anywhere: it needs only the list of links, never the rendered incidents. Nothing is
written when the incidents share no identifier.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from campaignsafe.exports import model as m
from campaignsafe.exports import text as tx
from campaignsafe.incidents import kinds
from campaignsafe.incidents.links import KIND_LABELS
from campaignsafe.mdtext import wrap

TITLE = "Linked incidents"
INTRO = (
    "Each identifier below appears in more than one of the incidents in this report. They are compared in a "
    "normal form: a handle in any case, with or without its @ or written as its profile address, is one account; "
    "a phone number with or without the country code or spaces is one number; a vehicle registration in any case, "
    "with or without spaces, is one vehicle. A shared identifier is a lead for the police to check, not "
    "proof that the same person was involved. The reporting person's own name, phone and email are left out."
)


def heading(link: m.Link) -> str:
    """``Handle: @angryvoter on X, in 3 incidents``."""
    return f"{KIND_LABELS[link.kind]}: {link.label}, in {len(link.incidents)} incidents"


def row(i: m.LinkedIncident) -> tuple[str, str, str, str]:
    """(when, kind, force, where it was found) for one incident a link joins."""
    force = i.force_name or i.force_id or "no force known"
    if i.force_source == "profile":
        force += " (from the reporting person's profile)"
    return tx.day_text(i.occurred_at), kinds.label(i.kind), force, ", ".join(i.found_in)


def html(links: Sequence[m.Link]) -> str:
    """The section as HTML (empty when there are no links): a heading and a table per identifier."""
    if not links:
        return ""

    def e(text: object) -> str:
        return escape(str(text), quote=True)

    parts = [f'<section class="linked"><h2>{TITLE}</h2><p>{e(INTRO)}</p>']
    for link in links:
        rows = "".join(
            f'<tr><td><a href="#incident-{i.id}">{i.id}</a></td>'
            + "".join(f"<td>{e(cell)}</td>" for cell in row(i))
            + "</tr>"
            for i in link.incidents
        )
        parts.append(
            f"<h3>{e(heading(link))}</h3>"
            f'<p class="small">Written as: <span class="url">{e("; ".join(link.seen_as))}</span></p>'
            '<table class="grid"><col class="id"><col class="when"><col><col><col>'
            "<thead><tr><th>Id</th><th>When</th><th>Kind</th><th>Force</th><th>Found in</th></tr></thead>"
            f"<tbody>{rows}</tbody></table>"
        )
    parts.append("</section>")
    return "".join(parts)


def markdown(links: Sequence[m.Link]) -> list[str]:
    """The section as Markdown lines (none when there are no links), wrapped like the rest of the report."""
    if not links:
        return []
    out = [f"## {TITLE}", "", *wrap(INTRO), ""]
    for link in links:
        out += [*wrap(heading(link), "### "), ""]
        out += [*wrap("; ".join(link.seen_as), "Written as: ", ""), ""]
        for i in link.incidents:
            when, kind, force, found = row(i)
            out += wrap(f"{when}, {kind}, {force}; found in: {found}", f"- Incident {i.id}, ", "  ")
        out.append("")
    return out
