"""The security guidance: checklist topics, their items and the sources they cite.

Read from ``data/guidance/`` (one YAML file per topic, ``NN-<topic id>.yaml``, plus
``sources.yaml``), validated with pydantic on first use and cached for the process.
A shipped file that does not validate is a bug in this build, so it is reported as an
internal error naming the file and the field.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any, Literal, cast

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from campaignsafe.errors import CampaignsafeError, InputError, NotFoundError

Role = Literal["candidate", "agent", "volunteer"]
Priority = Literal["essential", "recommended"]
Nation = Literal["england", "wales", "scotland", "northern-ireland"]

ROLES: tuple[Role, ...] = ("candidate", "agent", "volunteer")
NATIONS: tuple[Nation, ...] = ("england", "wales", "scotland", "northern-ireland")
NATION_NAMES: dict[str, str] = {
    "england": "England",
    "wales": "Wales",
    "scotland": "Scotland",
    "northern-ireland": "Northern Ireland",
}
_NATION_ALIASES = {"ni": "northern-ireland", "n-ireland": "northern-ireland", "cymru": "wales"}

_ID = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"
_ITEM_ID = r"^[a-z0-9]+(?:-[a-z0-9]+)*\.[a-z0-9]+(?:-[a-z0-9]+)*$"
_DATE = r"^\d{4}(?:-(?:0[1-9]|1[0-2])(?:-(?:0[1-9]|[12]\d|3[01]))?)?$"
_TOPIC_FILE = re.compile(r"^(\d\d)-(.+)\.yaml$")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class Source(_Strict):
    """A public document the guidance or an offence cites."""

    title: str = Field(min_length=1)
    publisher: str = Field(min_length=1)
    date: str = Field(pattern=_DATE, description="YYYY, YYYY-MM or YYYY-MM-DD")
    url: str = Field(pattern=r"^https://[^\s/]+\.[^\s]+$")

    def as_dict(self) -> dict[str, str]:
        """title, publisher, date and url, as JSON wants them."""
        return {"title": self.title, "publisher": self.publisher, "date": self.date, "url": self.url}


class Item(_Strict):
    """One action on a checklist."""

    id: str = Field(pattern=_ITEM_ID)
    title: str = Field(min_length=1, max_length=120)
    detail: str = Field(min_length=1)
    roles: list[Role] = Field(min_length=1)
    priority: Priority
    nations: list[Nation] | None = Field(default=None, min_length=1)
    sources: list[str] = Field(min_length=1)

    def applies_to(self, role: str | None, nation: str | None) -> bool:
        """True when the item is for ``role`` and ``nation`` (None means any)."""
        if role is not None and role not in self.roles:
            return False
        return nation is None or self.nations is None or nation in self.nations


class Topic(_Strict):
    """One checklist: a theme such as canvassing or online abuse."""

    id: str = Field(pattern=_ID)
    title: str = Field(min_length=1)
    summary: str = Field(min_length=1)
    items: list[Item] = Field(min_length=1)


class _SourcesFile(_Strict):
    sources: dict[str, Source]


@dataclass(frozen=True)
class Guidance:
    """Every topic in order, every source by key, and an index of items."""

    topics: tuple[Topic, ...]
    sources: dict[str, Source]
    _items: dict[str, tuple[Topic, Item]] = field(default_factory=dict, repr=False)

    def items(self) -> Iterator[tuple[Topic, Item]]:
        """Every (topic, item) pair in checklist order."""
        for topic in self.topics:
            for item in topic.items:
                yield topic, item

    def has_item(self, item_id: str) -> bool:
        """True when ``item_id`` names an item in this build's guidance."""
        return item_id in self._items

    def topic(self, topic_id: str) -> Topic:
        """The topic called ``topic_id``; NotFoundError with suggestions otherwise."""
        for topic in self.topics:
            if topic.id == topic_id:
                return topic
        raise NotFoundError(
            f"no checklist topic called {topic_id!r}",
            did_you_mean(topic_id, [t.id for t in self.topics], "topics"),
            code="topic_not_found",
        )

    def item(self, item_id: str) -> tuple[Topic, Item]:
        """The item called ``item_id`` (or by the part after the dot, when unique)."""
        if item_id in self._items:
            return self._items[item_id]
        by_slug = [key for key in self._items if key.split(".", 1)[1] == item_id]
        if len(by_slug) == 1:
            return self._items[by_slug[0]]
        raise NotFoundError(
            f"no checklist item called {item_id!r}",
            did_you_mean(item_id, list(self._items), "item ids (see `campaignsafe checklist show --all`)"),
            code="item_not_found",
        )

    def sources_for(self, keys: list[str]) -> list[Source]:
        """The sources behind ``keys``, in order."""
        return [self.sources[key] for key in keys]


