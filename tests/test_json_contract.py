"""The JSON shapes scripts depend on: keys pinned so a change is deliberate."""

from __future__ import annotations

from tests.conftest import run

POSTCODE_KEYS = {
    "schema_version", "query", "kind", "matched", "forces", "postcode", "local_authority",
    "constituency", "nation", "approximate", "emergency",
}  # fmt: skip
FORCE_KEYS = {"id", "name", "share", "routes", "saved_contacts"}


def test_postcode_answer_keys() -> None:
    """A postcode answer has exactly the documented top-level and per-force keys."""
    d = run("contact", "SW1A 1AA", "--json").json
    assert set(d) == POSTCODE_KEYS
    assert set(d["forces"][0]) == FORCE_KEYS
    assert set(d["local_authority"]) == {"code", "name"}
    assert set(d["constituency"]) == {"code", "name", "method"}


def test_constituency_answer_keys() -> None:
    """A constituency answer names the constituency and gives shares with postcode counts."""
    d = run("contact", "Hitchin", "--json").json
    assert d["kind"] == "constituency" and set(d["constituency"]) == {"code", "name"}
    assert {"id", "name", "share", "postcodes"} <= set(d["forces"][0])


def test_error_keys() -> None:
    """Errors are the same flat object with an error {code, message}."""
    d = run("contact", "ZZ9 9ZZ", "--json").json
    assert set(d) == {"schema_version", "query", "error"}
    assert {"code", "message"} <= set(d["error"])


def test_batch_line_keys() -> None:
    """Batch lines carry the answer without routes (one compact object per line)."""
    (line,) = run("contact", "--batch", "-", input="SW1A 1AA\n").lines
    assert set(line) == POSTCODE_KEYS - {"emergency"}
    assert set(line["forces"][0]) == {"id", "name", "share"}
