"""``campaignsafe profile``: who keeps the record, and the initials used for exhibit references."""

from typing import Annotated, Any

import typer

from campaignsafe.cli._options import JsonOpt


def _opt(name: str, text: str) -> Any:
    return typer.Option(name, help=text, show_default=False)


Text = str | None


def profile(
    name: Annotated[Text, _opt("--name", "Your name, as on a police statement.")] = None,
    role: Annotated[Text, _opt("--role", "e.g. candidate, election agent, councillor, staff.")] = None,
    constituency: Annotated[Text, _opt("--constituency", "Your constituency, ward or division.")] = None,
    phone: Annotated[Text, _opt("--phone", "A phone number the police can use.")] = None,
    email: Annotated[Text, _opt("--email", "An email address the police can use.")] = None,
    initials: Annotated[Text, _opt("--initials", "Exhibit reference prefix (default: from your name).")] = None,
    force: Annotated[Text, _opt("--force", "Your police force (default: from the constituency).")] = None,
    json_out: JsonOpt = False,
) -> None:
    """Show or set who keeps the record: name, role, constituency, contact details and initials.

    The initials start every exhibit reference (JS/1, JS/2, …). Set them once: exhibits keep
    the reference they were given, and new initials start a new series. Stored only on this
    computer; give "" to clear a field.

    Example: campaignsafe profile --name "Jo Smith" --role candidate --constituency "Bath" --initials JS
    """
    from campaignsafe import profile as store
    from campaignsafe.cli._render import print_json

    values = {"name": name, "role": role, "constituency": constituency, "phone": phone, "email": email}
    values |= {"initials": initials, "force_id": force}
    before = store.load()
    current = store.update(values) if any(v is not None for v in values.values()) else before
    if json_out:
        print_json({"schema_version": 1, **current.model_dump()})
        return
    if before.initials and current.initials != before.initials:
        print(f"Exhibits already numbered keep {before.initials}/…; new ones will be {current.initials}/1, …")
    _show(current)
    if constituency and not force and not _known_constituency(constituency):
        from campaignsafe.cli._panel import say

        now = _force_name(current.force_id)
        kept = f"is still {now}" if now else "is not set"
        say(
            "Note: that is not a Westminster constituency campaignsafe knows (a ward or division is kept as you "
            f"wrote it), so your police force {kept}: set it with campaignsafe profile --force FORCE "
            "(e.g. --force kent), or find it with campaignsafe contact POSTCODE.",
            6,
        )


def _known_constituency(text: str) -> bool:
    from campaignsafe.contact import places
    from campaignsafe.errors import CampaignsafeError

    try:
        places.find(text, kinds=("constituency",))
    except CampaignsafeError:
        return False
    return True


def _force_name(force_id: str | None) -> str | None:
    from campaignsafe.contact.forces import force_routes

    return (force_routes(force_id) or {}).get("name", force_id) if force_id else None


def _show(p: Any) -> None:
    rows = [
        ("Name", p.name),
        ("Role", p.role),
        ("Constituency", p.constituency),
        ("Police force", _force_name(p.force_id)),
        ("Phone", p.phone),
        ("Email", p.email),
        ("Initials", p.initials and f"{p.initials} (exhibits {p.initials}/1, {p.initials}/2, …)"),
    ]
    if not any(v for _k, v in rows):
        from campaignsafe.cli._panel import say

        say('No profile yet. Set it: campaignsafe profile --name "Jo Smith" --role candidate --initials JS')
        return
    from campaignsafe.cli._panel import lay_out, width

    for label, value in rows:
        print(f"{label:<13} " + "\n".join(lay_out(str(value or "-"), width(), 14, 14)))
