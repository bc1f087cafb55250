"""Attacks on today's changes: URL exhibits, zip dates and SOURCE_DATE_EPOCH, the list table, the export's
snapshot, short contact lookups and ``checklist run --no-input``. Each test fails on the commit attacked."""

from __future__ import annotations

import os
import subprocess
import sys
import unicodedata
from datetime import UTC
from pathlib import Path
from typing import Any

import pytest

from campaignsafe.incidents.store import Store
from tests.conftest import run
from tests.export_helpers import EPOCH, make_record
from tests.incident_helpers import count, minimal, prompts, set_initials, write_json
from tests.test_guided_entry import DESCRIPTION, FIRST

FLAGS = ("--when", "2026-05-01 18:30", "--place", "online", "--kind", "online-abuse", "--description", "posts")

# -- 1. URL exhibits -------------------------------------------------------------------------------

#: not web addresses, yet each has "@" and a dotted host after it, so urlsplit("https://" + text) finds
#: a host (x.com) and takes the scheme and the rest for a user name: all are stored as typed
SCHEMES_BEHIND_AN_AT = [
    "javascript:alert(document.cookie)%2F%2F@x.com",  # a browser percent-decodes: alert(...)//@x.com runs
    "data:,hello@x.com",
    "file:etc@x.com",
    "mailto:someone@example.org",
    "tel:07700900123@x.com",
    "vbscript:msgbox(1)@x.com",
]


@pytest.mark.parametrize("address", SCHEMES_BEHIND_AN_AT)
def test_report_refuses_another_scheme_hidden_before_an_at(home: Path, address: str) -> None:
    set_initials()
    r = run("report", *FLAGS, "--url", address)
    assert r.exit_code == 3, f"stored: {r.stdout[:200]}"
    assert count(home) == 0


@pytest.mark.parametrize("address", SCHEMES_BEHIND_AN_AT[:2])
def test_from_file_and_add_evidence_refuse_another_scheme_hidden_before_an_at(
    home: Path, tmp_path: Path, address: str
) -> None:
    set_initials()
    r = run("report", "--from-file", str(write_json(tmp_path, minimal(evidence=[{"url": address}]))))
    assert r.exit_code == 3
    assert run("report", *FLAGS).exit_code == 0
    r = run("incidents", "add-evidence", "1", "--url", address)
    assert r.exit_code == 3
    assert count(home, "evidence") == 0


def test_guided_report_refuses_another_scheme_hidden_before_an_at(monkeypatch: pytest.MonkeyPatch, home: Path) -> None:
    set_initials()
    prompts(monkeypatch)
    answers = [
        *FIRST,
        *DESCRIPTION,
        "",
        "",
        "",
        "",
        "",
        SCHEMES_BEHIND_AN_AT[0],
        "x.com/a/status/9",
        "",
        "",
        "",
        "",
        "",
    ]
    r = run("report", input="\n".join(answers) + "\n\n")
    assert r.exit_code == 0, r.stdout
    d = run("incidents", "show", "1", "--json").json
    assert [e["url"] for e in d["evidence"]] == ["x.com/a/status/9"]


# -- 2. SOURCE_DATE_EPOCH --------------------------------------------------------------------------


@pytest.mark.parametrize("epoch", ["²", "99999999999999999999", "253402300800"])
def test_an_odd_source_date_epoch_is_a_clear_refusal_not_an_internal_error(
    home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, epoch: str
) -> None:
    """``²`` passes str.isdigit but not int(); the others are past datetime's year 9999."""
    make_record(tmp_path)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", epoch)
    r = run("export", "--all", "--bundle", str(tmp_path / "out.zip"))
    assert r.exit_code == 3, r.stderr
    assert "internal error" not in r.stderr and "SOURCE_DATE_EPOCH" in r.stderr


def test_a_zip_date_past_2107_is_the_last_one_a_zip_can_hold() -> None:
    """2108-03-01 was dated 2107-03-01: earlier than an export made on 2107-12-31."""
    from datetime import datetime

    from campaignsafe.exports.bundle import zip_time

    assert zip_time(datetime(2108, 3, 1, tzinfo=UTC)) >= zip_time(datetime(2107, 12, 31, tzinfo=UTC))


# -- 4. the export's snapshot against a deletion ---------------------------------------------------


