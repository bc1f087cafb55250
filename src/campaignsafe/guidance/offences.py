"""The offences reference (``data/guidance/offences.yaml``): information, not legal advice.

Incident reporting asks :func:`suggest` which offences may relate to an incident of a
given kind in a given nation; ``campaignsafe checklist offences`` lists them all.
"""

from __future__ import annotations

from functools import cache
from typing import Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from campaignsafe.errors import InputError
from campaignsafe.guidance.content import (
    Nation,
    Source,
    data_error,
    did_you_mean,
    first_error,
    guidance_dir,
    load_sources,
    normalise_nation,
    read_yaml,
)

IncidentKind = Literal[
    "in-person-abuse",
    "threats",
    "assault",
    "criminal-damage",
    "harassment",
    "stalking",
    "online-abuse",
    "threatening-communications",
    "suspicious-item",
    "hate",
    "electoral-offence",
    "other",
]

#: The incident kinds, in the order incident reporting offers them.
INCIDENT_KINDS: tuple[str, ...] = get_args(IncidentKind)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class Offence(_Strict):
    """One offence: where it applies, the statute, what it covers and examples."""

    id: str = Field(pattern=r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
    title: str = Field(min_length=1)
    nations: list[Nation] = Field(min_length=1)
    statute: str = Field(min_length=1)
    section: str = Field(min_length=1)
    description: str = Field(min_length=1)
    examples: list[str] = Field(min_length=1)
    incident_kinds: list[IncidentKind] = Field(min_length=1)
    max_penalty: str | None = None
    sources: list[str] = Field(min_length=1)

    @property
    def law(self) -> str:
        """``Protection from Harassment Act 1997, s.2``; a common-law crime once (``Common law (Scotland)``)."""
        if self.section.strip().lower() in self.statute.lower():
            return self.statute
        return f"{self.statute}, {self.section}"

    def resolved_sources(self) -> list[Source]:
        """The offence's sources (title, publisher, date, url), in the order cited."""
        sources = load_sources()
        return [sources[key] for key in self.sources]

    def applies_in(self, nation: str | None) -> bool:
        """True when the offence is law in ``nation`` (None means any)."""
        return nation is None or nation in self.nations


class OffencesFile(_Strict):
    """The whole reference: the not-legal-advice disclaimer and every offence."""

    disclaimer: str = Field(min_length=1)
    offences: list[Offence] = Field(min_length=1)


@cache
def load_offences() -> OffencesFile:
    """The offences reference, validated (unique ids, every source key known)."""
    path = guidance_dir() / "offences.yaml"
    try:
        data = OffencesFile.model_validate(read_yaml(path))
    except ValidationError as exc:
        raise data_error(path, first_error(exc)) from None
    sources = load_sources()
    seen: set[str] = set()
    for offence in data.offences:
        if offence.id in seen:
            raise data_error(path, f"offence id {offence.id!r} is used twice")
        seen.add(offence.id)
        missing = [key for key in offence.sources if key not in sources]
        if missing:
            raise data_error(path, f"offence {offence.id} cites unknown source(s) {', '.join(missing)}")
    return data


def disclaimer() -> str:
    """The reference's disclaimer: general information, not legal advice."""
    return load_offences().disclaimer


def offences(nation: str | None = None) -> list[Offence]:
    """Every offence that is law in ``nation`` (all of them when None), in reference order."""
    wanted = normalise_nation(nation)
    return [o for o in load_offences().offences if o.applies_in(wanted)]


def suggest(kind: str, nation: str | None) -> list[Offence]:
    """Offences that may relate to an incident of ``kind`` in ``nation`` (any nation when None)."""
    if kind not in INCIDENT_KINDS:
        raise InputError(
            f"unknown incident kind {kind!r}",
            did_you_mean(kind, list(INCIDENT_KINDS), "incident kinds"),
            code="bad_incident_kind",
        )
    return [o for o in offences(nation) if kind in o.incident_kinds]


def __getattr__(name: str) -> str:
    """``offences.DISCLAIMER``, read from the data file on first use."""
    if name == "DISCLAIMER":
        return disclaimer()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
