"""The identifier normalisers: idempotent, equivalent forms equal, junk never crashes."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from campaignsafe.incidents import identifiers as ids

NORMALISERS: list[Callable[[str], str | None]] = [
    ids.phone,
    ids.email,
    ids.registration,
    ids.url,
    ids.name,
    ids.handle,
    lambda t: ids.handle(t, "X"),
]
JUNK = st.text(max_size=80) | st.from_regex(r"[+0-9 ()@./:a-zA-Z_\-]{0,40}", fullmatch=True)


def test_a_handle_with_an_empty_platform_prefix_keeps_the_platform_given() -> None:
    """``:@name`` on X is ``x:@name`` (and stays so when normalised again), not a handle of no platform."""
    assert ids.handle(":@0", "X") == ids.handle("x:@0", "X") == "x:@0"
    assert ids.handle(":@angryvoter") == "@angryvoter"
    assert ids.handle("::@angry", "X") == ids.handle("::@angry", "x") == "x:@angry"  # ':' names no platform
    assert ids.handle(ids.handle("::@0", "X"), "X") == ids.handle("::@0", "X") == "x:@0"


def test_invisible_characters_do_not_hide_a_handle() -> None:
    """A right-to-left mark or a zero-width space looks like nothing: the handle is the same account."""
    for hidden in ("@an\u200fgry", "@angry\u200b", "@\u2060angry"):
        assert ids.handle(hidden, "X") == "x:@angry"


@settings(max_examples=150, deadline=None)
@given(text=JUNK)
@pytest.mark.parametrize("fn", NORMALISERS)
def test_never_crashes_and_is_idempotent(fn: Callable[[str], str | None], text: str) -> None:
    once = fn(text)
    if once is not None:
        assert isinstance(once, str) and once
        assert fn(once) == once


@settings(max_examples=200, deadline=None)
@given(text=st.text(max_size=200))
def test_finding_in_running_text_never_crashes(text: str) -> None:
    for normal, written in ids.registrations_in(text):
        assert written in text and ids.registration(normal) == normal
    for address in ids.urls_in(text):
        assert address in text
    ids.url_account(text)
    ids.platform(text)


@given(digits=st.from_regex(r"7[0-9]{9}", fullmatch=True))
def test_uk_mobile_forms_are_one_number(digits: str) -> None:
    a, b = digits[:4], digits[4:]
    forms = [
        f"0{a} {b}",
        f"+44 {a} {b}",
        f"0044 {a} {b}",
        f"(0{a}) {b[:3]}-{b[3:]}",
        f"+44 (0){a} {b}",
        f"0{digits}",
        f"+44{digits}",
        f"44{digits}",
    ]
    assert {ids.phone(f) for f in forms} == {f"+44{digits}"}


@pytest.mark.parametrize("text", ["999", "101", "123", "07700", "0770090012345", "+44 07", "tel", "", "   "])
def test_not_phone_numbers(text: str) -> None:
    assert ids.phone(text) is None


def test_phone_other_countries_and_landlines() -> None:
    assert ids.phone("020 7946 0000") == "+442079460000"
    assert ids.phone("+1 (212) 555-0100") == "+12125550100"
    assert ids.phone("tel:+447700900123") == "+447700900123"


@given(
    handle=st.from_regex(r"[A-Za-z][A-Za-z0-9_]{0,14}", fullmatch=True),
    status=st.integers(min_value=1, max_value=10**19),
)
def test_a_handle_on_x_written_any_way_is_one_account(handle: str, status: int) -> None:
    assume(handle.lower() not in ids.RESERVED["x"])  # x.com/i/…, x.com/home are X's own pages
    want = f"x:@{handle.lower()}"
    assert ids.handle("@" + handle, "X") == want
    assert ids.handle(handle.upper(), "twitter") == want
    assert ids.handle("@" + handle, "x.com") == want
    assert ids.handle(f"https://twitter.com/{handle}", None) == want
    assert ids.url_account(f"https://x.com/{handle}/status/{status}?s=20") == ("handle", want)
    assert ids.url_account(f"http://www.twitter.com/{handle.upper()}/") == ("handle", want)
    assert ids.url_account(f"mobile.twitter.com/{handle}") == ("handle", want)


def test_handles_on_other_platforms_and_none() -> None:
    assert ids.handle("@Angry.Voter", "Instagram") == "instagram:@angry.voter"
    assert ids.handle("@Angry.Voter", "insta") == "instagram:@angry.voter"
    assert ids.handle("@Angry_Voter", None) == "@angry_voter"
    assert ids.handle("@Angry_Voter", "Nextdoor") == "nextdoor:@angry_voter"
    assert ids.handle("Angry Voter", "X") is None  # a display name is not a handle
    assert ids.url_account("https://www.tiktok.com/@Angry.Voter/video/1") == ("handle", "tiktok:@angry.voter")
    assert ids.url_account("https://bsky.app/profile/angry.bsky.social") == ("handle", "bluesky:@angry.bsky.social")
    assert ids.url_account("https://www.facebook.com/profile.php?id=1000123") == ("handle", "facebook:@id1000123")
    assert ids.url_account("https://wa.me/447700900123") == ("phone", "+447700900123")
    for page in (
        "https://x.com/home",
        "https://x.com/i/web/status/1",
        "https://x.com/search?q=vote",
        "https://www.instagram.com/p/Cabc123/",
        "https://example.org/angryvoter",
    ):
        assert ids.url_account(page) is None, page


def test_urls_compare_without_scheme_www_tracking_or_trailing_slash() -> None:
    same = [
        "https://www.example.org/News/Item/?utm_source=x&fbclid=abc",
        "http://example.org/News/Item",
        "example.org/News/Item/#comments",
        "HTTPS://WWW.EXAMPLE.ORG/News/Item",
    ]
    assert {ids.url(u) for u in same} == {"example.org/News/Item"}
    assert ids.url("https://example.org/search?s=term") == "example.org/search?s=term"  # s kept off platforms
    assert ids.url("https://twitter.com/AngryVoter/status/1?s=20&t=xyz") == "x.com/angryvoter/status/1"
    assert ids.url("https://example.org/a?b=2&a=1") == "example.org/a?a=1&b=2"
    assert ids.url("not a url") is None and ids.url("ftp://example.org/x") is None


@given(
    local=st.from_regex(r"[A-Za-z0-9._]{1,20}", fullmatch=True), domain=st.from_regex(r"[A-Za-z]{1,12}", fullmatch=True)
)
def test_emails_compare_without_case(local: str, domain: str) -> None:
    a = ids.email(f"{local}@{domain}.Org")
    assert a is not None and a == ids.email(f"{local.upper()}@{domain.lower()}.org") == ids.email(
        f"mailto:{local.lower()}@{domain.upper()}.ORG"
    )
    assert a == a.lower()


def test_not_emails() -> None:
    for text in ("jo@", "@example.org", "jo smith@example.org", "jo@example", "jo@@example.org"):
        assert ids.email(text) is None, text


@given(
    letters=st.from_regex(r"[A-Z]{2}", fullmatch=True),
    age=st.from_regex(r"[0-9]{2}", fullmatch=True),
    tail=st.from_regex(r"[A-Z]{3}", fullmatch=True),
)
def test_a_registration_written_any_way_is_one(letters: str, age: str, tail: str) -> None:
    want = letters + age + tail
    for form in (
        f"{letters}{age} {tail}",
        f"{letters}{age}{tail}".lower(),
        f"{letters}{age}-{tail}",
        f" {letters.lower()}{age} {tail} ",
    ):
        assert ids.registration(form) == want
    found = ids.registrations_in(f"a silver Focus, {letters.lower()}{age} {tail.lower()}, parked")
    assert [n for n, _w in found] == [want]


def test_registrations_in_text_current_and_older_formats() -> None:
    assert ids.registrations_in("old Escort R123 ABC and a Mini ABC 123D") == [
        ("R123ABC", "R123 ABC"),
        ("ABC123D", "ABC 123D"),
    ]
    assert ids.registrations_in("the postcode SW1A 1AA, at 10:30, ref CAD 1234") == []
    assert ids.registrations_in("abc 123d in lower case is not read as an old plate") == []


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Sam Jones", "  SAM   jones "),
        ("José Núñez", "Jose Nunez"),
        ("Anne-Marie O'Brien", "anne marie o’brien"),
        ("JONES, Sam", "Sam Jones"),
        ("Mr Sam Jones", "sam jones"),
    ],
)
def test_names_fold_case_space_diacritics_and_titles(a: str, b: str) -> None:
    assert ids.name(a) == ids.name(b) is not None


@pytest.mark.parametrize("text", ["Dave", "Mr Smith", "J Smith", "Cllr Dave", "12 34", "", "a b"])
def test_only_full_names_link(text: str) -> None:
    assert ids.name(text) is None


@settings(max_examples=300, deadline=None)
@given(text=st.text(alphabet=st.sampled_from("Sam Jones,@x_1.0779+ onX;"), max_size=40))
def test_people_and_witness_lines_lose_no_words(text: str) -> None:
    """Whatever a line holds, splitting a witness's contact or a person's handle and platform keeps every
    word: the parts read back contain all of the line's non-separator characters."""
    from campaignsafe.errors import InputError
    from campaignsafe.incidents import inputs

    try:
        w = inputs.witness(text)
        p = inputs.person("suspect", text)
    except InputError:
        return
    words = [x for x in text.replace(";", " ").replace(",", " ").split() if x]
    kept_w = " ".join(str(v) for k, v in w.items() if k != "role")
    kept_p = " ".join(str(v) for k, v in p.items() if k != "role")
    assert all(word.strip(",;") in kept_w for word in words)
    assert all(word.strip(",;") in kept_p or word == "on" for word in words)