def did_you_mean(word: str, choices: list[str], what: str) -> str:
    """A hint naming the closest of ``choices`` to ``word``, or listing them when few."""
    from campaignsafe.usertext import near_best

    close = near_best(word, choices, 0.5)[:3]
    if not close:
        # Try the part after the topic prefix, so "meet-police" finds "before-the-campaign.meet-police-contact".
        tails = {c.split(".", 1)[-1]: c for c in choices}
        close = [tails[t] for t in near_best(word, tails, 0.5)[:3]]
    if close:
        return "did you mean " + " or ".join(close) + "?"
    if len(choices) <= 12:
        return f"{what}: " + ", ".join(choices)
    return f"list the {what}"


def nations_text(nations: list[Nation] | list[str]) -> str:
    """'England', 'England and Wales', 'England, Wales and Scotland'."""
    names = [NATION_NAMES[n] for n in nations]
    return (", ".join(names[:-1]) + " and " if len(names) > 1 else "") + names[-1]


def normalise_nation(value: str | None) -> Nation | None:
    """``Wales``, ``northern ireland``, ``NI`` → the nation id; ``all`` or None → None."""
    key = None if value is None else re.sub(r"[\s_]+", "-", value.strip().lower())
    return cast(Nation | None, _choose(value, _NATION_ALIASES.get(key or "", key), NATIONS, "nation"))


def normalise_role(value: str | None) -> Role | None:
    """``Agent`` → ``agent``; ``all`` or None → None."""
    return cast(Role | None, _choose(value, None if value is None else value.strip().lower(), ROLES, "role"))


def _choose(value: str | None, key: str | None, choices: tuple[str, ...], what: str) -> str | None:
    if value is None or key in ("all", "any", ""):
        return None
    if key in choices:
        return key
    raise InputError(f"unknown {what} {value!r}", "use one of: " + ", ".join(choices), code=f"bad_{what}")


def guidance_dir() -> Path:
    """The shipped ``guidance`` folder."""
    from campaignsafe.datafiles import data_dir

    return data_dir() / "guidance"


def read_yaml(path: Path) -> Any:
    """One shipped YAML file, parsed with the C loader when available."""
    import yaml

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    try:
        with path.open(encoding="utf-8") as fh:
            return yaml.load(fh, Loader=loader)  # a safe loader (C or pure Python)
    except (OSError, yaml.YAMLError) as exc:
        raise data_error(path, str(exc)) from None


def data_error(path: Path, why: str) -> CampaignsafeError:
    return CampaignsafeError(
        f"the guidance file {path.name} in this build is invalid: {why}",
        "reinstall campaignsafe; if that does not help, please report it",
        code="guidance_invalid",
    )


def first_error(exc: ValidationError) -> str:
    first = exc.errors()[0]
    where = ".".join(str(p) for p in first["loc"])
    return f"{where}: {first['msg']}" if where else first["msg"]


@cache
def load_sources() -> dict[str, Source]:
    """Every source, keyed as the topics and offences cite them."""
    path = guidance_dir() / "sources.yaml"
    try:
        return dict(_SourcesFile.model_validate(read_yaml(path)).sources)
    except ValidationError as exc:
        raise data_error(path, first_error(exc)) from None


def topic_files() -> list[Path]:
    """The topic files in checklist order (``01-…yaml`` first)."""
    return sorted(p for p in guidance_dir().iterdir() if _TOPIC_FILE.match(p.name))


@cache
def load_guidance() -> Guidance:
    """All topics and sources, validated: ids unique, every source key known, file names matching ids."""
    sources = load_sources()
    topics: list[Topic] = []
    index: dict[str, tuple[Topic, Item]] = {}
    for path in topic_files():
        try:
            topic = Topic.model_validate(read_yaml(path))
        except ValidationError as exc:
            raise data_error(path, first_error(exc)) from None
        match = _TOPIC_FILE.match(path.name)
        assert match is not None
        if topic.id != match.group(2):
            raise data_error(path, f"topic id {topic.id!r} does not match the file name")
        if any(t.id == topic.id for t in topics):
            raise data_error(path, f"topic id {topic.id!r} is used twice")
        for item in topic.items:
            if not item.id.startswith(topic.id + "."):
                raise data_error(path, f"item id {item.id!r} does not start with {topic.id + '.'!r}")
            if item.id in index:
                raise data_error(path, f"item id {item.id!r} is used twice")
            missing = [key for key in item.sources if key not in sources]
            if missing:
                raise data_error(path, f"item {item.id} cites unknown source(s) {', '.join(missing)}")
            index[item.id] = (topic, item)
        topics.append(topic)
    if not topics:
        raise data_error(guidance_dir(), "no topic files found")
    return Guidance(tuple(topics), sources, index)
