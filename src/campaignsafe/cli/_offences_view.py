"""How ``campaignsafe checklist offences`` looks: the disclaimer first, then each offence."""

from typing import TYPE_CHECKING, Any

from campaignsafe.cli._checklist_view import danger, sources_view
from campaignsafe.guidance.checklist import NOT_ADVICE
from campaignsafe.guidance.content import NATION_NAMES, nations_text

if TYPE_CHECKING:
    from rich.console import RenderableType

    from campaignsafe.guidance.offences import Offence


def bullets(lines: list[str]) -> "RenderableType":
    """A dash list whose wrapped lines keep their indent."""
    from rich.table import Table
    from rich.text import Text

    grid = Table.grid(padding=(0, 1))
    grid.add_column(no_wrap=True)
    grid.add_column(ratio=1)
    for line in lines:
        grid.add_row("  -", Text(line))
    return grid


def offence_json(offence: "Offence") -> dict[str, Any]:
    """One offence with its sources resolved."""
    data = offence.model_dump()
    data["description"] = " ".join(offence.description.split())
    data["sources"] = [
        {"key": k, **s.as_dict()} for k, s in zip(offence.sources, offence.resolved_sources(), strict=True)
    ]
    return data


def offences_json(
    found: list["Offence"],
    nation: str | None,
    kind: str | None,
    nation_from: str | None = None,
    saved_by: str | None = None,
) -> dict[str, Any]:
    """The ``checklist offences --json`` object: the disclaimer first, then the offences; ``nation_from`` names
    the profile's force when the nation was taken from it, ``saved_by`` the checklist profile that saved it."""
    from campaignsafe.guidance.offences import disclaimer

    return {
        "schema_version": 1,
        "disclaimer": " ".join(disclaimer().split()),
        "nation": nation,
        "nation_from_profile_force": nation_from,
        "nation_saved_by_profile": saved_by,
        "kind": kind,
        "offences": [offence_json(o) for o in found],
    }


def show_offences(
    found: list["Offence"],
    nation: str | None,
    kind: str | None,
    nation_from: str | None = None,
    saved_by: str | None = None,
) -> None:
    """Each offence: where it applies, statute, what it covers, examples, penalty and sources."""
    from rich.markup import escape
    from rich.text import Text

    from campaignsafe.cli._checklist_view import FullRule
    from campaignsafe.cli._render import console
    from campaignsafe.guidance.offences import disclaimer

    out = console()
    danger(out)
    out.print(" ".join(disclaimer().split()), style="bold")
    from campaignsafe.incidents import kinds

    where = f"in {NATION_NAMES[nation]}" if nation else "across the UK (each says where it applies)"
    if nation_from:
        where += f" (your profile's force, {escape(nation_from)}; every nation: --nation all)"
    elif saved_by:
        where += f" (saved for checklist profile {escape(saved_by)}; another: --nation)"
    what = f" that may apply to {escape(kinds.label(kind).lower())}" if kind else ""
    out.print(f"{len(found)} offence{'' if len(found) == 1 else 's'}{what} {where}.")
    for o in found:
        out.print()
        out.print(FullRule(Text.from_markup(f"[bold]{escape(o.title)}[/]")))
        out.print(f"{escape(o.law)} · {nations_text(o.nations)}")
        out.print(escape(" ".join(o.description.split())))
        out.print("Examples:")
        out.print(bullets(o.examples))
        if o.max_penalty:
            out.print(f"Maximum penalty: {escape(o.max_penalty)}")
        out.print(f"Relates to: {', '.join(o.incident_kinds)} · id {o.id}", style="dim")
        out.print(sources_view(o.resolved_sources()), crop=False)
    out.print()
    out.print(NOT_ADVICE)
