"""``resolve_postcode`` (the in-process bulk API) answers exactly what ``resolve`` answers, fast path or not."""

from __future__ import annotations

import contextlib
import csv
import gzip
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from campaignsafe.contact.lookup import Hit
from campaignsafe.contact.resolve import resolve, resolve_postcode
from campaignsafe.errors import CampaignsafeError, InputError

# Sectors whose districts the fast path has seen once the module-level warm-up below has run.
WARM = ["SW1A 1AA", "SK17 6AA", "CF10 1EP", "EH1 1YZ", "PO24 1AA", "M1 1AE", "LL57 2DG"]


def _same_as_resolve(text: str) -> None:
    """resolve_postcode(text) is resolve(text)'s Hit, or the same error (a non-postcode answer is refused)."""
    try:
        ans = resolve(text)
    except CampaignsafeError as exc:
        with pytest.raises(type(exc)) as got:
            resolve_postcode(text)
        assert got.value.code == exc.code
        assert got.value.message == exc.message
        return
    if ans.kind != "postcode":
        with pytest.raises(InputError):
            resolve_postcode(text)
        return
    assert resolve_postcode(text) == Hit.from_answer(ans)


def _warm() -> None:
    for pc in WARM:
        with contextlib.suppress(CampaignsafeError):
            resolve_postcode(pc)


@pytest.mark.parametrize(
    "text",
    [
        "SW1A 1AA",  # canonical: fast path
        "SW1A 1AA",  # again, now from the warm tables
        "sw1a 1aa",
        "SW1A1AA",
        " SW1A 1AA ",
        "SW1A 1Aa",  # canonical shape, lower-case letter: must not be read as SW1A 1AA
        "SW1A 1AC",  # a letter postcodes never end in
        "SW1A 1ZZ",  # canonical, in a known sector, but no such postcode
        "SK17 6ZZ",
        "SK17 9AA",  # sector that does not exist
        "PO24 1AA",  # no location at all: the same error as resolve
        "SK17 6",  # a sector, not a postcode
        "BT1 5GS",  # Northern Ireland: full path
        "JE2 3AB",  # Crown Dependency: the same error
        "BF1 2AA",
        "GIR 0AA",
    ],
)
def test_bulk_api_matches_resolve_for_every_shape(text: str) -> None:
    """Whatever the spelling, warm or cold, the bulk API gives resolve's answer or its exact error."""
    _same_as_resolve(text)
    _warm()
    _same_as_resolve(text)


@settings(max_examples=300, deadline=None)
@given(
    sector=st.sampled_from(["SW1A 1", "SK17 6", "CF10 1", "EH1 1", "M1 1", "LL57 2", "PO24 1"]),
    unit=st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZabz0 ", min_size=0, max_size=3),
)
def test_near_misses_of_warm_sectors_are_never_misread(sector: str, unit: str) -> None:
    """Text that starts like a known sector gets resolve's answer, never a neighbour's."""
    _warm()
    _same_as_resolve(sector + unit)


@pytest.mark.slow
def test_every_postcode_through_the_bulk_api(shared: Path) -> None:
    """All 1,745,849 GB postcodes: resolve_postcode, as written and as typed carelessly, equals resolve."""
    n = 0
    with gzip.open(shared / "codepoint-open/codepo_gb_2025.4.0.csv.gz", "rt", encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            pc = row["Postcode"]
            try:
                want: Hit | str = Hit.from_answer(resolve(pc))
            except CampaignsafeError as exc:
                want = exc.code
            for text in (pc, pc, pc.lower().replace(" ", "")):  # cold, warm, and the regex path
                try:
                    got: Hit | str = resolve_postcode(text)
                except CampaignsafeError as exc:
                    got = exc.code
                assert got == want, text
            n += 1
    assert n == 1_745_849
