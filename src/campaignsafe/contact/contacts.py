"""The user's own police contacts (election SPOC, adviser, officer), kept in their private data folder."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from campaignsafe import paths, usertext
from campaignsafe.errors import InputError, StoreError

ROLES = ("spoc", "adviser", "officer")
ROLE_LABELS = {"spoc": "Election SPOC", "adviser": "Force Elected-Official Adviser", "officer": "Officer"}
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


def save(force_id: str, role: str, values: dict[str, str | None]) -> dict[str, Any]:
    """Add or replace the contact for (force, role, name); returns the stored record."""
    if role not in ROLES:
        raise InputError(f"unknown role {role!r}", "use one of: " + ", ".join(ROLES), code="bad_role")
    record: dict[str, Any] = {"force": force_id, "role": role}
    for key in FIELDS:
        value = values.get(key)
        if value is not None:
            limit = usertext.LINE_MAX if key == "notes" else usertext.NAME_MAX
            value = usertext.clean(value, f"--{key}", limit=limit)
            if value:
                record[key] = value
    email = record.get("email")
    if email and not EMAIL.fullmatch(email):
        raise InputError("--email is not an email address", "e.g. jane.smith@example.police.uk", code="bad_contact")
    if not any(k in record for k in ("name", "phone", "email")):
        raise InputError("give at least a --name, --phone or --email", code="empty_contact")
    path = _file()
    with paths.locked(path):
        contacts = [c for c in load() if not _same(c, record)]
        contacts.append(record)
        _write(path, contacts)
    return record


def remove(force_id: str, role: str | None) -> int:
    """Remove saved contacts for a force (optionally one role); returns how many were removed."""
    path = _file()
    with paths.locked(path):
        contacts = load()
        keep = [c for c in contacts if not (c.get("force") == force_id and (role is None or c.get("role") == role))]
        _write(path, keep)
    return len(contacts) - len(keep)


def _same(a: dict[str, Any], b: dict[str, Any]) -> bool:
    return a.get("force") == b.get("force") and a.get("role") == b.get("role") and a.get("name") == b.get("name")


def _write(path: Path, contacts: list[dict[str, Any]]) -> None:
    paths.atomic_write(path, json.dumps({"version": 1, "contacts": contacts}, ensure_ascii=False, indent=2) + "\n")
