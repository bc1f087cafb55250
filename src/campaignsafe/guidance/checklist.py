"""The checklist as a profile sees it: guidance filtered by role and nation, joined to its answers.

Pure functions over :mod:`campaignsafe.guidance.content` and :mod:`campaignsafe.guidance.progress`; the
``campaignsafe checklist`` commands call these and only render the result.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, cast

from campaignsafe.errors import InputError
from campaignsafe.guidance import content as guidance
from campaignsafe.guidance import progress
from campaignsafe.guidance.content import Guidance, Item, Nation, Role, Topic
from campaignsafe.guidance.progress import Answer, Progress

SCHEMA_VERSION = 1
DANGER = "If you are in immediate danger, call 999."
NOT_ADVICE = (
    "campaignsafe gives information, not legal advice. Whether an offence has been committed is for "
    "the police and prosecutors to decide."
)
STATUS_WORDS = {"done": "done", "todo": "not yet", "na": "not applicable"}
_STATUS_ALIASES = {"not-yet": "todo", "notyet": "todo", "n/a": "na", "not-applicable": "na"}


@dataclass(frozen=True)
class Scope:
    """Whose checklist, and which items it covers (None: every role / every nation)."""

    profile: str
    role: Role | None
    nation: Nation | None
    #: the reporting profile's force the nation was taken from, when no option and no saved default gave one
    nation_from: str | None = None
    #: the reporting profile's role the role was taken from (the default checklist profile only), likewise
    role_from: str | None = None


@dataclass(frozen=True)
class Row:
    """One item with the profile's answer (None when not answered yet)."""

    topic: Topic
    item: Item
    answer: Answer | None

    @property
    def status(self) -> str:
        """todo, done or na; an item never answered is todo."""
        return self.answer.status if self.answer else "todo"

    @property
    def settled(self) -> bool:
        """Done or not applicable: nothing left to do."""
        return self.status in ("done", "na")


@dataclass(frozen=True)
class Counts:
    """How far a set of rows has got."""

    total: int
    done: int
    na: int
    todo: int
    unanswered: int

    @property
    def settled(self) -> int:
        """Done plus not applicable."""
        return self.done + self.na

    def as_dict(self) -> dict[str, int]:
        """The JSON ``progress`` object."""
        return {
            "total": self.total,
            "done": self.done,
            "na": self.na,
            "todo": self.todo,
            "unanswered": self.unanswered,
        }


@dataclass(frozen=True)
class View:
    """Everything the list, show, next and export commands need for one profile."""

    scope: Scope
    guidance: Guidance
    progress: Progress
    rows: tuple[Row, ...]

    def topic_rows(self, topic_id: str) -> list[Row]:
        """The rows of one topic (raises NotFoundError for an unknown id)."""
        topic = self.guidance.topic(topic_id)
        return [r for r in self.rows if r.topic.id == topic.id]

    def row(self, item_id: str) -> Row:
        """One item and its answer, even when the profile's role or nation leaves it out."""
        topic, item = self.guidance.item(item_id)
        return Row(topic, item, self.progress.answers.get(item.id))

    def orphans(self) -> dict[str, Answer]:
        """Saved answers to items this build's guidance no longer has (kept, and reported)."""
        return {k: a for k, a in self.progress.answers.items() if not self.guidance.has_item(k)}


def status_arg(value: str) -> str:
    """``done``, ``todo``/``not-yet``, ``na``/``n/a`` → the stored status."""
    key = value.strip().lower()
    key = _STATUS_ALIASES.get(key, key)
    if key not in progress.STATUSES:
        raise InputError(f"unknown status {value!r}", "use done, todo or na", code="bad_status")
    return key


