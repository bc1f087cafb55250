"""The shipped guidance, sources and offences reference: complete, sourced and consistent."""

from __future__ import annotations

import re

import pytest

from campaignsafe.guidance import content as guidance
from campaignsafe.guidance import offences

VAGUE = ("be careful", "stay safe", "be vigilant", "take care", "be aware")


def test_at_least_ten_topics_and_eighty_items() -> None:
    """The checklist covers at least 10 topics and 80 actions."""
    data = guidance.load_guidance()
    assert len(data.topics) >= 10
    assert sum(1 for _ in data.items()) >= 80


def test_topics_the_issue_asks_for_are_there() -> None:
    """Each theme a candidate needs has its own topic, in the order a campaign meets them."""
    ids = [t.id for t in guidance.load_guidance().topics]
    assert ids == [
        "before-the-campaign",
        "canvassing",
        "events-and-hustings",
        "home-and-office",
        "post-and-deliveries",
        "online-abuse",
        "accounts-and-cyber",
        "family-staff-volunteers",
        "polling-day-and-the-count",
        "reporting-and-records",
        "wellbeing-and-support",
    ]


def test_item_ids_are_unique_and_stable_in_form() -> None:
    """Every item has its own id of the form topic.slug, so progress survives upgrades."""
    data = guidance.load_guidance()
    ids = [item.id for _, item in data.items()]
    assert len(ids) == len(set(ids))
    for topic, item in data.items():
        assert item.id.startswith(topic.id + ".")


def test_topic_ids_match_their_file_names() -> None:
    """A topic file is called NN-<topic id>.yaml."""
    files = guidance.topic_files()
    data = guidance.load_guidance()
    assert [re.sub(r"^\d\d-|\.yaml$", "", p.name) for p in files] == [t.id for t in data.topics]


def test_every_item_source_resolves_to_title_publisher_and_https_url() -> None:
    """Every item cites at least one source with a title, a publisher, a date and an https link."""
    data = guidance.load_guidance()
    for _, item in data.items():
        assert item.sources, item.id
        for key in item.sources:
            src = data.sources[key]
            assert src.title and src.publisher and src.date
            assert src.url.startswith("https://"), key


def test_every_offence_source_resolves() -> None:
    """Every offence cites sources that exist in the one sources file."""
    for offence in offences.load_offences().offences:
        resolved = offence.resolved_sources()
        assert len(resolved) == len(offence.sources) >= 1
        assert all(s.url.startswith("https://") and s.publisher for s in resolved)


def test_sources_live_in_one_file_and_are_all_used() -> None:
    """There is one sources file, and every source in it is cited by an item or an offence."""
    folder = guidance.guidance_dir()
    assert not (folder / "offences-sources.yaml").exists()
    cited = {k for _, item in guidance.load_guidance().items() for k in item.sources}
    cited |= {k for o in offences.load_offences().offences for k in o.sources}
    assert set(guidance.load_sources()) == cited


def test_no_item_is_vague() -> None:
    """No action is a platitude: titles avoid 'be aware' and the like, details never say 'stay safe'."""
    for _, item in guidance.load_guidance().items():
        assert not any(v in item.title.lower() for v in VAGUE), item.id
        assert not any(v in item.detail.lower() for v in VAGUE[:2]), item.id


def test_every_topic_has_essentials_and_items_for_each_role() -> None:
    """Each topic has an essential item, and candidates, agents and volunteers each have items."""
    data = guidance.load_guidance()
    for topic in data.topics:
        assert any(i.priority == "essential" for i in topic.items), topic.id
    for role in guidance.ROLES:
        assert sum(1 for _, i in data.items() if role in i.roles) >= 10, role


def test_offence_ids_are_unique_and_cover_every_nation() -> None:
    """The offences reference has unique ids and offences for all four nations."""
    all_offences = offences.load_offences().offences
    ids = [o.id for o in all_offences]
    assert len(ids) == len(set(ids))
    for nation in guidance.NATIONS:
        assert offences.offences(nation), nation


@pytest.mark.parametrize("kind", [k for k in offences.INCIDENT_KINDS if k != "other"])
@pytest.mark.parametrize("nation", guidance.NATIONS)
def test_every_incident_kind_suggests_an_offence_in_every_nation(kind: str, nation: str) -> None:
    """Reporting an incident of any specific kind, anywhere in the UK, suggests at least one offence."""
    found = offences.suggest(kind, nation)
    assert found
    assert all(kind in o.incident_kinds and nation in o.nations for o in found)


def test_disclaimer_says_not_legal_advice() -> None:
    """The offences reference says plainly that it is not legal advice."""
    assert "not legal advice" in offences.DISCLAIMER
    assert offences.disclaimer() == offences.DISCLAIMER


#: Names of laws, schemes and services that apply only in part of the UK.
PART_UK_MARKERS = (
    "Defending Democracy",
    "True Vision",
    "report-it.org.uk",
    "Report Fraud",
    "Sexual Offences Act 2003",
    "66B",
    "Protection from Harassment Act 1997",
    "Public Order Act 1986",
    "Malicious Communications Act",
    "Online Safety Act offence",
    "CPS",
    "Crown Prosecution Service",
)


@pytest.mark.parametrize(("nation", "name"), [("scotland", "Scotland"), ("northern-ireland", "Northern Ireland")])
def test_a_scottish_or_ni_profile_is_told_when_an_item_applies_only_elsewhere(nation: str, name: str) -> None:
    """An item a Scottish or NI user sees that names a part-UK law or scheme says where it applies."""
    for _, item in guidance.load_guidance().items():
        if not item.applies_to(None, nation):
            continue
        text = " ".join(f"{item.title} {item.detail}".split())
        if any(m in text for m in PART_UK_MARKERS):
            assert name in text or "England and Wales" in text or "England, Wales" in text, item.id


def test_operation_ford_claims_for_northern_ireland_are_hedged() -> None:
    """Operation Ford is confirmed for Great Britain only, so an NI user is never told it applies unqualified."""
    for _, item in guidance.load_guidance().items():
        if item.applies_to(None, "northern-ireland") and "Operation Ford" in item.detail:
            assert "Northern Ireland" in " ".join(item.detail.split()), item.id


def test_polling_day_topic_covers_stations_count_and_getting_home() -> None:
    """The polling-day topic covers tellers, intimidation at stations, the count, the declaration and the trip home."""
    topic = guidance.load_guidance().topic("polling-day-and-the-count")
    text = " ".join(f"{i.title} {i.detail}" for i in topic.items).lower()
    for needle in ("teller", "presiding officer", "code of conduct", "count", "declaration", "home", "999"):
        assert needle in text, needle
    assert "northern ireland" in text


def test_feoa_and_spoc_are_never_blurred() -> None:
    """No item offers 'FEOA or SPOC' as if they were one role: security goes to the FEOA, offences to the SPOC."""
    for _, item in guidance.load_guidance().items():
        text = " ".join(item.detail.split())
        assert "FEOA or SPOC" not in text and "SPOC or FEOA" not in text, item.id
