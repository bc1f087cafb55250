"""From raw input to stored incidents: validate everything first, then write all or nothing.

``check`` lists every problem across every incident (bad dates, unknown kinds, postcodes that
do not exist, missing or unreadable files) before anything is written; ``save`` copies the
evidence and stores the incidents in one transaction; ``attach`` and ``remove`` add exhibits
to and delete incidents, keeping the evidence folder in step with the database.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from campaignsafe.errors import CampaignsafeError, InputError, StoreError
from campaignsafe.incidents import blobs, evidence, inputs
from campaignsafe.incidents.models import (
    Evidence,
    EvidenceIn,
    Incident,
    IncidentIn,
    Location,
    LocationIn,
    StoredFile,
)
from campaignsafe.incidents.problems import Problems, pydantic_problems
from campaignsafe.incidents.store import Deleted, NewEvidence, Store
from campaignsafe.incidents.when import now


@dataclass
class Checked:
    """A validated incident, its location with the force worked out, and where its files are."""

    incident: IncidentIn
    location: Location
    base: Path


@dataclass
class Added:
    """An exhibit after ``attach``: ``new`` when just numbered (False: that file was already an
    exhibit of the incident), ``repaired`` when a damaged or missing stored copy was put right."""

    evidence: Evidence
    new: bool
    repaired: bool = False


@dataclass
class _Copies:
    """Stored copies written while preparing exhibits: created (removed again on failure) and repaired."""

    created: list[str]
    repaired: list[str]
    store: blobs.Blobs


def resolve_location(loc: LocationIn) -> Location:
    """The location with its force and nation, from ``force_id`` if given, else the postcode."""
    from campaignsafe.contact import postcode as pc

    data = loc.model_dump()
    if loc.postcode:
        if not pc.looks_like_postcode(loc.postcode):
            raise InputError("not a postcode (e.g. SW1A 1AA)", code="bad_postcode")
        from campaignsafe.contact.resolve import resolve

        try:
            answer = resolve(loc.postcode)
        except CampaignsafeError as exc:  # the lookup's message quotes the postcode: name the field instead
            from campaignsafe.contact.index import postcode_list

            reason = exc.message.partition(": ")[2]  # after the postcode (letters, digits, spaces: no colon)
            if exc.code == "malformed_postcode" and reason:
                exc.message = f"that is not a valid postcode: {reason}"
            elif exc.code == "outside_uk_police":  # its message names the postcode: the island's service instead
                name = (getattr(exc, "crown", None) or {}).get("name")
                service = f"the {name}" if name else "its own police service"
                exc.message = f"that postcode is in a Crown Dependency, outside UK police forces (contact {service})"
            elif exc.code in ("bfpo_postcode", "non_geographic_postcode"):
                pass  # its message quotes nothing typed: it says why no force covers it
            else:
                exc.message = "that postcode does not exist"
            if exc.code == "postcode_not_found":  # its district exists: perhaps newer than the list built in
                exc.message += f" (it is not in {postcode_list()})"
            exc.args = (exc.message,)
            exc.hint = "check it, or give the force instead (--force, or force_id in a file)"
            raise
        data["postcode"] = answer.postcode or answer.matched or loc.postcode.upper()
        main = answer.main_forces
        if len(main) == 1 or (main and main[0].get("share", 0) >= 0.5):
            data.update(force_id=main[0]["id"], force_name=main[0]["name"], nation=answer.nation)
    if loc.force_id:
        data.update(_force(loc.force_id))
    return Location.model_validate(data)


def _force(text: str) -> dict[str, Any]:
    from campaignsafe.contact.places import force_nation
    from campaignsafe.incidents.listing import find_force

    place = find_force(text)
    out = {"force_id": place.code, "force_name": place.name, "nation": force_nation(place.code)}
    return out if out["nation"] else {k: v for k, v in out.items() if k != "nation"}  # BTP: the postcode's nation


def _outside(base: Path, value: str) -> bool:
    """Whether ``value`` (relative to ``base``, links followed) leads out of the folder ``base``."""
    try:
        return not (base / value).resolve().is_relative_to(base.resolve())
    except (OSError, RuntimeError):  # a link loop: it cannot be read from inside either
        return True


def _file_problems(raw: Any, base: Path, prefix: str, confined: bool = False) -> list[str]:
    """Problems with the evidence files named in ``raw``; with ``confined`` they must lie inside ``base``."""
    out: list[str] = []
    items = raw.get("evidence") if isinstance(raw, dict) else None
    for i, ev in enumerate(items if isinstance(items, list) else []):
        for key in ("path", "screenshot"):
            value = ev.get(key) if isinstance(ev, dict) else None
            if not (isinstance(value, str) and value.strip()):
                continue
            where = f"{prefix}evidence #{i + 1}.{key}"
            if confined and _outside(base, value):
                out.append(f"{where}: the file is outside the folder of the import file; put the file beside it")
                continue
            found = evidence.problem(str(base / value))
            if found:
                out.append(f"{where}: {found}")
    return out


def _location_problem(raw: Any, prefix: str) -> tuple[Location | None, list[str]]:
    loc = raw.get("location") if isinstance(raw, dict) else None
    try:
        parsed = LocationIn.model_validate(loc)
    except ValidationError:  # reported with the rest of the record; its postcode is still checked
        given = loc.get("postcode") if isinstance(loc, dict) else None
        return None, _postcode_problem(given, prefix) if isinstance(given, str) and given.strip() else []
    try:
        return resolve_location(parsed), []
    except CampaignsafeError as exc:
        field = "force_id" if parsed.force_id and "force" in exc.message else "postcode"
        return None, [f"{prefix}location.{field}: {exc.message}"]


def _postcode_problem(postcode: str, prefix: str) -> list[str]:
    """A postcode's problem on its own (when the rest of the location is wrong too: all are listed at once)."""
    try:
        resolve_location(LocationIn.model_validate({"text": "(checking the postcode)", "postcode": postcode}))
    except ValidationError:
        return []  # a postcode the model refuses is already among the record's problems
    except CampaignsafeError as exc:
        return [f"{prefix}location.postcode: {exc.message}"]
    return []