def _started(*argv: str) -> subprocess.Popen[str]:
    """Another campaignsafe process on the same data folder, started now and left running."""
    return subprocess.Popen(
        [sys.executable, "-m", "campaignsafe", *argv],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=dict(os.environ),
    )  # fmt: skip


def _finished(proc: subprocess.Popen[str]) -> tuple[int, str]:
    out, err = proc.communicate(timeout=120)
    return proc.returncode, out + err


def test_an_incident_deleted_while_a_bundle_is_read_is_not_a_missing_evidence_failure(
    store_backend: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The snapshot still holds incident 3 and its letter while a deletion removes the stored copy: the bundle
    was refused, exit 5 (SQLite: 'the stored copy of exhibit JS/3 is missing'; PostgreSQL: 'its bytes no
    longer match the SHA-256 on record'). The export now holds the copies as backup does: the bundle has
    incident 3 and its letter and verifies; the deletion goes through, its copy removed once the export is
    done (or, on the server, kept)."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    make_record(tmp_path)
    started: list[subprocess.Popen[str]] = []
    real = Store.readable

    def readable(self: Store, ids: Any) -> Any:
        if not started:
            started.append(_started("incidents", "delete", "3", "--yes"))
            if store_backend == "postgresql":  # it removes nothing while the export holds the copies: let it end
                _finished(started[0])
        return real(self, ids)

    monkeypatch.setattr(Store, "readable", readable)
    r = run("export", "--all", "--bundle", str(tmp_path / "out.zip"))
    assert r.exit_code == 0, r.stderr
    assert run("verify", str(tmp_path / "out.zip")).exit_code == 0
    code, err = _finished(started[0])
    assert code == 0, err
    assert 3 not in [i["id"] for i in run("incidents", "list", "--json").json["incidents"]]


def test_an_incident_deleted_while_the_zip_is_written_is_not_a_cannot_write_target_failure(
    home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A deletion after the read, while the zip is written: 'cannot write …/out.zip: No such file or
    directory' (exit 3), which blamed the target folder. Now the deletion waits for the bundle."""
    from campaignsafe.exports import package

    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    make_record(tmp_path)
    real = package.write
    started: list[subprocess.Popen[str]] = []

    def write(read: Any, out: Path) -> Any:
        started.append(_started("incidents", "delete", "3", "--yes"))
        return real(read, out)

    monkeypatch.setattr(package, "write", write)
    r = run("export", "--all", "--bundle", str(tmp_path / "out.zip"))
    assert "cannot write" not in r.stderr
    assert r.exit_code == 0, r.stderr
    assert run("verify", str(tmp_path / "out.zip")).exit_code == 0
    code, err = _finished(started[0])
    assert code == 0 and "1 stored file no longer used was removed" in " ".join(err.split()), err


# -- 3. the list table -----------------------------------------------------------------------------


def _columns(line: str) -> int:
    """The columns a line takes on a terminal (a wide character takes two)."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in line)


@pytest.mark.parametrize("columns", ["80", "79"])
def test_a_place_in_wide_characters_fits_the_table(home: Path, monkeypatch: pytest.MonkeyPatch, columns: str) -> None:
    """Widths are counted in characters, not terminal columns: a Japanese or emoji place (cut to 30
    characters = 60 columns) makes a 104-column line at 80 (107 in the stacked layout at 79)."""
    for place in ("東京都千代田区丸の内一丁目東京駅前広場の北口の横にある大きな看板の下", "🎉" * 29 + " party"):
        assert run("report", "--when", "2026-05-01 18:30", "--place", place, "--postcode", "SW1A 1AA",
                   "--kind", "threats", "--description", "d").exit_code == 0  # fmt: skip
    monkeypatch.setenv("COLUMNS", columns)
    r = run("incidents", "list")
    assert r.exit_code == 0
    too_wide = [line for line in r.stdout.splitlines() if _columns(line) > int(columns) and " " in line.strip()]
    assert not too_wide, too_wide


def test_the_stacked_list_fits_a_30_column_terminal(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The table decides on 30 columns (its width() floors at 24) but the stacked layout lays out in 40
    (_panel.width() floors at 40): lines of 40 columns in a 30-column terminal."""
    assert run("report", "--when", "2026-05-01 18:30", "--place", "High Street", "--postcode", "SW1A 1AA",
               "--kind", "online-abuse", "--description", "d").exit_code == 0  # fmt: skip
    monkeypatch.setenv("COLUMNS", "30")
    r = run("incidents", "list")
    assert r.exit_code == 0
    assert max(len(line) for line in r.stdout.splitlines()) <= 30, r.stdout


@pytest.mark.parametrize("columns", ["80", "50"])
def test_a_place_with_a_tab_or_a_line_break_keeps_the_list_in_line(
    home: Path, monkeypatch: pytest.MonkeyPatch, columns: str
) -> None:
    """A tab in a place pushed the rest of its row out of line (counted one column, shown as eight), and a line
    break split the row, in the table and the stacked list; each is one space there, and in full in ``show``."""
    for place in ("Market\tSquare", "12 High St\nBath"):
        assert run("report", "--when", "2026-05-01 18:30", "--place", place, "--postcode", "BA1 1SU",
                   "--kind", "threats", "--description", "d").exit_code == 0  # fmt: skip
    monkeypatch.setenv("COLUMNS", columns)
    r = run("incidents", "list")
    assert r.exit_code == 0
    assert "\t" not in r.stdout
    assert "Market Square" in r.stdout, r.stdout
    if columns == "50":  # stacked: the place runs on in its line (the table folds it to its column anyway)
        assert "12 High St Bath · Avon and Somerset" in r.stdout, r.stdout
    shown = [line.strip() for line in run("incidents", "show", "2").stdout.splitlines()]
    assert shown[shown.index("Where       12 High St") + 1] == "Bath (BA1 1SU)"  # each line as typed


def test_at_80_columns_a_kind_is_not_split_mid_word_while_the_place_can_give_way(
    home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """One place with a 58-letter word: the Kind column goes to 6 and 'Threats' prints as 'Threat' / 's'
    (and the heading as 'Report' / 'ed to'), though the place is broken mid-word anyway."""
    place = "High Street near Llanfairpwllgwyngyllgogerychwyrndrobwllllantysiliogogogoch station"
    assert run("report", "--when", "2026-05-01 18:30", "--place", place, "--postcode", "LL61 5UJ",
               "--kind", "threats", "--description", "d").exit_code == 0  # fmt: skip
    r = run("incidents", "list")
    assert "Threats" in r.stdout, r.stdout


def test_a_deletion_that_cannot_get_the_copies_keeps_them_and_says_so(
    home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """When another command holds the evidence folder past the wait (a long export or backup), the incident is
    still deleted (its tombstone written) and the command says its unused copy was kept, instead of an error
    that reads as if nothing happened."""
    import time

    from campaignsafe import paths
    from campaignsafe.incidents import evidence

    make_record(tmp_path)
    holder = _started_python(
        "import time; from campaignsafe.incidents import evidence\n"
        "with evidence.lock():\n    print('held', flush=True); time.sleep(20)"
    )
    assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
    real = paths.locked
    monkeypatch.setattr(evidence.paths, "locked", lambda path, timeout=0.5: real(path, timeout=0.5))
    try:
        t0 = time.monotonic()
        r = run("incidents", "delete", "3", "--yes", "--json")
        assert time.monotonic() - t0 < 15
    finally:
        holder.kill()
        holder.wait()
    assert r.exit_code == 0, r.stderr
    assert r.json["deleted"] == 3 and r.json["files_removed"] == [] and len(r.json["files_kept"]) == 1
    assert run("check", "--quick").exit_code == 0  # a kept copy is no finding


def _started_python(code: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-c", code], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=dict(os.environ)
    )


@pytest.mark.parametrize("place", ["A" * 300, "東" * 150, "Outside " + "x" * 120 + " hall"])
def test_a_place_of_one_long_word_is_cut_to_the_stacked_list_width(
    place: str, home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """In the stacked list (a narrow terminal) a place with no space to fold at printed as one line of 305
    columns, where the table cuts such a word to its column."""
    assert run("report", "--when", "2026-05-01 18:30", "--place", place, "--kind", "threats",
               "--description", "d").exit_code == 0  # fmt: skip
    monkeypatch.setenv("COLUMNS", "40")
    r = run("incidents", "list")
    assert r.exit_code == 0
    assert max(_columns(line) for line in r.stdout.splitlines()) <= 40, r.stdout
    assert "".join(r.stdout.split()).count(place.replace(" ", "")) == 1  # all of it, in order
