"""How a contact answer looks: the JSON object and the rich panel."""

from __future__ import annotations

from typing import Any

from campaignsafe.cli._render import DANGER
from campaignsafe.contact.resolve import Answer

KIND_LABELS = {
    "postcode": "postcode",
    "district": "postcode district",
    "sector": "postcode sector",
    "constituency": "constituency",
    "local_authority": "council",
    "force": "police force",
    "place": "place",
}
TEXT_ROUTES = (("election_contacts", "Election contacts"),)
WEBSITE_BELOW = "its website, below: look for 'Report'; not for emergencies"
LINK_ROUTES = (("report_online", "Report online"), ("website", "Website"), ("election_page", "Election page"))


def show_answer(answer: Answer, below: int = 0) -> None:
    """Danger line first, then one panel per force (boundary slivers left out), then each force's
    longer text (election contacts) full width, said once when forces share it; ``answer`` is complete.
    ``below``: the lines that follow it (an error), which scroll it up as much as its own do."""
    from campaignsafe.cli._panel import BOLD, RED, YELLOW, panel, style, taller_than_screen, wrapped
    from campaignsafe.contact.contacts import PANEL_ROLES, ROLE_LABELS
    from campaignsafe.contact.forces import online_report, online_route

    out: list[str] = [style(DANGER, BOLD, RED)]
    forces_shown = answer.main_forces
    where = _where(answer)
    if len(forces_shown) > 1:
        out.append(wrapped(f"{len(forces_shown)} police forces cover {where}; if unsure which, call 101."))
    out += [
        style("Note: ", YELLOW) + wrapped(note if note.endswith((".", "?", "!")) else note + ".", 6)
        for note in answer.notes
    ]
    common = answer.common
    said_once: dict[tuple[str, str], list[str]] = {}  # (label, text) → the forces it is for
    for f in forces_shown:
        routes = answer.routes.get(f["id"], {})
        several = len(forces_shown) > 1
        title = f"{f['name']} · {f['share']:.0%} of the postcodes" if several else f["name"]
        rows = [] if several else [("Area", where)]
        if answer.approximate:
            rows.append(("", "approximate answer"))
        rows.append(("Emergency", _emergency(common)))
        rows.append(("Non-emergency", _non_emergency(routes, common)))
        if "report_online" not in routes and "website" in routes and not online_route(routes):
            rows.append(("Report online", WEBSITE_BELOW))  # its address is under the panel
        elif "report_online" not in routes:  # no verified link: the force's own words, or its website
            rows.append(("Report online", online_report(routes)))
        for key, label in TEXT_ROUTES:  # long text reads better full width, under the panels
            if key in routes:
                said_once.setdefault((label, routes[key]["value"]), []).append(f["name"])
        said = " ".join(value for _, value in rows)
        rows += [  # "TextRelay for 101: 18001 101" is already in the Non-emergency row
            (extra.get("label") or "Other", extra["value"])
            for extra in routes.get("other_routes", [])
            if extra["value"] not in said
        ]
        saved = answer.saved.get(f["id"], [])
        rows += [("Your " + PANEL_ROLES.get(c["role"], ROLE_LABELS[c["role"]]), _contact_line(c)) for c in saved]
        if not saved:
            add = f"campaignsafe contact save {f['id']} --name NAME"
            rows.append(("Your contacts", f"none saved; add your election SPOC: {add}"))
        links = [(label, routes[key]["value"]) for key, label in LINK_ROUTES if key in routes]
        out.append(panel(title, rows, links=links))
    for (label, text), names in said_once.items():
        who = "" if len(names) == len(forces_shown) else f" ({', '.join(names)})"
        head = f"{label}{who}: "
        out.append(style(head, BOLD) + wrapped(text, 0, len(head)))
    if taller_than_screen(out, below):
        out.append(style(DANGER, BOLD, RED))  # the first line has scrolled away: 999 again, last
    print("\n".join(out))


