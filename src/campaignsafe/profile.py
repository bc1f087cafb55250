"""The person keeping the record: name, role, constituency, contact details and exhibit initials.

Kept in ``profile.json`` in the data folder (0600, written atomically). The initials prefix
every exhibit reference (``JS/1``); they are set once (from the name, unless given) and
changing them later starts a new series without renumbering earlier exhibits.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError, field_validator

from campaignsafe import paths, usertext
from campaignsafe.contact.contacts import EMAIL
from campaignsafe.errors import CampaignsafeError, InputError, StoreError

FIELDS = ("name", "role", "constituency", "phone", "email", "initials", "force_id")


def _blank_to_none(value: Any) -> Any:
    return None if isinstance(value, str) and not value.strip() else value


#: every field is one line of at most ``usertext.NAME_MAX`` characters, under the one text rule.
Opt = Annotated[
    Annotated[str, Field(max_length=usertext.NAME_MAX)] | None,
    BeforeValidator(_blank_to_none),
    BeforeValidator(usertext.checker(multiline=False, limit=usertext.NAME_MAX)),
]


class Profile(BaseModel):
    """Who is keeping the record (the producer of the exhibits)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    name: Opt = None
    role: Opt = None
    constituency: Opt = None
    phone: Opt = None
    email: Opt = None
    initials: Opt = None
    force_id: Opt = None

    @field_validator("initials")
    @classmethod
    def _initials(cls, value: str | None) -> str | None:
        if value is None:
            return None
        value = re.sub(r"[\s.]", "", value).upper()
        if not re.fullmatch(r"[A-Z]{1,4}", value):
            raise ValueError("initials are 1 to 4 letters, e.g. JS")
        return value

    @field_validator("email")
    @classmethod
    def _email(cls, value: str | None) -> str | None:
        if value is not None and not EMAIL.fullmatch(value):
            raise ValueError("is not an email address")
        return value


def initials_from(name: str) -> str | None:
    """``Jo Smith`` → ``JS``; up to four letters from the words of a name (titles left out)."""
    import unicodedata

    words = [w for w in re.split(r"[\s\-]+", name) if w and w.lower().strip(".") not in _TITLES]
    firsts = unicodedata.normalize("NFKD", "".join(w[0] for w in words)).upper()  # É → E + accent
    letters = "".join(ch for ch in firsts if "A" <= ch <= "Z")
    return letters[:4] or None


_TITLES = {"mr", "mrs", "ms", "miss", "mx", "dr", "cllr", "sir", "dame", "rev", "prof", "lord", "lady"}


def _places(current: dict[str, Any], values: dict[str, str | None]) -> None:
    """Match a constituency to its proper name (and its main force); a force name to its id."""
    from campaignsafe.contact import places

    force, area = values.get("force_id"), values.get("constituency")
    if force:
        current["force_id"] = places.find(force, kinds=("force",))[0].code
    if area:
        try:
            place, _exact = places.find(area, kinds=("constituency",))
        except CampaignsafeError:
            return  # a ward or council division: kept as typed
        current["constituency"] = place.name
        if not force:
            from campaignsafe.contact.resolve import resolve

            forces = resolve(place.name).main_forces
            current["force_id"] = forces[0]["id"] if forces else current.get("force_id")


def _file() -> Path:
    return paths.home() / "profile.json"


def load() -> Profile:
    """The saved profile (empty when none is saved)."""
    from campaignsafe.inputfiles import read_data_file

    path = _file()
    raw = read_data_file(path, "your profile")
    if raw is None:
        return Profile()
    try:
        data = json.loads(raw)
        data.pop("version", None)
        return Profile.model_validate(data)
    except (OSError, ValueError, AttributeError, TypeError, RecursionError):  # [1, 2]; [[[…]]] nested deep
        raise StoreError(
            f"your profile {path} cannot be read",
            f"move it aside (e.g. rename it to {path.name}.bad) and set your profile again",
            code="profile_corrupt",
        ) from None


def update(values: dict[str, str | None]) -> Profile:
    """Set the given fields (``""`` clears one); initials default to the name's. Returns the profile."""
    unknown = sorted(set(values) - set(FIELDS))
    if unknown:
        raise InputError(f"unknown profile field {unknown[0]!r}", "fields: " + ", ".join(FIELDS))
    path = _file()
    with paths.locked(path):
        current = load().model_dump()
        current.update({k: v for k, v in values.items() if v is not None})
        _places(current, values)
        if current.get("name") and not current.get("initials") and values.get("initials") is None:
            current["initials"] = initials_from(current["name"])
        try:
            profile = Profile.model_validate(current)
        except ValidationError as exc:
            first = exc.errors()[0]
            message = str(first["msg"]).removeprefix("Value error, ")
            raise InputError(f"{first['loc'][0]}: {message}", code="bad_profile") from None
        data = profile.model_dump(exclude_none=True)
        paths.atomic_write(path, json.dumps({"version": 1, **data}, ensure_ascii=False, indent=2) + "\n")
    return profile
