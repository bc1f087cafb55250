"""The user's own police contacts (election SPOC, adviser, officer), kept in their private data folder."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from campaignsafe import paths, usertext
from campaignsafe.errors import InputError, StoreError

ROLES = ("spoc", "adviser", "officer")
#: other names a role is given by: the guidance calls the adviser the FEOA
_ROLE_NAMES = {"feoa": "adviser", "advisor": "adviser", "force-elected-official-adviser": "adviser"}
ROLE_LABELS = {"spoc": "Election SPOC", "adviser": "Force Elected-Official Adviser", "officer": "Officer"}
#: a saved contact's label in the contact panel, where the long name would squeeze every other row
PANEL_ROLES = {"spoc": "election SPOC", "adviser": "adviser (FEOA)", "officer": "officer"}
#: the same inside a sentence ("your election SPOC", as the guidance says it)
ROLE_IN_TEXT = {"spoc": "election SPOC", "adviser": "Force Elected-Official Adviser", "officer": "officer"}
FIELDS = ("name", "phone", "email", "notes")
EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")


def _file() -> Path:
    return paths.home() / "contacts.json"


def load() -> list[dict[str, Any]]:
    """Every saved contact, in the order saved."""
    from campaignsafe.inputfiles import read_data_file

    path = _file()
    raw = read_data_file(path, "your saved contacts file")
    if raw is None:
        return []
    try:
        data = json.loads(raw.decode("utf-8"))
        contacts = data["contacts"]
        if not isinstance(contacts, list) or not all(_well_formed(c) for c in contacts):
            raise TypeError
        return contacts
    except (OSError, ValueError, KeyError, TypeError, RecursionError):
        raise StoreError(
            f"your saved contacts file {path} cannot be read",
            f"move it aside (e.g. rename it to {path.name}.bad) and save your contacts again",
            code="contacts_corrupt",
        ) from None


def _well_formed(contact: Any) -> bool:
    """A saved contact is an object of short strings (anything else was not written by us)."""
    return isinstance(contact, dict) and all(
        isinstance(k, str) and isinstance(v, str) and len(v) <= usertext.LINE_MAX for k, v in contact.items()
    )


def for_force(force_id: str) -> list[dict[str, Any]]:
    """Saved contacts for one force."""
    return [c for c in load() if c.get("force") == force_id]


def save(force_id: str, role: str, values: dict[str, str | None]) -> tuple[dict[str, Any], dict[str, str]]:
    """Add a contact, or merge the given fields into the saved one; returns (record, what changed).

    The saved entry is the one for (force, role, name), or with no --name the only one for (force, role).
    A field not given is kept; a field given as "" is cleared. ``changes`` maps each field given to
    "added", "changed", "cleared" or "unchanged"; it is empty for a new entry.
    """
    role = role_id(role)
    given: dict[str, str] = {}
    for key in FIELDS:
        value = values.get(key)
        if value is not None:
            limit = usertext.LINE_MAX if key == "notes" else usertext.NAME_MAX
            given[key] = usertext.clean(value, f"--{key}", limit=limit)
    email = given.get("email")
    if email and not EMAIL.fullmatch(email):
        raise InputError("--email is not an email address", "e.g. jane.smith@example.police.uk", code="bad_contact")
    path = _file()
    with paths.locked(path):
        contacts = load()
        old = _existing(contacts, force_id, role, given.get("name"))
        record: dict[str, Any] = dict(old) if old is not None else {"force": force_id, "role": role}
        changes: dict[str, str] = {}
        for key, value in given.items():
            before = record.pop(key, None)
            if value:
                record[key] = value
            if old is not None:
                changes[key] = _change(before, value or None)
        if not any(k in record for k in ("name", "phone", "email")):
            raise InputError("give at least a --name, --phone or --email", code="empty_contact")
        contacts = [c for c in contacts if c is not old]
        contacts.append(record)
        _write(path, contacts)
    return record, changes


def role_id(text: str) -> str:
    """The role id ``text`` names (``spoc``, ``adviser``, ``officer``; ``FEOA`` is the adviser); InputError else."""
    key = text.strip().casefold()
    role = _ROLE_NAMES.get(key, key)
    if role not in ROLES:
        raise InputError(f"unknown role {text!r}", "use one of: spoc, adviser (the FEOA), officer", code="bad_role")
    return role


def _existing(contacts: list[dict[str, Any]], force_id: str, role: str, name: str | None) -> dict[str, Any] | None:
    """The saved entry a save updates: same force, role and name; with no name, the only one for force and role."""
    same_role = [c for c in contacts if c.get("force") == force_id and c.get("role") == role]
    if name:
        return next((c for c in same_role if c.get("name", "").casefold() == name.casefold()), None)
    return same_role[0] if len(same_role) == 1 else None


def _change(before: str | None, after: str | None) -> str:
    if before == after:
        return "unchanged"
    if after is None:
        return "cleared"
    return "added" if before is None else "changed"


def remove(force_id: str, role: str | None) -> int:
    """Remove saved contacts for a force (optionally one role); returns how many were removed."""
    role = None if role is None else role_id(role)
    path = _file()
    with paths.locked(path):
        contacts = load()
        keep = [c for c in contacts if not (c.get("force") == force_id and (role is None or c.get("role") == role))]
        _write(path, keep)
    return len(contacts) - len(keep)


def _write(path: Path, contacts: list[dict[str, Any]]) -> None:
    paths.atomic_write(path, json.dumps({"version": 1, "contacts": contacts}, ensure_ascii=False, indent=2) + "\n")
