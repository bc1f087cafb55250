"""Pydantic schema of ``data/forces.yaml``: used by the data build and the tests, never on the lookup path."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, field_validator, model_validator

Nation = Literal["england", "wales", "scotland", "northern-ireland"]
ForceNation = Literal["england", "wales", "scotland", "northern-ireland", "great-britain"]
_DATE = re.compile(r"^(\d{4}(-\d{2}(-\d{2})?)?|undated)$")


def _iso(v: object) -> str:
    return v.isoformat() if isinstance(v, date) else str(v)


#: A date as YAML may give it (a date or a string), kept as an ISO string.
DateStr = Annotated[str, BeforeValidator(_iso)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Source(_Strict):
    """A public source: title, publisher, date and URL."""

    title: str = Field(min_length=3)
    publisher: str = Field(min_length=2)
    date: DateStr
    url: str = Field(pattern=r"^https://\S+$")

    @field_validator("date")
    @classmethod
    def _date(cls, v: str) -> str:
        if not _DATE.match(v):
            raise ValueError("date must be YYYY, YYYY-MM, YYYY-MM-DD or 'undated'")
        return v


class Fact(_Strict):
    """One checked fact: its value, sources and the date it was checked."""

    value: str = Field(min_length=1)
    sources: list[str] = Field(min_length=1)
    checked: DateStr
    status: Literal["verified", "secondary"] = "verified"
    note: str | None = None
    label: str | None = None


class CommonRoute(_Strict):
    """A route that applies across the UK (999, 101, text relay, emergencySMS)."""

    id: str
    label: str
    value: str
    detail: str
    nations: list[Nation]
    sources: list[str] = Field(min_length=1)
    checked: DateStr


class NationalRoute(_Strict):
    """A national reporting route (Crimestoppers, Anti-Terrorist Hotline, ...)."""

    id: str
    name: str
    phone: str | None = None
    url: str | None = Field(default=None, pattern=r"^https://\S+$")
    detail: str
    nations: list[Nation]
    sources: list[str] = Field(min_length=1)
    checked: DateStr


class Force(_Strict):
    """A police force and its routes."""

    id: str = Field(pattern=r"^[a-z0-9-]+$")
    name: str
    short_name: str | None = None
    pfa_code: str | None
    nation: ForceNation
    territorial: bool
    aliases: list[str] = []
    website: Fact
    report_online: Fact | None = None
    election_page: Fact | None = None
    election_contacts: Fact
    other_routes: list[Fact] = []
    non_emergency_override: Fact | None = None


class CrownDependency(_Strict):
    """A Crown Dependency police service (outside UK police forces)."""

    id: str
    name: str
    postcode_areas: list[str]
    website: Fact
    emergency: Fact | None = None  # only where a source confirms it
    non_emergency: Fact | None = None
    note: str


class ForcesFile(_Strict):
    """The whole ``forces.yaml``."""

    version: DateStr
    sources: dict[str, Source]
    common_routes: list[CommonRoute]
    national_routes: list[NationalRoute]
    forces: list[Force]
    crown_dependencies: list[CrownDependency]

    @model_validator(mode="after")
    def _sources_resolve(self) -> ForcesFile:
        missing: set[str] = set()
        for key in _source_keys(self):
            if key not in self.sources:
                missing.add(key)
        if missing:
            raise ValueError(f"unknown source keys: {', '.join(sorted(missing))}")
        ids = [f.id for f in self.forces]
        if len(ids) != len(set(ids)):
            raise ValueError("duplicate force ids")
        return self


def _source_keys(model: ForcesFile) -> list[str]:
    keys: list[str] = []
    routes: list[CommonRoute | NationalRoute] = [*model.common_routes, *model.national_routes]
    for r in routes:
        keys += r.sources
    for f in model.forces:
        for fact in [
            f.website,
            f.report_online,
            f.election_page,
            f.election_contacts,
            f.non_emergency_override,
            *f.other_routes,
        ]:
            if fact is not None:
                keys += fact.sources
    for c in model.crown_dependencies:
        for cfact in (c.website, c.non_emergency, c.emergency):
            if cfact is not None:
                keys += cfact.sources
    return keys


def load_forces_yaml(path: Path) -> ForcesFile:
    """Parse and validate ``forces.yaml``."""
    import yaml

    with path.open(encoding="utf-8") as fh:
        return ForcesFile.model_validate(yaml.safe_load(fh))