def check(items: Sequence[Any], base: Path | None = None) -> list[Checked]:
    """Validate every incident; raise ``Problems`` listing everything wrong with any of them.

    ``base`` is the folder of an import file: evidence paths are read relative to it and must
    lie inside it (the file's own folder or below). Without it (flags, prompts) the paths are
    the user's own, relative to the current folder, and may be anywhere.
    """
    confined = base is not None
    base = base or Path.cwd()
    problems: list[str] = []
    checked: list[Checked] = []
    for n, raw in enumerate(items, start=1):
        prefix = f"the file's {inputs.ordinal(n)} incident: " if len(items) > 1 else ""  # not a stored id
        location, found = _location_problem(raw, prefix)
        problems += found
        try:
            incident = IncidentIn.model_validate(raw)
        except ValidationError as exc:
            problems += [prefix + p for p in pydantic_problems(exc)]
            incident = None
        problems += _file_problems(raw, base, prefix, confined)
        if incident is not None and location is not None:
            checked.append(Checked(incident, location, base))
    if problems:
        raise Problems(problems)
    if any(c.incident.evidence for c in checked) and not producer():
        raise _no_initials()
    return checked


def producer() -> str | None:
    """The initials that prefix exhibit references (from the profile)."""
    from campaignsafe import profile

    return profile.load().initials


def _no_initials() -> InputError:
    return InputError(
        "evidence needs your initials for its exhibit references (JS/1, JS/2, …); nothing was saved",
        "set them once: campaignsafe profile --name 'Jo Smith' --initials JS",
        code="no_initials",
    )


def _ingest(path: Path, copies: _Copies) -> StoredFile:
    got = copies.store.ingest(str(path))
    if got.created:
        copies.created.append(got.stored.sha256)
    if got.repaired:
        copies.repaired.append(got.stored.sha256)
    return got.stored


