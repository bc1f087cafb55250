"""The streamed reader of a JSON document's members: the same values as json.loads, one item at a time."""

from __future__ import annotations

import io
import json
from typing import Any
from unittest import mock

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from campaignsafe.backup import jsonstream

SCALARS = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=30)
VALUES = st.recursive(
    SCALARS,
    lambda kids: st.lists(kids, max_size=4) | st.dictionaries(st.text(max_size=8), kids, max_size=4),
    max_leaves=20,
)


def _read(text: str, key: str = "incidents", cap: int | None = None) -> tuple[dict[str, Any], list[Any]]:
    facts: dict[str, Any] = {}
    items: list[Any] = []
    for k, v in jsonstream.members(io.StringIO(text), key, cap):
        if k == key + "[]":
            items.append(v)
        elif k == key and v == []:
            continue  # the array was empty
        else:
            facts[k] = v
    return facts, items


@settings(max_examples=200, deadline=None)
@given(
    head=st.dictionaries(st.text(max_size=8).filter(lambda k: k != "incidents"), VALUES, max_size=4),
    items=st.lists(VALUES, max_size=6),
    indent=st.sampled_from([None, 0, 2]),
    chunk=st.integers(min_value=1, max_value=17),
)
def test_members_give_what_json_loads_gives(
    head: dict[str, Any], items: list[Any], indent: int | None, chunk: int
) -> None:
    """Whatever the values and however the buffer is cut, each member and each item comes back as parsed whole."""
    text = json.dumps({**head, "incidents": items}, indent=indent)
    with mock.patch.object(jsonstream, "CHUNK", chunk):
        facts, got = _read(text)
    assert facts == head
    assert got == items


@pytest.mark.parametrize(
    "text",
    ['{"a": 1', '{"a" 1}', "[1, 2]", '{"incidents": [1, 2}', '{"a": 1} x', '{"a": tru}', "", "{1: 2}"],
)
def test_what_is_not_json_is_refused(text: str) -> None:
    with pytest.raises(ValueError):
        _read(text)


def test_one_value_over_the_cap_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(jsonstream, "CHUNK", 16)
    text = json.dumps({"export": {}, "incidents": [{"x": "y" * 1000}]})
    with pytest.raises(jsonstream.TooLarge):
        _read(text, cap=200)
    assert _read(text, cap=5000)[1] == [{"x": "y" * 1000}]
