"""Checklist answers, one private file per profile (``<home>/checklist/<profile>.json``).

An agent keeps progress for the candidate, themselves and each volunteer under separate
profiles. Every change is a locked read-modify-write followed by an atomic replace, so two
processes answering at once both keep their answer and a crash never leaves half a file.
Answers are kept by item id, including ids this build's guidance no longer has: those are
reported by the checklist views, never dropped. A file that cannot be read is refused with
a way out (move it aside, or ``campaignsafe checklist reset``), never overwritten.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, ValidationError

from campaignsafe import paths, usertext
from campaignsafe.errors import InputError, NotFoundError, StoreError
from campaignsafe.guidance.content import Nation, Role

Status = Literal["todo", "done", "na"]
STATUSES: tuple[Status, ...] = ("todo", "done", "na")
DEFAULT_PROFILE = "default"
SCHEMA_VERSION = 1
NOTE_MAX = 2000
_PROFILE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,39}$")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Answer(_Strict):
    """One recorded answer: todo ("not yet"), done or na (not applicable)."""

    status: Status
    note: str | None = Field(default=None, max_length=NOTE_MAX)
    answered_at: AwareDatetime


class Defaults(_Strict):
    """The role and nation a profile's views are filtered by unless an option says otherwise: ``all`` is every
    role or nation, saved; None is none saved (the nation of the profile's force, and for the default
    checklist profile the role in ``campaignsafe profile``, then apply)."""

    role: Role | Literal["all"] | None = None
    nation: Nation | Literal["all"] | None = None


class Progress(_Strict):
    """A profile's whole file."""

    version: Literal[1] = 1
    profile: str
    defaults: Defaults = Field(default_factory=Defaults)
    answers: dict[str, Answer] = Field(default_factory=dict)


@dataclass(frozen=True)
class ProfileSummary:
    """One profile as ``checklist profiles`` lists it; ``error`` is set when its file is unreadable."""

    name: str
    path: Path
    progress: Progress | None
    error: str | None = None


def profile_name(name: str | None) -> str:
    """A safe profile name (lower-cased): letters, digits, - and _, up to 40 characters."""
    if name is None:
        return DEFAULT_PROFILE
    cleaned = name.strip().lower()
    if not _PROFILE.match(cleaned):
        raise InputError(
            f"{name!r} cannot be a profile name",
            "use up to 40 letters, digits, - or _, starting with a letter or digit (e.g. jane-smith)",
            code="bad_profile",
        )
    return cleaned


def folder() -> Path:
    """Where the profiles' files live (not created)."""
    return paths.home() / "checklist"


def progress_path(profile: str) -> Path:
    """The file holding ``profile``'s answers."""
    return folder() / f"{profile_name(profile)}.json"


def _corrupt(path: Path, profile: str, why: str) -> StoreError:
    return StoreError(
        f"your checklist progress file {path} cannot be read ({why})",
        f"move it aside (e.g. rename it to {path.name}.bad), or run "
        f"`campaignsafe checklist reset --profile {profile}` to set it aside and start again",
        code="progress_corrupt",
    )


def _read(path: Path, profile: str) -> Progress:
    from campaignsafe.inputfiles import read_data_file

    data = read_data_file(path, "your checklist progress file")
    if data is None:
        return Progress(profile=profile)
    try:
        raw = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise _corrupt(path, profile, f"not valid JSON: {exc}") from None
    except RecursionError:
        raise _corrupt(path, profile, "not valid JSON: nested too deeply") from None
    if isinstance(raw, dict) and isinstance(raw.get("version"), int) and raw["version"] > SCHEMA_VERSION:
        raise StoreError(
            f"your checklist progress file {path} was written by a newer campaignsafe (format {raw['version']})",
            "upgrade campaignsafe to use it; this version will not change it",
            code="progress_newer",
        )
    try:
        progress = Progress.model_validate(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "top level"
        raise _corrupt(path, profile, f"{where}: {first['msg']}") from None
    if progress.profile != profile:  # the file was renamed or copied to make another profile: the name wins
        progress.profile = profile
    return progress


def _write(path: Path, progress: Progress) -> None:
    text = json.dumps(progress.model_dump(mode="json"), ensure_ascii=False, indent=2) + "\n"
    paths.atomic_write(path, text)


def load(profile: str | None = None) -> Progress:
    """``profile``'s answers and defaults (empty when nothing has been saved yet)."""
    name = profile_name(profile)
    return _read(progress_path(name), name)


def record(profile: str | None, item_id: str, status: str, note: str | None = None) -> Answer:
    """Save one answer now. ``note=None`` keeps an earlier note; ``""`` clears it."""
    if status not in STATUSES:
        raise InputError(f"unknown status {status!r}", "use one of: " + ", ".join(STATUSES), code="bad_status")
    name = profile_name(profile)
    path = progress_path(name)
    with paths.locked(path):
        progress = _read(path, name)
        earlier = progress.answers.get(item_id)
        if note is None:
            kept = earlier.note if earlier else None
        else:
            kept = usertext.clean(note, "the note", multiline=True, limit=NOTE_MAX) or None
        answer = Answer.model_validate(
            {"status": status, "note": kept, "answered_at": datetime.now(UTC).replace(microsecond=0)}
        )
        progress.answers[item_id] = answer
        _write(path, progress)
    return answer


#: saved as a default: none saved (back to the profile's role, or its force's nation)
CLEAR = "none"


def save_defaults(profile: str | None, role: str | None, nation: str | None) -> Progress:
    """Make ``role`` and ``nation`` the profile's defaults: None keeps the one saved, :data:`CLEAR` clears it."""
    name = profile_name(profile)
    path = progress_path(name)
    with paths.locked(path):
        progress = _read(path, name)
        saved = progress.defaults
        given = {"role": role, "nation": nation}
        progress.defaults = Defaults.model_validate(
            {k: getattr(saved, k) if v is None else None if v == CLEAR else v for k, v in given.items()}
        )
        _write(path, progress)
    return progress


def profiles() -> list[ProfileSummary]:
    """Every profile with a file, by name; unreadable files are listed with the reason."""
    base = folder()
    if not base.is_dir():
        return []
    out: list[ProfileSummary] = []
    for path in sorted(base.glob("*.json")):
        name = path.stem
        if not _PROFILE.match(name):
            continue
        try:
            out.append(ProfileSummary(name, path, _read(path, name)))
        except StoreError as exc:
            out.append(ProfileSummary(name, path, None, exc.message))
    return out


def reset(profile: str | None) -> Path:
    """Set ``profile``'s file aside (renamed, never deleted) so its answers start again; returns the new name.

    The saved role and nation (``checklist profiles --save``) are kept for the fresh start.
    """
    name = profile_name(profile)
    path = progress_path(name)
    with paths.locked(path):
        if not path.exists():
            raise NotFoundError(f"profile {name!r} has no saved progress", code="profile_not_found")
        try:  # the profile's saved role and nation are settings, not progress: they stay
            kept = _read(path, name).defaults
        except StoreError:
            kept = Defaults()  # a damaged file: nothing can be read from it to keep
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
        aside = path.with_name(f"{path.name}.{stamp}.bak")
        n = 1
        while aside.exists():
            n += 1
            aside = path.with_name(f"{path.name}.{stamp}-{n}.bak")
        try:
            path.rename(aside)
        except OSError as exc:
            raise StoreError(f"cannot move {path} aside: {exc.strerror}", code="progress_unreadable") from None
        if kept.role or kept.nation:
            _write(path, Progress(profile=name, defaults=kept))
    return aside