def _prepare(items: Sequence[EvidenceIn], base: Path, copies: _Copies) -> list[NewEvidence]:
    out = []
    for ev in items:
        added = now().replace(microsecond=0)
        if ev.path:
            out.append(NewEvidence("file", added, file=_ingest(base / ev.path, copies), note=ev.note))
            continue
        shot = _ingest(base / ev.screenshot, copies) if ev.screenshot else None
        platform = ev.platform or inputs.platform_of(ev.url or "")
        # when it was seen only as the user gave it: never the time it was recorded (added_at says that)
        out.append(NewEvidence("url", added, None, ev.url, platform, ev.seen_at, shot, ev.note))
    return out


def save(checked: Sequence[Checked]) -> list[Incident]:
    """Store checked incidents and copy their evidence: all of them, or (on any failure) none."""
    if not any(c.incident.evidence for c in checked):
        with Store.open() as store:
            return store.add([(c.incident, c.location, []) for c in checked], None)
    with blobs.held() as held:
        copies = _Copies([], [], held)
        try:
            rows = [(c.incident, c.location, _prepare(c.incident.evidence, c.base, copies)) for c in checked]
            with Store.open() as store:
                return store.add(rows, producer())
        except BaseException:
            held.remove(copies.created)
            raise


def attach(incident_id: int, items: Sequence[EvidenceIn], base: Path | None = None) -> list[Added]:
    """Add exhibits to a stored incident; every file is checked first.

    A file that is already an exhibit of the incident is not numbered again, but its stored
    copy is put right when it was damaged or missing (``Added.repaired``).
    """
    base = base or Path.cwd()
    with Store.open() as store:
        store.get(incident_id)  # NotFoundError before anything else
        problems = _file_problems({"evidence": [i.model_dump() for i in items]}, base, "")
        if problems:
            raise Problems(problems)
        initials = producer()
        if not initials:
            raise _no_initials()
        with blobs.held() as held:
            copies = _Copies([], [], held)
            try:
                added = store.add_evidence(incident_id, _prepare(items, base, copies), initials)
            except BaseException:
                held.remove(copies.created)
                raise
    out = []
    for item, new in added:
        # a copy repaired, or (for a file already an exhibit here) a missing copy written again
        fixed = set(copies.repaired) | (set() if new else set(copies.created))
        out.append(Added(item, new, any(h in fixed for h in item.hashes())))
    return out


def remove(incident_id: int) -> Deleted:
    """Delete an incident and the stored files no other incident uses."""
    with Store.open() as store:
        deleted = store.delete(incident_id)
        unused = [h for h in deleted.unused_files if not store.file_in_use(h)]
        try:
            with blobs.held() as held:  # waits for an export or a backup holding the copies (up to a minute)
                deleted.unused_files = held.remove(unused)
        except StoreError as exc:
            if exc.code != "store_locked":
                raise
            deleted.unused_files, deleted.kept_files = [], unused  # the incident is deleted: say so, keep these
    return deleted


def platform_near_known(incident: Incident) -> tuple[str, str] | None:
    """``(id, label)`` of the platform campaignsafe knows that ``incident``'s platform is one slip from (``Twiter``:
    ``("x", "X")``); ``incidents links`` matches handles by platform, so it is worth a word. None otherwise."""
    from campaignsafe.incidents import identifiers

    near = identifiers.near_platform(incident.platform)
    return (near, identifiers.platform_label(near)) if near else None


def postcode_in_words(incidents: Sequence[Incident]) -> list[int]:
    """The ids of ``incidents`` whose place's words hold a full postcode though the place has no postcode or force
    (a file's place is taken as written, where the guided form offers such a postcode)."""
    from campaignsafe.contact.postcode import find_in

    return [i.id for i in incidents if not i.location.postcode and not i.location.force_id and find_in(i.location.text)]
