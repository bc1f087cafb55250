"""The offences API incident reporting relies on: suggest(), DISCLAIMER and resolved sources."""

from __future__ import annotations

import pytest

from campaignsafe.errors import InputError
from campaignsafe.guidance import offences


def test_suggest_filters_by_kind_and_nation() -> None:
    """Threats in Scotland suggest Scottish (and UK-wide) offences only."""
    found = offences.suggest("threats", "scotland")
    assert found
    assert all("scotland" in o.nations and "threats" in o.incident_kinds for o in found)
    assert not any(o.nations == ["england", "wales"] for o in found)


def test_suggest_without_nation_covers_every_nation() -> None:
    """With no nation, every offence for the kind is suggested, whichever nation it belongs to."""
    everywhere = offences.suggest("harassment", None)
    per_nation = {
        o.id for n in ("england", "wales", "scotland", "northern-ireland") for o in offences.suggest("harassment", n)
    }
    assert {o.id for o in everywhere} == per_nation


def test_other_kind_suggests_nothing() -> None:
    """An 'other' incident suggests no particular offence."""
    assert offences.suggest("other", "england") == []


def test_unknown_kind_is_refused_with_a_suggestion() -> None:
    """A misspelt kind says which kind was meant."""
    with pytest.raises(InputError) as exc:
        offences.suggest("threat", None)
    assert "threats" in (exc.value.hint or "")


def test_resolved_sources_give_title_publisher_date_url() -> None:
    """Each suggested offence can name its sources in full."""
    offence = offences.suggest("stalking", "northern-ireland")[0]
    src = offence.resolved_sources()[0]
    assert set(src.as_dict()) == {"title", "publisher", "date", "url"}
    assert src.url.startswith("https://")


def test_electoral_offences_include_undue_influence_and_false_statements() -> None:
    """The Elections Act 2022 undue-influence offence and false statements about a candidate are there."""
    text = " ".join(f"{o.title} {o.statute} {o.section}" for o in offences.suggest("electoral-offence", "england"))
    assert "undue influence" in text.lower()
    assert "106" in text