def load_view(profile: str | None, role: str | None = None, nation: str | None = None) -> View:
    """The profile's checklist: ``role``/``nation`` override its saved defaults (``all`` clears them)."""
    name = progress.profile_name(profile)
    saved = progress.load(name)
    chosen_role, role_from, chosen_nation, nation_from = applying(name, saved.defaults)
    if role is not None:
        chosen_role, role_from = guidance.normalise_role(role), None
    if nation is not None:
        chosen_nation, nation_from = guidance.normalise_nation(nation), None
    data = guidance.load_guidance()
    rows = tuple(
        Row(topic, item, saved.answers.get(item.id))
        for topic, item in data.items()
        if item.applies_to(chosen_role, chosen_nation)
    )
    return View(Scope(name, chosen_role, chosen_nation, nation_from, role_from), data, saved, rows)


def applying(name: str, saved: progress.Defaults) -> tuple[Role | None, str | None, Nation | None, str | None]:
    """``(role, role_from, nation, nation_from)`` a profile's views take with no option: what it saved (``all``:
    every one), else the nation of the profile's force and, for the default checklist profile only (any other
    name is another person), the role in ``campaignsafe profile``; ``*_from`` names where a value came from."""
    role: Role | None = None if saved.role == "all" else saved.role
    nation: Nation | None = None if saved.nation == "all" else saved.nation
    role_from = nation_from = None
    if saved.nation is None:
        nation, nation_from = profile_nation()
    if saved.role is None and name == progress.DEFAULT_PROFILE:
        role, role_from = profile_role()
    return role, role_from, nation, nation_from


def default_nation(profile: str | None) -> tuple[Nation | None, str | None, str | None]:
    """``(nation, force_name, saved_by)`` for a view with no ``--nation`` outside a checklist (``checklist
    offences``): the nation the checklist profile saved (``saved_by`` its name; ``all``: None), else that of the
    profile's force (``force_name``). A damaged progress file is refused, as the checklist refuses it."""
    name = progress.profile_name(profile)
    saved = progress.load(name).defaults
    _role, _role_from, nation, force_name = applying(name, saved)
    return nation, force_name, name if saved.nation is not None else None


def profile_role() -> tuple[Role | None, str | None]:
    """The checklist role named by the role in the reporting person's profile (``candidate``, ``election
    agent``, ``volunteer``) and that role as given; ``(None, None)`` when it names none or more than one."""
    from campaignsafe.incidents.listing import profile_field

    given = profile_field("role")
    words = set(re.findall(r"[a-z]+", given.lower())) if given else set()
    named = [r for r in guidance.ROLES if r in words or f"{r}s" in words]
    if len(named) != 1:
        return None, None
    return named[0], given


def profile_nation() -> tuple[Nation | None, str | None]:
    """The nation of the force in the reporting person's profile (``campaignsafe profile --force``) and that
    force's name; ``(None, None)`` with no profile force, or one that covers more than one nation (BTP)."""
    from campaignsafe.contact.forces import force_routes
    from campaignsafe.incidents.listing import profile_force_id

    force_id = profile_force_id()
    routes = force_routes(force_id) if force_id else None
    nation = routes.get("nation") if routes else None
    if routes is None or nation not in guidance.NATIONS:
        return None, None
    return cast(Nation, nation), str(routes.get("name") or force_id)


def count(rows: list[Row] | tuple[Row, ...]) -> Counts:
    """Done, not applicable, not yet and never answered, over ``rows``."""
    done = sum(1 for r in rows if r.status == "done")
    na = sum(1 for r in rows if r.status == "na")
    unanswered = sum(1 for r in rows if r.answer is None)
    return Counts(len(rows), done, na, len(rows) - done - na - unanswered, unanswered)


def by_topic(view: View) -> list[tuple[Topic, list[Row]]]:
    """Rows grouped by topic in checklist order, leaving out topics with nothing in scope."""
    out: list[tuple[Topic, list[Row]]] = []
    for topic in view.guidance.topics:
        rows = [r for r in view.rows if r.topic.id == topic.id]
        if rows:
            out.append((topic, rows))
    return out