def _emergency(common: dict[str, Any]) -> str:
    text = "999"
    if "text-relay" in common:
        text += " · textphone 18000"
    if "emergency-sms" in common:
        text += " · emergencySMS users: text 999"
    return text


def _where(answer: Answer) -> str:
    if answer.kind == "postcode":
        parts = [answer.postcode or answer.query]
        if answer.local_authority:
            parts.append(answer.local_authority["name"])
        if answer.constituency:
            parts.append(answer.constituency["name"] + " (constituency)")
        return " · ".join(parts)
    if answer.kind == "place":
        return f"{answer.matched}: " + areas_text(answer.areas)
    return f"{answer.matched} ({KIND_LABELS[answer.kind]})"


AREA_WORDS = (("local_authority", "council", "councils"), ("constituency", "constituency", "constituencies"),
              ("force", "police force", "police forces"))  # fmt: skip


def areas_text(areas: list[dict[str, str]], most: int = 8) -> str:
    """'Brighton and Hove (council); Brighton Kemptown and Peacehaven, Brighton Pavilion (constituencies)'."""
    groups = []
    for kind, one, many in AREA_WORDS:
        names = [a["name"] for a in areas if a["kind"] == kind]
        if len(names) > most:
            names = [*names[: most - 1], f"{len(names) - most + 1} more"]
        if names:
            groups.append(f"{', '.join(names)} ({one if len(names) == 1 else many})")
    return "; ".join(groups)


def show_choices(query: str, choices: list[dict[str, Any]]) -> None:
    """A name whose areas are policed by different forces: each force with the areas it polices."""
    from campaignsafe.cli._panel import BOLD, RED, style, wrapped

    out = [style(DANGER, BOLD, RED), wrapped(f"Areas matching {query.strip()!r}, with the force for each:")]
    for c in choices:
        head = f"  {c['force']['name']}: "
        out.append(style(head, BOLD) + wrapped(areas_text(c["areas"], 4), 4, len(head)))
    print("\n".join(out))  # what to do next is the error's hint, on the line after


def _non_emergency(routes: dict[str, Any], common: dict[str, Any]) -> str:
    if "non_emergency_override" in routes:
        return str(routes["non_emergency_override"]["value"])
    text = "101"
    if "non-emergency" in common:
        text = common["non-emergency"]["value"]
    if "text-relay" in common:
        text += " · textphone 18001 101"
    return text


def _contact_line(c: dict[str, Any]) -> str:
    return " · ".join(c[k] for k in ("name", "phone", "email", "notes") if c.get(k))


def show_crown(service: dict[str, Any]) -> None:
    """A Crown Dependency's own police service (outside UK forces)."""
    from campaignsafe.cli._panel import BOLD, RED, panel, style

    emergency = service.get("emergency")
    rows = [("Emergency", emergency["value"])] if emergency else []
    if service.get("non_emergency"):
        rows.append(("Non-emergency", service["non_emergency"]["value"]))
    rows += [("Website", service["website"]["value"]), ("Note", service["note"])]
    print(style(DANGER, BOLD, RED) + "\n" + panel(service["name"], rows))


def show_saved(items: list[dict[str, Any]]) -> None:
    """The user's saved contacts, one a block: force and role, then every detail whole (nothing cut short)."""
    from campaignsafe.cli._panel import BOLD, say, style, wrapped
    from campaignsafe.contact.contacts import ROLE_LABELS
    from campaignsafe.contact.forces import force_routes

    if not items:
        say("No saved contacts. Add one: campaignsafe contact save FORCE --role spoc --name NAME --phone PHONE", 0)
        return
    for c in items:
        name = str((force_routes(c["force"]) or {}).get("name") or c["force"])
        print(style(wrapped(f"{name} ({c['force']}): {ROLE_LABELS.get(c['role'], c['role'])}", 2), BOLD))
        say("  " + _contact_line(c), 4)


def force_id_for(text: str) -> str:
    """A force id from an id or a force name; raises NotFoundError with suggestions otherwise."""
    from campaignsafe.contact.places import find

    place, _exact = find(text, kinds=("force",))
    return place.code
