"""The offences API incident reporting relies on: suggest(), DISCLAIMER and resolved sources."""

from __future__ import annotations

import pytest

from campaignsafe.errors import InputError
from campaignsafe.guidance import offences
from tests.conftest import run


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


def test_every_offence_names_statute_section_and_nations() -> None:
    """Each offence has a statute, a section (or "common law") and a non-empty set of nations."""
    import re

    for o in offences.load_offences().offences:
        assert o.statute.strip(), o.id
        assert o.nations and len(set(o.nations)) == len(o.nations), o.id
        if o.statute.lower().startswith("common law"):
            assert o.section == "common law", o.id
        else:
            assert re.search(r"\b(s|ss|art|arts)\.\s?\d|\bPart\b|\bschedule\b", o.section, re.I), (o.id, o.section)


def _ids(nation: str) -> dict[str, dict[str, object]]:
    r = run("checklist", "offences", "--nation", nation, "--json")
    assert r.exit_code == 0
    return {o["id"]: o for o in r.json["offences"]}


@pytest.mark.parametrize(
    ("nation", "expected"),
    [
        ("england", {"computer-misuse-uk", "encouraging-self-harm-uk", "cyberflashing-ew", "intimate-image-abuse-ew"}),
        ("wales", {"computer-misuse-uk", "encouraging-self-harm-uk", "cyberflashing-ew", "intimate-image-abuse-ew"}),
        (
            "scotland",
            {
                "computer-misuse-uk",
                "encouraging-self-harm-uk",
                "cyberflashing-scot",
                "intimate-image-abuse-scot",
                "scottish-disqualification-order-scot",
            },
        ),
        (
            "northern-ireland",
            {"computer-misuse-uk", "encouraging-self-harm-uk", "cyberflashing-ni", "intimate-image-abuse-ni"},
        ),
    ],
)
def test_new_offences_are_listed_per_nation_with_sources(nation: str, expected: set[str]) -> None:
    """`checklist offences --nation X --json` lists the image, cyberflashing, hacking and self-harm offences there."""
    found = _ids(nation)
    assert expected <= set(found)
    for oid in expected:
        sources = found[oid]["sources"]
        assert isinstance(sources, list) and sources
        for s in sources:
            assert s["title"] and s["publisher"] and s["date"] and s["url"].startswith("https://")


@pytest.mark.parametrize("nation", ["scotland", "northern-ireland", "wales"])
def test_a_nation_sees_no_offence_that_applies_only_elsewhere(nation: str) -> None:
    """A Scottish, Northern Irish or Welsh user is shown only offences that are law where they are."""
    for o in _ids(nation).values():
        assert nation in o["nations"], o["id"]


def test_intimate_image_offences_cover_deepfakes_where_the_law_does() -> None:
    """s.66B (E&W) and ABSH(S)A s.2 cover images that only appear to show the person; NI says it is unconfirmed."""
    by_id = {o.id: o for o in offences.load_offences().offences}
    assert "appears to show" in by_id["intimate-image-abuse-ew"].description
    assert "deepfake" in by_id["intimate-image-abuse-ew"].description
    assert "appear to show" in by_id["intimate-image-abuse-scot"].description
    assert "could not confirm" in by_id["intimate-image-abuse-ni"].description


def test_ni_malicious_communications_is_letters_only_and_not_online_abuse() -> None:
    """The NI Order covers letters and other articles, not electronic messages, and is summary only."""
    o = {o.id: o for o in offences.load_offences().offences}["malicious-communications-ni"]
    assert "online-abuse" not in o.incident_kinds
    assert "does not cover electronic messages" in " ".join(o.description.split())
    assert "summary" in (o.max_penalty or "")


def test_false_statement_about_candidate_says_report_to_police() -> None:
    """s.106 is an illegal practice the police investigate, so the entry says to report it, not only to get advice."""
    o = {o.id: o for o in offences.load_offences().offences}["false-statement-about-candidate-uk"]
    text = " ".join(o.description.split())
    assert "report it on 101" in text and "SPOC" in text