def run_queue(view: View, topic_id: str | None) -> tuple[list[Row], bool]:
    """The items ``checklist run`` asks, and whether they are a second pass over "not yet" answers.

    First pass: every unanswered item (of one topic, or essentials first across all topics).
    Once everything has an answer, the items still marked "not yet".
    """
    rows = view.topic_rows(topic_id) if topic_id else list(view.rows)
    if topic_id is None:
        rows = sorted(rows, key=lambda r: r.item.priority != "essential")  # stable: keeps checklist order
    fresh = [r for r in rows if r.answer is None]
    if fresh:
        return fresh, False
    return [r for r in rows if r.status == "todo"], True


def next_rows(view: View, limit: int | None) -> list[Row]:
    """Items not done yet, most important first: essentials, and within each the ones you marked
    "not yet" (you have seen them and they are still to do) before those never answered."""
    open_rows = [r for r in view.rows if not r.settled]
    ranked = sorted(open_rows, key=lambda r: (r.item.priority != "essential", r.answer is None))
    return ranked if limit is None else ranked[:limit]


def source_json(data: Guidance, key: str) -> dict[str, str]:
    """One source as JSON, with the key items cite it by."""
    return {"key": key, **data.sources[key].as_dict()}


def row_json(data: Guidance, row: Row, notes: bool = True) -> dict[str, Any]:
    """One item and its answer as JSON (``status`` is todo, done or na)."""
    item, answer = row.item, row.answer
    out: dict[str, Any] = {
        "id": item.id,
        "topic": row.topic.id,
        "title": item.title,
        "detail": " ".join(item.detail.split()),
        "priority": item.priority,
        "roles": list(item.roles),
        "nations": list(item.nations) if item.nations else None,
        "status": row.status,
        "answered": answer is not None,
        "answered_at": answer.answered_at.isoformat() if answer else None,
    }
    if notes:
        out["note"] = answer.note if answer else None
    out["sources"] = [source_json(data, key) for key in item.sources]
    return out


def orphans_json(view: View) -> list[dict[str, Any]]:
    """The saved answers no current item matches, as JSON."""
    return [
        {"id": key, "status": a.status, "note": a.note, "answered_at": a.answered_at.isoformat()}
        for key, a in sorted(view.orphans().items())
    ]


def view_json(view: View, topic_id: str | None = None, notes: bool = True) -> dict[str, Any]:
    """The ``checklist list --json`` object (one topic's when ``topic_id`` is given)."""
    groups = by_topic(view)
    if topic_id is not None:
        wanted = view.guidance.topic(topic_id).id
        groups = [(t, rows) for t, rows in groups if t.id == wanted]
    all_rows = [r for _, rows in groups for r in rows]
    return {
        "schema_version": SCHEMA_VERSION,
        "profile": view.scope.profile,
        "role": view.scope.role,
        "nation": view.scope.nation,
        "nation_from_profile_force": view.scope.nation_from,
        "role_from_profile": view.scope.role_from,
        "progress": count(all_rows).as_dict(),
        "topics": [
            {
                "id": topic.id,
                "title": topic.title,
                "summary": " ".join(topic.summary.split()),
                "progress": count(rows).as_dict(),
                "items": [row_json(view.guidance, r, notes) for r in rows],
            }
            for topic, rows in groups
        ],
        "orphaned_answers": orphans_json(view),
    }


def next_json(view: View, rows: list[Row]) -> dict[str, Any]:
    """The ``checklist next --json`` object."""
    return {
        "schema_version": SCHEMA_VERSION,
        "profile": view.scope.profile,
        "role": view.scope.role,
        "nation": view.scope.nation,
        "nation_from_profile_force": view.scope.nation_from,
        "role_from_profile": view.scope.role_from,
        "progress": count(view.rows).as_dict(),
        "items": [row_json(view.guidance, r) for r in rows],
    }


def mark(profile: str | None, item_id: str, status: str, note: str | None) -> tuple[Topic, Item, Answer]:
    """Record an answer to the item ``item_id`` (full id, or the part after the dot when unique)."""
    wanted = status_arg(status)
    topic, item = guidance.load_guidance().item(item_id)
    answer = progress.record(profile, item.id, wanted, note)
    return topic, item, answer
